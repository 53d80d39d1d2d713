package arpcheck

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/mdlayher/packet"
)

var (
	ip6A     = netip.MustParseAddr("2001:db8::10")
	ip6B     = netip.MustParseAddr("2001:db8::11")
	ip6Other = netip.MustParseAddr("2001:db8::99")
	peerLL   = netip.MustParseAddr("fe80::2")
	allNodes = netip.MustParseAddr("ff02::1")
)

// fakeNDP is a fakeConn that records multicast memberships.
type fakeNDP struct {
	*fakeConn
	joined, left []netip.Addr
	joinErr      error
}

func newFakeNDP() *fakeNDP { return &fakeNDP{fakeConn: newFakeConn()} }

func (f *fakeNDP) JoinGroup(g netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.joinErr != nil && len(f.joined) > 0 {
		return f.joinErr
	}
	f.joined = append(f.joined, g)
	return nil
}

func (f *fakeNDP) LeaveGroup(g netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left = append(f.left, g)
	return nil
}

// ndpPacket builds an IPv6 packet carrying m from src to dst.
func ndpPacket(t testing.TB, m ndp.Message, src, dst netip.Addr) []byte {
	t.Helper()
	b, err := ndp.MarshalMessageChecksum(m, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	return ipv6Packet(src, dst, b)
}

// advert is a Neighbor Advertisement for target to all nodes, as a node
// defending target sends it, with a target link-layer option tlla (none
// when nil).
func advert(target netip.Addr, tlla net.HardwareAddr) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		na := &ndp.NeighborAdvertisement{Override: true, TargetAddress: target}
		if tlla != nil {
			na.Options = []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: tlla}}
		}
		return ndpPacket(t, na, peerLL, allNodes)
	}
}

// solicit is a Neighbor Solicitation for target from src (:: for DAD)
// with nonce (none when nil).
func solicit(src, target netip.Addr, nonce *ndp.Nonce) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		ns := &ndp.NeighborSolicitation{TargetAddress: target}
		if nonce != nil {
			ns.Options = []ndp.Option{nonce}
		}
		group, err := ndp.SolicitedNodeMulticast(target)
		if err != nil {
			t.Fatal(err)
		}
		return ndpPacket(t, ns, src, group)
	}
}

// hopLimit rewrites the hop limit of a packet built by f.
func hopLimit(f func(testing.TB) []byte, hl byte) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		b := f(t)
		b[7] = hl
		return b
	}
}

