package nsattach

import (
	"os"
	"testing"
)

// TestNetSysctls: keys below one open /proc/sys/net of the target are read
// and written there (v0 exists only in the target), and a missing key is
// an error os.IsNotExist recognises, as callers expect of a target
// without IPv6.
func TestNetSysctls(t *testing.T) {
	tg := scratchTarget(t)
	err := tg.Do(func() error {
		s := openNetSysctls()
		defer s.close()
		for _, val := range []string{"1", "0"} {
			if err := s.set("ipv4/conf/v0/arp_notify", val); err != nil {
				t.Errorf("set arp_notify %s: %v", val, err)
			}
			if got, err := s.get("ipv4/conf/v0/arp_notify"); got != val || err != nil {
				t.Errorf("get arp_notify after setting %s: %q, %v", val, got, err)
			}
		}
		if _, err := s.get("ipv6/conf/nosuch/accept_dad"); !os.IsNotExist(err) {
			t.Errorf("get of a missing key: %v, want not-exist", err)
		}
		if err := s.set("ipv6/conf/nosuch/ndisc_notify", "1"); !os.IsNotExist(err) {
			t.Errorf("set of a missing key: %v, want not-exist", err)
		}
		if _, err := (netSysctls{dirs: [2]int{s.dirs[0], -1}, errs: [2]error{nil, os.ErrNotExist}}).get("ipv6/conf/all/accept_dad"); !os.IsNotExist(err) {
			t.Errorf("get of a key of a family that is off: %v, want not-exist", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/sys/net/ipv4/conf/v0"); !os.IsNotExist(err) {
		t.Errorf("v0 seen in the test's own namespace: %v", err)
	}
}
