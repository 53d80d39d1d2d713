package tests

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// BenchmarkCNIAddDel times ADD+DEL through libcni of the lanattach plugin
// (probe off) against the stock macvlan plugin on the same configuration
// (parent, bridge mode, static IPAM, spec 1.0.0), side by side; the
// ratio macvlan/lanattach is at least 1 when lanattach is as fast. The
// plugin runs with the binary `make build` makes (LANATTACH_BIN).
func BenchmarkCNIAddDel(b *testing.B) {
	l := &lan{LAN: sandbox.New(b, sandbox.Options{Parent: sandbox.UniqueName(b, "bn"), HostAddrs: []string{hostIP + "/24"}})}
	ipam := map[string]any{"type": "static", "addresses": []map[string]any{{"address": slaveV4}}}
	ours := newCNINet(b, l, "1.0.0", map[string]any{"probe": "off", "ipam": ipam})
	theirs := newCNINet(b, l, "1.0.0", map[string]any{"type": "macvlan", "mode": "bridge", "ipam": ipam})
	theirs.wrap(b, "macvlan", filepath.Join(stockCNIDir, "macvlan"))
	var ours2, theirs2 [2]time.Duration // ADD, DEL
	n := 0
	for b.Loop() { // alternating which goes first
		if n%2 == 0 {
			addDel(b, ours, n, &ours2)
			addDel(b, theirs, n, &theirs2)
		} else {
			addDel(b, theirs, n, &theirs2)
			addDel(b, ours, n, &ours2)
		}
		n++
	}
	reportPair(b, n, "lanattach", "macvlan", ours2[0]+ours2[1], theirs2[0]+theirs2[1])
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	b.ReportMetric(ms(ours2[0]), "lanattach-add-ms")
	b.ReportMetric(ms(theirs2[0]), "macvlan-add-ms")
	b.ReportMetric(ms(ours2[1]), "lanattach-del-ms")
	b.ReportMetric(ms(theirs2[1]), "macvlan-del-ms")
}

// addDel makes a fresh target (untimed) and adds to took how long ADD
// and DEL of container n took through network net.
func addDel(b *testing.B, net *cniNet, n int, took *[2]time.Duration) {
	b.StopTimer()
	tg := net.l.NewTarget(b)
	c, list := net.cfg(b), net.list(b)
	r := rt("bench"+strconv.Itoa(n), target{ns: tg})
	ctx := context.Background()
	b.StartTimer()
	took[0] += timed(func() { net.add(b, c, r) })
	took[1] += timed(func() {
		if err := c.DelNetworkList(ctx, list, r); err != nil {
			b.Fatalf("DEL through %s: %v", net.plugin["type"], err)
		}
	})
}