func TestProbeNDP(t *testing.T) {
	const window = 400 * time.Millisecond // early returns must beat window/2, even on a slow machine
	unspec := netip.IPv6Unspecified()
	tests := []struct {
		name    string
		ips     []netip.Addr
		arrive  []arrivalSpec
		answer  bool // the peer answers every probe for ip6A at once
		echo    bool // our own probes come back to us from another MAC
		want    map[netip.Addr]net.HardwareAddr
		maxTime time.Duration
	}{
		{name: "free", ips: []netip.Addr{ip6A, ip6B}},
		{name: "peer answers", ips: []netip.Addr{ip6A, ip6B}, answer: true, want: map[netip.Addr]net.HardwareAddr{ip6A: peerMAC}},
		{name: "MAC from the target link-layer option", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6A, otherMAC), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6A: otherMAC}},
		{name: "MAC from the frame without the option", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6A, nil), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6A: peerMAC}},
		{name: "late answer inside window", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 170 * time.Millisecond, pkt: advert(ip6A, peerMAC), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6A: peerMAC}},
		{name: "answer after window ignored", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 2 * window, pkt: advert(ip6A, peerMAC), from: peerMAC}}},
		{name: "another node doing DAD", ips: []netip.Addr{ip6A, ip6B},
			arrive: []arrivalSpec{{d: 30 * time.Millisecond, pkt: solicit(unspec, ip6B, ndp.NewNonce()), from: otherMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6B: otherMAC}},
		{name: "another node doing DAD without nonce", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 30 * time.Millisecond, pkt: solicit(unspec, ip6A, nil), from: otherMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6A: otherMAC}},
		{name: "our own echo ignored by nonce", ips: []netip.Addr{ip6A}, echo: true},
		{name: "address resolution for candidate is no clash", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: solicit(peerLL, ip6A, nil), from: otherMAC}}},
		{name: "own MAC ignored", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6A, ourMAC), from: ourMAC}}},
		{name: "hop limit below 255 ignored", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: hopLimit(advert(ip6A, peerMAC), 64), from: peerMAC}}},
		{name: "answer for another address ignored", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6Other, peerMAC), from: peerMAC}}},
		{name: "every candidate clashed ends early", ips: []netip.Addr{ip6A}, answer: true,
			want: map[netip.Addr]net.HardwareAddr{ip6A: peerMAC}, maxTime: window / 2},
		{name: "garbage ignored", ips: []netip.Addr{ip6A},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: func(testing.TB) []byte { return []byte{0x60, 0, 0} }, from: peerMAC}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newFakeNDP()
			c.onSend = func(f *fakeConn, b []byte) {
				m, _, _ := parseNDP(b)
				if tt.echo {
					f.deliver(0, b, otherMAC)
				}
				if ns, ok := m.(*ndp.NeighborSolicitation); ok && tt.answer && ns.TargetAddress == ip6A {
					f.deliver(time.Millisecond, advert(ip6A, peerMAC)(t), peerMAC)
				}
			}
			for _, a := range tt.arrive {
				c.deliver(a.d, a.pkt(t), a.from)
			}
			start := time.Now()
			got, err := ProbeNDP(context.Background(), c, ourMAC, tt.ips, ProbeConfig{Mode: ModeFast, Window: window})
			checkRun(t, time.Since(start), window, tt.maxTime, err, len(tt.want) == len(tt.ips))
			checkConflicts(t, got, tt.want, WhereDAD)
		})
	}
}

