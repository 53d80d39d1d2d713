package arpcheck

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/arp"
)

var (
	ourMAC   = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}
	peerMAC  = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	otherMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x03}
	zeroMAC  = make(net.HardwareAddr, 6)
	ipA      = netip.MustParseAddr("203.0.113.10")
	ipB      = netip.MustParseAddr("203.0.113.11")
	ipOther  = netip.MustParseAddr("203.0.113.99")
	zeroIP   = netip.IPv4Unspecified()
)

// arrivalSpec is a packet a test LAN delivers d after the probe starts.
type arrivalSpec struct {
	d    time.Duration
	pkt  func(t testing.TB) []byte
	from net.HardwareAddr
}

// replyFrom is hw's ARP reply saying it holds ip.
func replyFrom(hw net.HardwareAddr, ip netip.Addr) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return mustARP(t, arp.OperationReply, hw, ip, ourMAC, zeroIP) }
}

// requestFrom is hw's ARP request from sender for target.
func requestFrom(hw net.HardwareAddr, sender, target netip.Addr) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return mustARP(t, arp.OperationRequest, hw, sender, zeroMAC, target) }
}

func TestProbe(t *testing.T) {
	const window = 400 * time.Millisecond // early returns must beat window/2, even on a slow machine
	tests := []struct {
		name     string
		ips      []netip.Addr
		arrive   []arrivalSpec
		answer   bool // the peer answers every probe for ipA at once
		loopback bool // our own probes come back to us
		want     map[netip.Addr]net.HardwareAddr
		maxTime  time.Duration
	}{
		{name: "free", ips: []netip.Addr{ipA, ipB}, want: nil},
		{name: "peer answers", ips: []netip.Addr{ipA, ipB}, answer: true, want: map[netip.Addr]net.HardwareAddr{ipA: peerMAC}},
		{name: "late answer inside window", ips: []netip.Addr{ipA},
			arrive: []arrivalSpec{{d: 170 * time.Millisecond, pkt: replyFrom(peerMAC, ipA), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ipA: peerMAC}},
		{name: "answer after window ignored", ips: []netip.Addr{ipA},
			arrive: []arrivalSpec{{d: 2 * window, pkt: replyFrom(peerMAC, ipA), from: peerMAC}}},
		{name: "another host probing", ips: []netip.Addr{ipA, ipB},
			arrive: []arrivalSpec{{d: 30 * time.Millisecond, pkt: requestFrom(otherMAC, zeroIP, ipB), from: otherMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ipB: otherMAC}},
		{name: "gratuitous ARP from holder", ips: []netip.Addr{ipA},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: requestFrom(peerMAC, ipA, ipA), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ipA: peerMAC}},
		{name: "own MAC ignored", ips: []netip.Addr{ipA}, loopback: true,
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: replyFrom(ourMAC, ipA), from: ourMAC}}},
		{name: "request for candidate from a host is no clash", ips: []netip.Addr{ipA},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: requestFrom(otherMAC, ipOther, ipA), from: otherMAC}}},
		{name: "reply for another address ignored", ips: []netip.Addr{ipA},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: replyFrom(peerMAC, ipOther), from: peerMAC}}},
		{name: "every candidate clashed ends early", ips: []netip.Addr{ipA}, answer: true,
			want: map[netip.Addr]net.HardwareAddr{ipA: peerMAC}, maxTime: window / 2},
		{name: "garbage ignored", ips: []netip.Addr{ipA},
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: func(testing.TB) []byte { return []byte{1, 2, 3} }, from: peerMAC}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newFakeConn()
			c.onSend = func(f *fakeConn, b []byte) {
				p, _ := parseARP(b)
				if tt.loopback {
					f.deliver(0, b, ourMAC)
				}
				if tt.answer && p.TargetIP == ipA {
					f.deliver(time.Millisecond, replyFrom(peerMAC, ipA)(t), peerMAC)
				}
			}
			for _, a := range tt.arrive {
				c.deliver(a.d, a.pkt(t), a.from)
			}
			start := time.Now()
			got, err := Probe(context.Background(), c, ourMAC, tt.ips, ProbeConfig{Mode: ModeFast, Window: window})
			checkRun(t, time.Since(start), window, tt.maxTime, err, len(tt.want) == len(tt.ips))
			checkConflicts(t, got, tt.want, WhereLAN)
		})
	}
}

