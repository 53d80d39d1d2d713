package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestAutoPicks checks which address --ip auto takes: never the network
// address, the host's, a peer's, the gateway or an excluded one, and only
// inside --ip-range.
func TestAutoPicks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"lowest free", nil, "198.51.100.3/24"},
		{"gateway and excluded skipped", []string{"--gateway", "198.51.100.3", "--exclude", "198.51.100.4"}, "198.51.100.5/24"},
		{"inside the range", []string{"--ip-range", "198.51.100.64/27"}, "198.51.100.64/24"},
		{"range start is a host address", []string{"--ip-range", "198.51.100.252/30"}, "198.51.100.252/24"},
		{"broadcast never picked", []string{"--ip-range", "198.51.100.255/32"}, ""},
		{"subnet's end", []string{"--ip-range", "198.51.100.254/31"}, "198.51.100.254/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			args := append([]string{"--parent", l.Parent, "--ip", "auto", "--subnet", "198.51.100.0/24"}, tt.args...)
			if tt.want == "" {
				tg := l.newTarget(t, "netns")
				wantFail(t, l.Lanattach(t, append(append([]string{"attach"}, tg.args...), args...)...), 1, "no free address")
				return
			}
			out := l.attach(t, l.newTarget(t, "netns"), args...)
			if len(out.Addresses) != 1 || out.Addresses[0] != tt.want {
				t.Errorf("addresses %v, want [%s]", out.Addresses, tt.want)
			}
		})
	}
}

// TestAutoRangeFull checks that a range whose addresses are all taken
// fails with exit 1, names the range, and changes nothing.
func TestAutoRangeFull(t *testing.T) {
	t.Parallel()
	l := newLAN(t) // the host holds .1 and the peer .2; .0 is the network
	l.AddPeer(t, "198.51.100.3/24")
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", "auto",
		"--subnet", "198.51.100.0/24", "--ip-range", "198.51.100.0/30"}, tg.args...)...)
	wantFail(t, r, 1, "198.51.100.0/30", "no free address")
	if e := wantJSONFail(t, r); !strings.Contains(e.Error, "198.51.100.0/30") {
		t.Errorf("JSON error %q does not name the range", e.Error)
	}
	sandbox.SameSnapshot(t, "attach with a full range", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
}

// TestAnnounce checks that attach announces its IPv4 address with
// gratuitous ARP, which updates a peer's stale neighbour entry, that
// --no-announce sends none, and that arp_notify and ndisc_notify are on.
func TestAnnounce(t *testing.T) {
	t.Parallel()
	for _, announce := range []bool{true, false} {
		t.Run(map[bool]string{true: "announce", false: "no-announce"}[announce], func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			const old = "02:00:5e:00:53:99"
			sandbox.MustExec(t, l.peer.NS, "ip", "neigh", "replace", "198.51.100.50", "lladdr", old, "nud", "stale", "dev", l.peer.Iface)
			time.Sleep(1200 * time.Millisecond) // past the neighbour locktime, so an update may override
			args := []string{"--parent", l.Parent, "--ip", slaveV4}
			if !announce {
				args = append(args, "--no-announce")
			}
			tg := l.newTarget(t, "netns")
			out := l.attach(t, tg, args...)
			want := map[bool]string{true: out.MAC, false: old}[announce]
			neigh := sandbox.MustExec(t, l.peer.NS, "ip", "neigh", "show", "198.51.100.50", "dev", l.peer.Iface)
			if !strings.Contains(neigh, "lladdr "+want) {
				t.Errorf("peer's neighbour entry %q, want lladdr %s", strings.TrimSpace(neigh), want)
			}
			for _, k := range []string{"net.ipv4.conf.eth1.arp_notify", "net.ipv6.conf.eth1.ndisc_notify"} {
				if v := strings.TrimSpace(sandbox.MustExec(t, tg.ns, "sysctl", "-n", k)); v != "1" {
					t.Errorf("%s = %q in the target, want 1", k, v)
				}
			}
		})
	}
}
