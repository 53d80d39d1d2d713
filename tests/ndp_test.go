package tests

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/tests/sandbox"
	"github.com/mdlayher/ndp"
	"golang.org/x/net/ipv6"
)

// TestProbeIPv6 covers the IPv6 DAD probe of `lanattach probe`: an address
// a peer holds (found with the peer's MAC, in both timings), a free one,
// and nothing changed on the host, switch or peer.
func TestProbeIPv6(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tests := []struct {
		name, ip string
		args     []string
		free     bool
		mac      string
	}{
		{name: "peer holds it", ip: peerIP6, mac: l.peer.MAC},
		{name: "peer holds it, rfc timing", ip: peerIP6, args: []string{"--probe", "rfc"}, mac: l.peer.MAC},
		{name: "free", ip: "2001:db8:1::77", free: true},
		{name: "free, rfc timing", ip: "2001:db8:1::78", args: []string{"--probe", "rfc"}, free: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sandbox.Snapshot(t, l.Host, l.Switch, l.peer.NS)
			r, out := l.probeCmd(t, append([]string{"--ip", tt.ip}, tt.args...)...)
			wantProbe(t, r, out, tt.ip, tt.free, tt.mac, map[bool]string{true: "", false: "dad"}[tt.free])
			if !tt.free && !strings.Contains(r.Stderr, tt.ip) {
				t.Errorf("stderr does not name %s: %q", tt.ip, r.Stderr)
			}
			sandbox.SameSnapshot(t, "probe", before, sandbox.Snapshot(t, l.Host, l.Switch, l.peer.NS))
		})
	}
}

// TestProbeIPv6FromFreshSlave probes from a macvlan slave in a target whose
// only IPv6 address is its tentative link-local one: DAD probes come from
// :: and need no usable address.
func TestProbeIPv6FromFreshSlave(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.NewTarget(t)
	sandbox.MustExec(t, l.Host, "ip", "link", "add", "fresh0", "link", l.Parent, "type", "macvlan", "mode", "bridge")
	sandbox.MustExec(t, l.Host, "ip", "link", "set", "fresh0", "netns", tg)
	// Keep the link-local address tentative for the whole test.
	sandbox.MustExec(t, tg, "sysctl", "-qw", "net.ipv6.conf.fresh0.accept_dad=1", "net.ipv6.conf.fresh0.dad_transmits=30")
	sandbox.MustExec(t, tg, "ip", "link", "set", "fresh0", "up")
	r := l.Lanattach(t, "-o", "json", "probe", "--netns", tg, "--parent", "fresh0", "--ip", peerIP6, "--ip", "2001:db8:1::79")
	addrs := sandbox.MustExec(t, tg, "ip", "-6", "addr", "show", "dev", "fresh0")
	if !strings.Contains(addrs, "tentative") || strings.Contains(addrs, "scope global") {
		t.Fatalf("the slave's link-local address was not tentative any more (or it has a global one), so this tests nothing:\n%s", addrs)
	}
	var out probeOut
	r.JSON(t, &out)
	if r.Code != 3 || len(out.Results) != 2 || out.Results[0].Free || out.Results[0].MAC != l.peer.MAC ||
		out.Results[0].Where != "dad" || !out.Results[1].Free {
		t.Fatalf("want %s held by %s (dad) and ::79 free, got:\n%s", peerIP6, l.peer.MAC, r)
	}
}

// TestProbeBothFamiliesOneWindow probes IPv4 and IPv6 addresses in one
// run: both probes share the window instead of taking one each.
func TestProbeBothFamiliesOneWindow(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	const window = 3 * time.Second
	// Compared with an IPv4-only probe run the same way, so that start-up
	// costs (seconds in the VM) cancel out.
	v4 := timed(func() { l.probeCmd(t, "--probe-timeout", window.String(), "--ip", "198.51.100.81") })
	var r sandbox.Result
	var out probeOut
	took := timed(func() {
		r, out = l.probeCmd(t, "--probe-timeout", window.String(), "--ip", peerIP, "--ip", peerIP6, "--ip", "198.51.100.80", "--ip", "2001:db8:1::80")
	})
	if r.Code != 3 || len(out.Results) != 4 || out.Results[0].Where != "lan" || out.Results[1].Where != "dad" ||
		out.Results[0].MAC != l.peer.MAC || out.Results[1].MAC != l.peer.MAC || !out.Results[2].Free || !out.Results[3].Free {
		t.Fatalf("want the peer's two addresses held (lan, dad) and two free, got:\n%s", r)
	}
	if took < window || took > v4+window {
		t.Errorf("took %v, IPv4 alone %v: want one %v window, not one per family", took, v4, window)
	}
}

