package sandbox

import (
	"net/netip"
	"os"
	"strings"
	"testing"
)

// TestLAN checks that a LAN's host reaches its peers over the switch, that
// snapshots are stable, and that cleanup removes every netns.
func TestLAN(t *testing.T) {
	var prefix string
	t.Run("build", func(t *testing.T) {
		l := New(t, Options{Subnet6: netip.MustParsePrefix("2001:db8:1::/64"), HostAddrs: []string{"198.51.100.1/24", "2001:db8:1::1/64"}})
		prefix = l.Prefix
		p := l.AddPeer(t, l.Addr(2), l.Addr6(2))
		if l.Addr(2) != "198.51.100.2/24" || l.Addr6(2) != "2001:db8:1::2/64" {
			t.Fatalf("Addr(2) = %s, Addr6(2) = %s", l.Addr(2), l.Addr6(2))
		}
		MustPing(t, l.Host, l.IP(2))
		MustPing(t, l.Host, l.IP6(2))
		MustPing(t, p.NS, "198.51.100.1")
		l.AddHostIface(t, "other0", "203.0.113.1/24")
		target := l.NewTarget(t)
		pid := l.NewPIDTarget(t)
		nss := []string{l.Host, l.Switch, p.NS, target, PIDPath(pid)}
		a := Snapshot(t, nss...)
		if b := Snapshot(t, nss...); a != b {
			t.Fatalf("two snapshots differ:\n%s", Diff(a, b))
		}
		if !strings.Contains(a, "203.0.113.1/24") || !strings.Contains(a, "br0") {
			t.Fatalf("snapshot misses addresses or links:\n%s", a)
		}
	})
	if prefix == "" {
		return
	}
	ents, err := os.ReadDir("/run/netns")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			t.Errorf("netns %s left behind", e.Name())
		}
	}
}

// TestDiff checks the snapshot diff.
func TestDiff(t *testing.T) {
	got := Diff("### a\nx\ny\n", "### a\ny\nz\n")
	want := "- [a] x\n+ [a] z\n"
	if got != want {
		t.Fatalf("Diff = %q, want %q", got, want)
	}
}

// TestKernelHas checks that the probe agrees with the machine facts:
// macvlan is always there.
func TestKernelHas(t *testing.T) {
	if !KernelHas(t, "macvlan") {
		t.Fatal("KernelHas(macvlan) = false; every kernel lanattach supports has macvlan")
	}
	for _, k := range []string{"ipvlan", "vlan", "dummy"} {
		t.Logf("kernel has %s: %v", k, KernelHas(t, k))
	}
}