func TestProbeNDPSendsRFC4862Probes(t *testing.T) {
	c := newFakeNDP()
	v4 := netip.MustParseAddr("203.0.113.1")
	ips := []netip.Addr{ip6A, ip6B, ip6A, v4, netip.MustParseAddr("::ffff:203.0.113.2")}
	if _, err := ProbeNDP(context.Background(), c, ourMAC, ips, ProbeConfig{Mode: ModeFast, Window: 40 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if len(c.sent) != 2*probeNum {
		t.Fatalf("sent %d packets, want %d (3 per distinct IPv6)", len(c.sent), 2*probeNum)
	}
	nonces := map[string]bool{}
	for i, b := range c.sent {
		m, src, ok := parseNDP(b)
		ns, isNS := m.(*ndp.NeighborSolicitation)
		if !ok || !isNS || !src.IsUnspecified() || (ns.TargetAddress != ip6A && ns.TargetAddress != ip6B) {
			t.Fatalf("not a DAD solicitation from :: for a candidate: %x", b)
		}
		group := solicitedNode(ns.TargetAddress)
		if err := checkIPv6ICMP(b, group); err != nil {
			t.Errorf("packet %x: %v", b, err)
		}
		var n *ndp.Nonce
		if len(ns.Options) == 1 {
			n, _ = ns.Options[0].(*ndp.Nonce)
		}
		if n == nil {
			t.Errorf("options %v, want only a nonce (no source link-layer address)", ns.Options)
		} else {
			nonces[n.String()] = true
		}
		to, _ := c.to[i].(*packet.Addr)
		if to == nil || to.HardwareAddr.String() != multicastMAC(group).String() {
			t.Errorf("sent to %v, want %v", c.to[i], multicastMAC(group))
		}
	}
	if len(nonces) != 1 {
		t.Errorf("nonces %v, want one nonce for the whole run (so that every echo of ours is recognised)", nonces)
	}
	groups := []netip.Addr{netip.MustParseAddr("ff02::1:ff00:10"), netip.MustParseAddr("ff02::1:ff00:11")}
	if !slices.Equal(c.joined, groups) || !slices.Equal(c.left, groups) {
		t.Errorf("joined %v and left %v, want %v both", c.joined, c.left, groups)
	}
}

func TestProbeNDPSharedGroupJoinedOnce(t *testing.T) {
	c := newFakeNDP()
	same := netip.MustParseAddr("2001:db8:1::10") // same low 24 bits as ip6A
	if _, err := ProbeNDP(context.Background(), c, ourMAC, []netip.Addr{ip6A, same}, ProbeConfig{Mode: ModeFast, Window: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if len(c.joined) != 1 || len(c.left) != 1 {
		t.Errorf("joined %v, left %v; want the one shared group once", c.joined, c.left)
	}
}

func TestProbeNDPJoinFailure(t *testing.T) {
	c := newFakeNDP()
	c.joinErr = errors.New("no buffer space")
	_, err := ProbeNDP(context.Background(), c, ourMAC, []netip.Addr{ip6A, ip6B}, ProbeConfig{Mode: ModeFast})
	if err == nil || len(c.sent) != 0 || !slices.Equal(c.left, c.joined) {
		t.Fatalf("err %v, sent %d, joined %v, left %v; want an error, nothing sent, every joined group left", err, len(c.sent), c.joined, c.left)
	}
}

func TestProbeNDPNothingToDo(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  ProbeConfig
		ips  []netip.Addr
	}{
		{"mode off", ProbeConfig{Mode: ModeOff}, []netip.Addr{ip6A}},
		{"IPv4 only", ProbeConfig{Mode: ModeFast}, []netip.Addr{ipA}},
	} {
		c := newFakeNDP()
		got, err := ProbeNDP(context.Background(), c, ourMAC, tt.ips, tt.cfg)
		if err != nil || got != nil || len(c.sent) != 0 || len(c.joined) != 0 {
			t.Errorf("%s: conflicts %v, err %v, sent %d, joined %v; want nothing", tt.name, got, err, len(c.sent), c.joined)
		}
	}
}

func TestProbeNDPContextCancel(t *testing.T) {
	c := newFakeNDP()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := ProbeNDP(ctx, c, ourMAC, []netip.Addr{ip6A}, ProbeConfig{Mode: ModeRFC})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 2*time.Second { // an RFC-timed run takes 3s at least
		t.Fatalf("took %v to notice the cancel", took)
	}
	if len(c.left) != len(c.joined) {
		t.Errorf("joined %v, left %v", c.joined, c.left)
	}
}

func TestDADSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		cfg    ProbeConfig
		rnd    func(time.Duration) time.Duration
		at     []time.Duration
		linger time.Duration
	}{
		{"fast default", ProbeConfig{Mode: ModeFast}, nil, []time.Duration{0, 50 * ms, 100 * ms}, 100 * ms},
		{"fast 1s", ProbeConfig{Mode: ModeFast, Window: time.Second}, nil, []time.Duration{0, 250 * ms, 500 * ms}, 500 * ms},
		{"rfc shortest", ProbeConfig{Mode: ModeRFC}, func(time.Duration) time.Duration { return 0 }, []time.Duration{0}, time.Second},
		{"rfc longest", ProbeConfig{Mode: ModeRFC}, func(d time.Duration) time.Duration { return d }, []time.Duration{time.Second}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, linger := dadSchedule(tt.cfg, tt.rnd)
			if !slices.Equal(at, tt.at) || linger != tt.linger {
				t.Fatalf("dadSchedule = %v, %v; want %v, %v", at, linger, tt.at, tt.linger)
			}
		})
	}
}

func TestMulticastMAC(t *testing.T) {
	g, _ := ndp.SolicitedNodeMulticast(netip.MustParseAddr("2001:db8::1:2:abcd:ef01"))
	if got := multicastMAC(g).String(); got != "33:33:ff:cd:ef:01" {
		t.Fatalf("multicastMAC(%s) = %s, want 33:33:ff:cd:ef:01", g, got)
	}
}

