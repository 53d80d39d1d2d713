package arpcheck

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/arp"
)

func TestScan(t *testing.T) {
	subnet := netip.MustParsePrefix("203.0.113.0/24")
	holders := map[netip.Addr]net.HardwareAddr{ipA: peerMAC, ipB: otherMAC}
	src := netip.MustParseAddr("203.0.113.1")
	c := newFakeConn()
	asked := map[netip.Addr]int{}
	c.onSend = func(f *fakeConn, b []byte) {
		p, _ := parseARP(b)
		asked[p.TargetIP]++
		if p.SenderIP != src || p.SenderHardwareAddr.String() != ourMAC.String() {
			t.Errorf("request from %s %s, want %s %s", p.SenderHardwareAddr, p.SenderIP, ourMAC, src)
		}
		if hw, ok := holders[p.TargetIP]; ok {
			f.deliver(time.Millisecond, mustARP(t, arp.OperationReply, hw, p.TargetIP, ourMAC, src), hw)
		}
	}
	// Another host's probe and our own looped-back packets are not "used".
	c.deliver(5*time.Millisecond, mustARP(t, arp.OperationRequest, otherMAC, zeroIP, zeroMAC, ipOther), otherMAC)
	c.deliver(5*time.Millisecond, mustARP(t, arp.OperationReply, ourMAC, ipOther, peerMAC, ipA), ourMAC)
	var last ScanProgress
	const bw = 1_000_000 // 512µs per request
	start := time.Now()
	used, err := Scan(context.Background(), c, ourMAC, src, ScanConfig{Subnet: subnet, Bandwidth: bw, Wait: 50 * time.Millisecond,
		Progress: func(p ScanProgress) { last = p }})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) != 2 || used[0].IP != ipA || used[0].MAC.String() != peerMAC.String() || used[1].IP != ipB || used[1].Where != WhereLAN {
		t.Fatalf("used %v, want %s and %s on the lan", used, ipA, ipB)
	}
	if asked[ipA] != 1 || asked[ipOther] != DefaultTries || asked[netip.MustParseAddr("203.0.113.0")] != 0 || asked[netip.MustParseAddr("203.0.113.255")] != 0 {
		t.Errorf("asked %s %d times, silent %s %d times, network/broadcast %d/%d; want 1, %d, 0, 0", ipA, asked[ipA], ipOther, asked[ipOther],
			asked[netip.MustParseAddr("203.0.113.0")], asked[netip.MustParseAddr("203.0.113.255")], DefaultTries)
	}
	minTime := time.Duration(len(c.sent)-1) * frameBits * time.Second / bw
	if took < minTime {
		t.Errorf("sent %d requests in %v: faster than %d bits/s allows (%v)", len(c.sent), took, bw, minTime)
	}
	if last.Try != DefaultTries || last.Sent != 254 || last.Targets != 254 || last.Found != 2 {
		t.Errorf("last progress %+v, want the last pass complete with 2 found", last)
	}
}

func TestScanRefusesBadSubnets(t *testing.T) {
	for _, s := range []string{"10.0.0.0/8", "2001:db8::/64"} {
		_, err := Scan(context.Background(), newFakeConn(), ourMAC, zeroIP, ScanConfig{Subnet: netip.MustParsePrefix(s)})
		if err == nil {
			t.Errorf("Scan(%s) accepted", s)
		}
	}
}

func TestScanDefaultIsFast(t *testing.T) {
	c := newFakeConn()
	start := time.Now()
	if _, err := Scan(context.Background(), c, ourMAC, zeroIP, ScanConfig{Subnet: netip.MustParsePrefix("203.0.113.0/24")}); err != nil {
		t.Fatal(err)
	}
	// The default rate and wait make a silent /24 take about 0.3s; 3s
	// tells "fast by default" from a slow default on any machine.
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a silent /24 took %v with the defaults, want well under 3s", took)
	}
}