// TestProbeIPv6DADAtSameTime has a peer start its kernel's DAD for the
// probed address as soon as it sees the first probe: the peer's DAD
// solicitation is a clash.
func TestProbeIPv6DADAtSameTime(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	p := l.AddPeer(t)
	ip := netip.MustParseAddr("2001:db8:1::90")
	// The sandbox turns DAD off; this peer does it, at once (no random delay).
	sandbox.MustExec(t, p.NS, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=1", "net.ipv6.conf.eth0.router_solicitation_delay=0")
	seen := watchDADProbe(t, p.NS, p.Iface, ip, func() {
		if _, err := sandbox.Exec(t, p.NS, "ip", "addr", "add", ip.String()+"/64", "dev", p.Iface); err != nil {
			t.Errorf("peer: adding %s: %v", ip, err)
		}
	})
	// A 3s window: the peer's reaction (a process adding the address)
	// takes seconds in the VM.
	r, out := l.probeCmd(t, "--probe-timeout", "3s", "--ip", ip.String())
	wantProbe(t, r, out, ip.String(), false, p.MAC, "dad")
	select {
	case <-seen:
	case <-time.After(5 * time.Second):
		t.Error("the peer never saw a DAD probe")
	}
}

// watchDADProbe reads IPv6 packets on iface in netns nsName and calls act
// once, when the first DAD solicitation for ip arrives. The returned
// channel is closed after act returned.
func watchDADProbe(t *testing.T, nsName, iface string, ip netip.Addr, act func()) <-chan struct{} {
	t.Helper()
	netNS, err := ns.GetNS("/run/netns/" + nsName)
	if err != nil {
		t.Fatal(err)
	}
	defer netNS.Close()
	c, _, err := arpcheck.OpenNDP(netNS, iface)
	if err != nil {
		t.Fatal(err)
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		buf := make([]byte, 1500)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if isDADProbe(buf[:n], ip) {
				act()
				close(done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		c.Close()
		<-stopped
	})
	return done
}

// isDADProbe reports whether b is an IPv6 packet from :: with a Neighbor
// Solicitation for ip.
func isDADProbe(b []byte, ip netip.Addr) bool {
	h, err := ipv6.ParseHeader(b)
	if err != nil || !h.Src.IsUnspecified() || len(b) < ipv6.HeaderLen+h.PayloadLen {
		return false
	}
	m, err := ndp.ParseMessage(b[ipv6.HeaderLen : ipv6.HeaderLen+h.PayloadLen])
	ns, ok := m.(*ndp.NeighborSolicitation)
	return err == nil && ok && ns.TargetAddress == ip
}

// TestAutoIPv6SkipsHeldAddresses runs `attach --ip auto` on an IPv6 subnet
// whose lowest addresses the host and peers hold: it takes the first free
// one, found by the DAD probe rather than by the kernel's DAD failing.
func TestAutoIPv6SkipsHeldAddresses(t *testing.T) {
	t.Parallel()
	l := newLAN(t) // host ::1, peer ::2
	l.AddPeer(t, "2001:db8:1::3/64")
	l.AddPeer(t, "2001:db8:1::4/64")
	out := l.attach(t, l.newTarget(t, "netns"), "--parent", l.Parent, "--ip", "auto", "--subnet", "2001:db8:1::/64")
	if len(out.Addresses) != 1 || out.Addresses[0] != "2001:db8:1::5/64" || out.Probe.Result != "free" {
		t.Fatalf("addresses %v, probe %+v; want 2001:db8:1::5/64 (::1 to ::4 are held) and free", out.Addresses, out.Probe)
	}
}