func FuzzHandleNDP(f *testing.F) {
	unspec := netip.IPv6Unspecified()
	f.Add(advert(ip6A, peerMAC)(f))
	f.Add(advert(ip6B, nil)(f))
	f.Add(solicit(unspec, ip6A, ndp.NewNonce())(f))
	f.Add(solicit(peerLL, ip6B, nil)(f))
	f.Add(hopLimit(advert(ip6A, peerMAC), 1)(f))
	f.Add([]byte{0x60, 0, 0, 0, 0, 24, 58, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		w := &ndpWatch{watch: newWatch(ourMAC, []netip.Addr{ip6A, ip6B}), nonce: ndp.NewNonce()}
		w.handle(b, &packet.Addr{HardwareAddr: peerMAC})
		w.handle(b, &packet.Addr{HardwareAddr: ourMAC})
		for _, c := range w.conflicts() {
			if (c.IP != ip6A && c.IP != ip6B) || len(c.MAC) != 6 || c.Where != WhereDAD {
				t.Fatalf("bogus conflict %v from %x", c, b)
			}
		}
	})
}

// TestPeerDADIgnored checks that a DAD solicitation from a peer (a
// concurrent run's slave) is no clash, and one from anyone else is.
func TestPeerDADIgnored(t *testing.T) {
	unspec := netip.IPv6Unspecified()
	w := &ndpWatch{watch: newWatch(ourMAC, []netip.Addr{ip6A}), nonce: ndp.NewNonce()}
	w.peers = []net.HardwareAddr{peerMAC}
	w.handle(solicit(unspec, ip6A, nil)(t), &packet.Addr{HardwareAddr: peerMAC})
	if cs := w.conflicts(); len(cs) != 0 {
		t.Fatalf("a peer's DAD clashed: %v", cs)
	}
	w.handle(solicit(unspec, ip6A, nil)(t), &packet.Addr{HardwareAddr: otherMAC})
	if cs := w.conflicts(); len(cs) != 1 {
		t.Fatalf("a stranger's DAD did not clash: %v", cs)
	}
}

// solicitedNode computes the solicited-node multicast group of ip by hand
// (RFC 4291 section 2.7.1: ff02::1:ff00:0/104 and ip's low 24 bits), as an
// oracle independent of the ndp package.
func solicitedNode(ip netip.Addr) netip.Addr {
	a := ip.As16()
	return netip.AddrFrom16([16]byte{0xff, 0x02, 10: 0, 11: 1, 12: 0xff, 13: a[13], 14: a[14], 15: a[15]})
}

// checkIPv6ICMP checks an IPv6 packet by hand: version 6, ICMPv6, hop
// limit 255, the payload length, destination dst, source ::, and the
// ICMPv6 checksum over the pseudo-header (RFC 4443 section 2.3).
func checkIPv6ICMP(b []byte, dst netip.Addr) error {
	if len(b) < 40 || b[0]>>4 != 6 || b[6] != 58 || b[7] != 255 {
		return fmt.Errorf("not an IPv6 ICMPv6 packet with hop limit 255")
	}
	if int(binary.BigEndian.Uint16(b[4:6])) != len(b)-40 {
		return fmt.Errorf("payload length %d, packet carries %d", binary.BigEndian.Uint16(b[4:6]), len(b)-40)
	}
	if d, _ := netip.AddrFromSlice(b[24:40]); d != dst {
		return fmt.Errorf("sent to %s, want %s", d, dst)
	}
	if s, _ := netip.AddrFromSlice(b[8:24]); !s.IsUnspecified() {
		return fmt.Errorf("source %s, want ::", s)
	}
	var sum uint32
	add := func(p []byte) {
		for i := 0; i+1 < len(p); i += 2 {
			sum += uint32(binary.BigEndian.Uint16(p[i:]))
		}
		if len(p)%2 == 1 {
			sum += uint32(p[len(p)-1]) << 8
		}
	}
	add(b[8:40])
	add([]byte{0, 0, byte((len(b) - 40) >> 8), byte(len(b) - 40), 0, 0, 0, 58})
	add(b[40:])
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	if sum != 0xffff {
		return fmt.Errorf("bad ICMPv6 checksum (sum %#x)", sum)
	}
	return nil
}
