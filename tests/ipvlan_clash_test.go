package tests

import (
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestClashAttachIPVlan checks the clash detection of ipvlan slaves, whose
// probes go out of the parent (l3 and l3s slaves cannot ARP, and the
// kernel runs no IPv6 DAD on them; in fast mode lanattach's own DAD probe
// checks l2 slaves too): a peer, the host or a sibling ipvlan
// slave holding the address is refused with exit 3 and nothing changed; a
// free address and --ip auto work.
func TestClashAttachIPVlan(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"l2", "l3"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			sandbox.RequireKernel(t, "ipvlan")
			ipvlanClashes(t, mode)
			ipvlanFreeAndAuto(t, mode)
		})
	}
}

// ipvlanClashes runs the refused cases for one ipvlan mode.
func ipvlanClashes(t *testing.T, mode string) {
	args := []string{"--mode", "ipvlan", "--ipvlan-mode", mode}
	tests := []struct {
		name, ip, where string
		mac             func(t *testing.T, l *lan) string
	}{
		{"peer holds it", peerIP + "/24", "lan", func(_ *testing.T, l *lan) string { return l.peer.MAC }},
		{"host holds it on the parent", hostIP + "/24", "host", func(t *testing.T, l *lan) string { return links(t, l.Host)[l.Parent].Address }},
		{"sibling ipvlan holds it", "198.51.100.42/24", "sibling", func(t *testing.T, l *lan) string {
			return l.attach(t, l.newTarget(t, "netns"), append([]string{"--parent", l.Parent, "--ip", "198.51.100.42/24"}, args...)...).MAC
		}},
		// lanattach's own DAD probe from the parent, in l2 mode too (fast
		// mode does not wait for the kernel's DAD on the slave).
		{"peer holds the IPv6 address", peerIP6 + "/64", "dad", func(_ *testing.T, l *lan) string { return l.peer.MAC }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLAN(t)
			mac := tt.mac(t, l)
			tg := l.newTarget(t, "netns")
			before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
			r := l.Lanattach(t, append(append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", tt.ip}, args...), tg.args...)...)
			ip := strings.Split(tt.ip, "/")[0]
			wantFail(t, r, 3, ip)
			var out conflictOut
			r.JSON(t, &out)
			if len(out.Conflicts) != 1 || out.Conflicts[0].IP != ip || out.Conflicts[0].Where != tt.where || out.Conflicts[0].MAC != mac {
				t.Errorf("conflicts %+v, want %s where %s mac %q", out.Conflicts, ip, tt.where, mac)
			}
			sandbox.SameSnapshot(t, "refused ipvlan attach", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
}

// ipvlanFreeAndAuto attaches a free address, and --ip auto next to a host
// at .1, a peer at .2 and one at .3: it must get .4 and 2001:db8:1::3.
func ipvlanFreeAndAuto(t *testing.T, mode string) {
	args := []string{"--mode", "ipvlan", "--ipvlan-mode", mode}
	t.Run("free", func(t *testing.T) {
		l := newLAN(t)
		out := l.attach(t, l.newTarget(t, "netns"), append([]string{"--parent", l.Parent, "--ip", slaveV4, "--ip", slaveV6}, args...)...)
		if out.Probe.Result != "free" {
			t.Errorf("probe %+v, want free", out.Probe)
		}
	})
	t.Run("auto", func(t *testing.T) {
		l := newLAN(t)
		l.AddPeer(t, "198.51.100.3/24")
		out := l.attach(t, l.newTarget(t, "netns"), append([]string{"--parent", l.Parent, "--ip", "auto",
			"--subnet", "198.51.100.0/24", "--subnet", "2001:db8:1::/64"}, args...)...)
		want := map[string]bool{"198.51.100.4/24": true, "2001:db8:1::3/64": true}
		if len(out.Addresses) != 2 || !want[out.Addresses[0]] || !want[out.Addresses[1]] {
			t.Errorf("addresses %v, want 198.51.100.4/24 and 2001:db8:1::3/64", out.Addresses)
		}
	})
}
