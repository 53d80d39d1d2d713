package arpcheck

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mdlayher/arp"
)

// BenchmarkScanGrowth times Scan of a /24 and of a /22 at the default
// bandwidth, side by side, and reports how much longer the /22 takes (the
// target: at most 1.2 × 1,022/254, linear at the rate --bandwidth sets).
// The scans run over an in-memory Conn on real time, with 20 peers
// answering after 1 ms: no /22 lies inside the documentation ranges, so
// none may be scanned on a wire, and no packet leaves the process here.
// `make bench` scans a /25 and a /24 on the sandbox LAN for the wire.
func BenchmarkScanGrowth(b *testing.B) {
	src := netip.MustParseAddr("198.51.100.1")
	scan := func(p string) func() time.Duration {
		return func() time.Duration {
			subnet := netip.MustParsePrefix(p)
			c := newFakeConn()
			c.onSend = func(f *fakeConn, req []byte) {
				q, _ := parseARP(req)
				if q.TargetIP.As4()[2] == 100 && q.TargetIP.As4()[3] >= 200 && q.TargetIP.As4()[3] < 220 {
					f.deliver(time.Millisecond, mustARP(b, arp.OperationReply, peerMAC, q.TargetIP, ourMAC, src), peerMAC)
				}
			}
			start := time.Now()
			used, err := Scan(context.Background(), c, ourMAC, src, ScanConfig{Subnet: subnet})
			took := time.Since(start)
			if err != nil || len(used) != 20 {
				b.Fatalf("scan of %s: %d used, %v; want the 20 peers", p, len(used), err)
			}
			return took
		}
	}
	var small, big []time.Duration
	for i := range 5 {
		pair := []func() time.Duration{scan("198.51.100.0/24"), scan("198.51.100.0/22")}
		if i%2 == 1 {
			big = append(big, pair[1]())
			small = append(small, pair[0]())
			continue
		}
		small = append(small, pair[0]())
		big = append(big, pair[1]())
	}
	s, l := medianDur(small), medianDur(big)
	ratio, bound := float64(l)/float64(s), 1.2*1022/254
	b.ReportMetric(ratio, "x/24")
	fmt.Printf("scan in memory, 2 Mbit/s: /24 %v, /22 %v: %.2f× (target ≤ %.2f×)\n", s.Round(time.Millisecond), l.Round(time.Millisecond), ratio, bound)
	if ratio > bound {
		b.Errorf("a /22 takes %.2f× a /24's time, more than %.2f×", ratio, bound)
	}
}

// medianDur is the median of ds.
func medianDur(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}