// checkRun checks that a probe in a window returned no error, took at most
// maxTime (0: twice the window, a margin for a slow machine) and listened
// the whole window unless every candidate clashed.
func checkRun(t *testing.T, took, window, maxTime time.Duration, err error, allClashed bool) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if maxTime = cmp.Or(maxTime, 2*window); took > maxTime {
		t.Errorf("took %v, want at most %v", took, maxTime)
	}
	if !allClashed && took < window-5*time.Millisecond {
		t.Errorf("took %v: stopped listening before the %v window closed", took, window)
	}
}

// checkConflicts compares conflicts with the wanted address -> MAC map,
// all found at where.
func checkConflicts(t *testing.T, got []Conflict, want map[netip.Addr]net.HardwareAddr, where Where) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("conflicts %v, want %v", got, want)
	}
	for _, c := range got {
		if w, ok := want[c.IP]; !ok || c.MAC.String() != w.String() || c.Where != where {
			t.Errorf("conflict %v, want %v at %s", c, want, where)
		}
	}
}

func TestProbeSendsRFC5227Probes(t *testing.T) {
	c := newFakeConn()
	v6 := netip.MustParseAddr("2001:db8::1")
	if _, err := Probe(context.Background(), c, ourMAC, []netip.Addr{ipA, ipB, ipA, v6}, ProbeConfig{Mode: ModeFast, Window: 40 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	pkts := c.sentPackets(t)
	if len(pkts) != 2*probeNum {
		t.Fatalf("sent %d packets, want %d (3 per distinct IPv4)", len(pkts), 2*probeNum)
	}
	for _, p := range pkts {
		if p.Operation != arp.OperationRequest || p.SenderIP != zeroIP || p.SenderHardwareAddr.String() != ourMAC.String() ||
			p.TargetHardwareAddr.String() != zeroMAC.String() || (p.TargetIP != ipA && p.TargetIP != ipB) {
			t.Errorf("not an RFC 5227 probe: %+v", p)
		}
	}
}

func TestProbeOff(t *testing.T) {
	c := newFakeConn()
	got, err := Probe(context.Background(), c, ourMAC, []netip.Addr{ipA}, ProbeConfig{Mode: ModeOff})
	if err != nil || got != nil || len(c.sent) != 0 {
		t.Fatalf("mode off: conflicts %v, err %v, sent %d packets; want nothing", got, err, len(c.sent))
	}
}

func TestProbeContextCancel(t *testing.T) {
	c := newFakeConn()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := Probe(ctx, c, ourMAC, []netip.Addr{ipA}, ProbeConfig{Mode: ModeRFC})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 2*time.Second { // an RFC-timed run takes 3s at least
		t.Fatalf("took %v to notice the cancel", took)
	}
}

func TestSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		cfg    ProbeConfig
		rnd    func(time.Duration) time.Duration
		at     [probeNum]time.Duration
		linger time.Duration
	}{
		{"fast default", ProbeConfig{Mode: ModeFast}, nil, [probeNum]time.Duration{0, 50 * ms, 100 * ms}, 100 * ms},
		{"fast 1s", ProbeConfig{Mode: ModeFast, Window: time.Second}, nil, [probeNum]time.Duration{0, 250 * ms, 500 * ms}, 500 * ms},
		{"rfc shortest", ProbeConfig{Mode: ModeRFC}, func(time.Duration) time.Duration { return 0 },
			[probeNum]time.Duration{0, time.Second, 2 * time.Second}, 2 * time.Second},
		{"rfc longest", ProbeConfig{Mode: ModeRFC}, func(d time.Duration) time.Duration { return d },
			[probeNum]time.Duration{time.Second, 3 * time.Second, 5 * time.Second}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, linger := schedule(tt.cfg, tt.rnd)
			if at != tt.at || linger != tt.linger {
				t.Fatalf("schedule = %v, %v; want %v, %v", at, linger, tt.at, tt.linger)
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"fast", "rfc", "off"} {
		if m, err := ParseMode(s); err != nil || string(m) != s {
			t.Errorf("ParseMode(%q) = %q, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "FAST", "slow"} {
		if _, err := ParseMode(s); err == nil {
			t.Errorf("ParseMode(%q) accepted", s)
		}
	}
}

func TestAnnounce(t *testing.T) {
	c := newFakeConn()
	start := time.Now()
	err := Announce(context.Background(), c, ourMAC, []netip.Addr{ipA, netip.MustParseAddr("2001:db8::1")}, ProbeConfig{Mode: ModeFast})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < DefaultWindow/10 {
		t.Errorf("took %v: announcements not spaced by %v", took, DefaultWindow/10)
	}
	pkts := c.sentPackets(t)
	if len(pkts) != announceNum {
		t.Fatalf("sent %d announcements, want %d", len(pkts), announceNum)
	}
	for _, p := range pkts {
		if p.Operation != arp.OperationRequest || p.SenderIP != ipA || p.TargetIP != ipA || p.TargetHardwareAddr.String() != zeroMAC.String() {
			t.Errorf("not an RFC 5227 announcement: %+v", p)
		}
	}
}

// TestAnnounceOffNoWait checks that with probing off both announcements
// go out back to back: --probe off never waits.
func TestAnnounceOffNoWait(t *testing.T) {
	c := newFakeConn()
	start := time.Now()
	if err := Announce(context.Background(), c, ourMAC, []netip.Addr{ipA}, ProbeConfig{Mode: ModeOff}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took >= DefaultWindow/10 {
		t.Errorf("took %v: --probe off waited between announcements", took)
	}
	if pkts := c.sentPackets(t); len(pkts) != announceNum {
		t.Fatalf("sent %d announcements, want %d", len(pkts), announceNum)
	}
}

func FuzzHandle(f *testing.F) {
	f.Add(mustARP(f, arp.OperationReply, peerMAC, ipA, ourMAC, zeroIP))
	f.Add(mustARP(f, arp.OperationRequest, otherMAC, zeroIP, zeroMAC, ipA))
	f.Add(mustARP(f, arp.OperationRequest, ourMAC, zeroIP, zeroMAC, ipA))
	f.Add([]byte{0, 1, 8, 0, 6, 4, 0, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		w := newWatch(ourMAC, []netip.Addr{ipA, ipB})
		w.handle(b, nil)
		for _, c := range w.conflicts() {
			if (c.IP != ipA && c.IP != ipB) || c.MAC.String() == ourMAC.String() || len(c.MAC) != 6 || c.Where != WhereLAN {
				t.Fatalf("bogus conflict %v from %x", c, b)
			}
		}
	})
}

// TestPeerProbesIgnored checks that a probe from a peer (a concurrent
// run's slave) is no clash but its answer is, and that a probe from
// anyone else still is.
func TestPeerProbesIgnored(t *testing.T) {
	w := newWatch(ourMAC, []netip.Addr{ipA, ipB})
	w.peers = []net.HardwareAddr{peerMAC}
	w.handle(mustARP(t, arp.OperationRequest, peerMAC, zeroIP, zeroMAC, ipA), nil)
	if cs := w.conflicts(); len(cs) != 0 {
		t.Fatalf("a peer's probe clashed: %v", cs)
	}
	w.handle(mustARP(t, arp.OperationRequest, otherMAC, zeroIP, zeroMAC, ipB), nil)
	w.handle(mustARP(t, arp.OperationReply, peerMAC, ipA, ourMAC, zeroIP), nil)
	cs := w.conflicts()
	if len(cs) != 2 || cs[0].IP != ipA || cs[1].IP != ipB {
		t.Fatalf("conflicts %v, want ipA (the peer's answer) and ipB (a stranger's probe)", cs)
	}
}

func TestInterfaceByName(t *testing.T) {
	for _, c := range []struct {
		name    string
		missing bool
	}{
		{"lo", false},
		{"nosuch-la0", true},
		{"much-too-long-an-interface-name", true},
		{"", true},
	} {
		ifi, err := interfaceByName(c.name)
		if got := errors.Is(err, ErrNoInterface); got != c.missing || (err == nil) != (ifi != nil) {
			t.Errorf("interfaceByName(%q) = %v, %v; want missing %v", c.name, ifi, err, c.missing)
		}
	}
}
