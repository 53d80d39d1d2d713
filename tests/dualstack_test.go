package tests

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/tests/sandbox"
	"github.com/mdlayher/arp"
	"github.com/mdlayher/ndp"
	"github.com/mdlayher/packet"
	"golang.org/x/net/ipv6"
)

// slaveIP6 is slaveV6 without its prefix length.
const slaveIP6 = "2001:db8:1::50"

// slaveModes are the slave types dual-stack attach is tested with:
// macvlan here, ipvlan l2 and l3 in the VM.
var slaveModes = []struct {
	name, kernel string
	args         []string
}{
	{"macvlan", "", nil},
	{"ipvlan-l2", "ipvlan", []string{"--mode", "ipvlan", "--ipvlan-mode", "l2"}},
	{"ipvlan-l3", "ipvlan", []string{"--mode", "ipvlan", "--ipvlan-mode", "l3"}},
}

// inSlaveModes runs test in parallel subtests, one per slave mode, each
// on its own LAN with a fresh target.
func inSlaveModes(t *testing.T, test func(t *testing.T, l *lan, tg target, mode []string)) {
	for _, m := range slaveModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			if m.kernel != "" {
				sandbox.RequireKernel(t, m.kernel)
			}
			l := newLAN(t)
			test(t, l, l.newTarget(t, "netns"), m.args)
		})
	}
}

// TestDualStackFast attaches one free IPv4 and one free IPv6 address in
// fast mode with a 1 s window: both are checked by lanattach's probes
// side by side ("arp" and "ndp", each about one window long, and the whole
// probe one window, not two), the IPv6 address is not tentative when
// attach returns, and the container pings the peer over IPv6 at once,
// with a single echo request.
func TestDualStackFast(t *testing.T) {
	t.Parallel()
	const window = 1000 // ms
	inSlaveModes(t, func(t *testing.T, l *lan, tg target, mode []string) {
		if slices.Contains(mode, "l3") {
			// An l3 slave answers no NDP: the peer reaches it at the parent's MAC.
			parentMAC := links(t, l.Host)[l.Parent].Address
			sandbox.MustExec(t, l.peer.NS, "ip", "neigh", "replace", slaveIP6, "lladdr", parentMAC, "dev", l.peer.Iface)
		}
		r := attachIn(t, l, tg, append([]string{"--ip", slaveV4, "--ip", slaveV6, "--probe-timeout", "1s"}, mode...)...)
		if r.Code != 0 {
			t.Fatalf("attach failed:\n%s", r)
		}
		addrs := sandbox.MustExec(t, tg.ns, "ip", "-6", "addr", "show", "dev", "eth1", "scope", "global")
		// Right away, no retries: from a tentative address ping fails at once
		// (no usable source address); the second request covers a first one
		// lost while neighbours are resolved.
		if out, err := sandbox.Exec(t, tg.ns, "ping", "-c", "2", "-w", "3", peerIP6); err != nil {
			t.Errorf("ping %s right after attach: %v\n%s", peerIP6, err, out)
		}
		if !strings.Contains(addrs, slaveIP6) || strings.Contains(addrs, "tentative") {
			t.Errorf("want %s on eth1, not tentative, when attach returns:\n%s", slaveV6, addrs)
		}
		var out probeChecks
		if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil {
			t.Fatal(err)
		}
		checkDualChecks(t, out, window)
	})
}

// attachIn runs `lanattach -o json attach --parent PARENT args...` into
// tg and returns the run, whatever its exit code.
func attachIn(t *testing.T, l *lan, tg target, args ...string) sandbox.Result {
	t.Helper()
	return l.Lanattach(t, append(append([]string{"-o", "json", "attach", "--parent", l.Parent}, args...), tg.args...)...)
}

// checkDualChecks wants an "arp" check of slaveV4 and an "ndp" check of
// slaveV6, each at least one window long, inside one probe of less than
// two windows.
func checkDualChecks(t *testing.T, out probeChecks, window int64) {
	t.Helper()
	want := map[string]string{strings.Split(slaveV4, "/")[0]: "arp", slaveIP6: "ndp"}
	if len(out.Probe.Checks) != len(want) {
		t.Fatalf("checks %+v, want %v", out.Probe.Checks, want)
	}
	for _, c := range out.Probe.Checks {
		if want[c.IP] != c.Check || c.DurationMS < window*9/10 {
			t.Errorf("check %+v, want %q taking one %d ms window", c, want[c.IP], window)
		}
	}
	if out.Probe.DurationMS >= 2*window {
		t.Errorf("probe took %d ms: the families were checked one after the other, not in one %d ms window",
			out.Probe.DurationMS, window)
	}
}

