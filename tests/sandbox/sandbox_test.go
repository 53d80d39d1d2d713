package sandbox

import (
	"net/netip"
	"os"
	"os/exec"
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
// TestKernelHas checks KernelHas against an oracle it does not use: in
// the VM every kind must be there (the guest loads the modules); on the
// host, the kernel's own configuration (/proc/config.gz) says which kinds
// are built in (=y, so KernelHas must say yes) or absent (not set: no).
func TestKernelHas(t *testing.T) {
	kinds := map[string]string{"macvlan": "CONFIG_MACVLAN", "ipvlan": "CONFIG_IPVLAN", "vlan": "CONFIG_VLAN_8021Q", "dummy": "CONFIG_DUMMY"}
	if InVM() {
		for kind := range kinds {
			if !KernelHas(t, kind) {
				t.Errorf("the VM kernel must have %s", kind)
			}
		}
		return
	}
	out, err := exec.Command("sh", "-c", "zcat /proc/config.gz").Output()
	if err != nil {
		t.Skipf("no /proc/config.gz to check KernelHas against (%v)", err)
	}
	for kind, opt := range kinds {
		var want *bool
		switch {
		case strings.Contains(string(out), "\n"+opt+"=y"):
			want = new(bool)
			*want = true
		case strings.Contains(string(out), "# "+opt+" is not set"):
			want = new(bool)
		}
		if want != nil && KernelHas(t, kind) != *want {
			t.Errorf("KernelHas(%s) = %v, but the kernel config says %v", kind, !*want, *want)
		}
	}
}