// TestDualStackClashFast: a peer holding the IPv6 address of a dual-stack
// attach is caught in fast mode by lanattach's DAD probe in the ARP
// probe's window (exit 3, where dad, with the peer's MAC, which the
// kernel's DAD would not name), and nothing is left.
func TestDualStackClashFast(t *testing.T) {
	t.Parallel()
	inSlaveModes(t, func(t *testing.T, l *lan, tg target, mode []string) {
		before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
		r := attachIn(t, l, tg, append([]string{"--ip", slaveV4, "--ip", peerIP6 + "/64"}, mode...)...)
		wantFail(t, r, 3, peerIP6)
		var out conflictOut
		r.JSON(t, &out)
		if len(out.Conflicts) != 1 || out.Conflicts[0].IP != peerIP6 || out.Conflicts[0].Where != "dad" ||
			out.Conflicts[0].MAC != l.peer.MAC {
			t.Errorf("conflicts %+v, want %s where dad, mac %s", out.Conflicts, peerIP6, l.peer.MAC)
		}
		sandbox.SameSnapshot(t, "clash", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		wantNoRecords(t, l)
	})
}

// TestDualStackLateDuplicate: a node that advertises the IPv6 address after
// lanattach's DAD probe passed, while attach still runs, fails the attach
// (exit 3, where dad, with its MAC) and nothing is left: the address was
// added without the kernel's DAD, and lanattach keeps listening in its
// place until it returns. The node advertises when it sees the IPv4
// address announced, which happens after both probes; the 3 s window
// spaces the two announcements 300 ms apart.
func TestDualStackLateDuplicate(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	p := l.AddPeer(t)
	tg := l.newTarget(t, "netns")
	v4, v6 := netip.MustParseAddr("198.51.100.50"), netip.MustParseAddr("2001:db8:1::50")
	acted := onAnnounce(t, p, v4, v6)
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	r := attachIn(t, l, tg, "--probe-timeout", "3s", "--ip", v4.String()+"/24", "--ip", v6.String()+"/64")
	wantFail(t, r, 3, v6.String())
	var out conflictOut
	r.JSON(t, &out)
	if len(out.Conflicts) != 1 || out.Conflicts[0].IP != v6.String() || out.Conflicts[0].Where != "dad" || out.Conflicts[0].MAC != p.MAC {
		t.Errorf("conflicts %+v, want %s where dad, mac %s", out.Conflicts, v6, p.MAC)
	}
	select {
	case <-acted:
	default:
		t.Fatal("the peer never saw the IPv4 announcement, so it never advertised the IPv6 address")
	}
	sandbox.SameSnapshot(t, "late duplicate", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
	wantNoRecords(t, l)
}

// onAnnounce listens on peer p for the first ARP announcement of v4 from
// another MAC and then sends an unsolicited Neighbor Advertisement of v6
// to all nodes, as a node that has v6 too would. The returned channel is
// closed once it was sent.
func onAnnounce(t *testing.T, p *sandbox.Peer, v4, v6 netip.Addr) <-chan struct{} {
	t.Helper()
	netNS, err := ns.GetNS("/run/netns/" + p.NS)
	if err != nil {
		t.Fatal(err)
	}
	defer netNS.Close()
	arpConn, ifi, err := arpcheck.Open(netNS, p.Iface)
	if err != nil {
		t.Fatal(err)
	}
	ndpConn, _, err := arpcheck.OpenNDP(netNS, p.Iface)
	if err != nil {
		arpConn.Close()
		t.Fatal(err)
	}
	na := unsolicitedNA(t, v6, ifi.HardwareAddr)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		buf := make([]byte, 1500)
		for {
			n, _, err := arpConn.ReadFrom(buf)
			if err != nil {
				return
			}
			var a arp.Packet
			if a.UnmarshalBinary(buf[:n]) == nil && a.SenderIP == v4 && a.TargetIP == v4 && a.SenderHardwareAddr.String() != p.MAC {
				if _, err := ndpConn.WriteTo(na, &packet.Addr{HardwareAddr: net.HardwareAddr{0x33, 0x33, 0, 0, 0, 1}}); err != nil {
					t.Errorf("peer: advertising %s: %v", v6, err)
				}
				close(done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		arpConn.Close()
		<-stopped
		ndpConn.Close()
	})
	return done
}

// unsolicitedNA is an IPv6 packet with an unsolicited, overriding Neighbor
// Advertisement of target by mac, to all nodes.
func unsolicitedNA(t *testing.T, target netip.Addr, mac net.HardwareAddr) []byte {
	t.Helper()
	src, dst := netip.MustParseAddr("fe80::2"), netip.IPv6LinkLocalAllNodes()
	na := &ndp.NeighborAdvertisement{Override: true, TargetAddress: target,
		Options: []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: mac}}}
	msg, err := ndp.MarshalMessageChecksum(na, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	h := make([]byte, ipv6.HeaderLen, ipv6.HeaderLen+len(msg))
	h[0] = 6 << 4
	binary.BigEndian.PutUint16(h[4:6], uint16(len(msg)))
	h[6], h[7] = 58, 255 // ICMPv6, hop limit 255
	s, d := src.As16(), dst.As16()
	copy(h[8:24], s[:])
	copy(h[24:40], d[:])
	return append(h, msg...)
}
