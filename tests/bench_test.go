package tests

import (
	"bufio"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// benchLAN builds a LAN whose host holds .1 on its parent and with peers
// peers at .2, .13, .24, ... (spread over the subnet).
func benchLAN(b *testing.B, peers int) (*sandbox.LAN, []*sandbox.Peer) {
	b.Helper()
	l := sandbox.New(b, sandbox.Options{Parent: sandbox.UniqueName(b, "bn"), HostAddrs: []string{hostIP + "/24"}})
	ps := make([]*sandbox.Peer, peers)
	for i := range ps {
		ps[i] = l.AddPeer(b, l.Addr(2+11*i%253))
	}
	return l, ps
}

// arpScanIPs parses the addresses arp-scan found.
func arpScanIPs(out string) map[string]bool {
	found := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 {
			if _, err := netip.ParseAddr(f[0]); err == nil {
				found[f[0]] = true
			}
		}
	}
	return found
}

// scanOut is scan's JSON result.
type scanOut struct {
	Subnet string `json:"subnet"`
	Used   []struct {
		IP    string `json:"ip"`
		MAC   string `json:"mac"`
		Where string `json:"where"`
	} `json:"used"`
	Free int `json:"free"`
}

// checkScan checks that scan found every peer arp-scan found (on the lan),
// the host's address (as host), and counted the rest free.
func checkScan(b *testing.B, out scanOut, arpScan map[string]bool, peers int) error {
	where := map[string]string{}
	for _, u := range out.Used {
		where[u.IP] = u.Where
	}
	if len(arpScan) != peers {
		return fmt.Errorf("arp-scan found %d of %d peers: %v", len(arpScan), peers, arpScan)
	}
	for ip := range arpScan {
		if where[ip] != "lan" {
			return fmt.Errorf("arp-scan found %s, lanattach scan has it as %q", ip, where[ip])
		}
	}
	if where[hostIP] != "host" || len(out.Used) != peers+1 || out.Free != 254-peers-1 {
		return fmt.Errorf("lanattach scan: %d used (host %s as %q), %d free; want %d used with the host, %d free",
			len(out.Used), hostIP, where[hostIP], out.Free, peers+1, 254-peers-1)
	}
	return nil
}

// scaleSpells is how often the scale rows turn the host busy: a noisy
// spell of the machine, which lasts seconds to a minute, then spoils one
// try of a side, not every try of it.
const scaleSpells = 3

// BenchmarkTable is `make bench`: it prints one table of lanattach's
// operations next to their peers' (medians, side by side on one sandbox
// LAN) and the scale rows (an idle host against one with 2,000 more
// processes and 200 attached containers, timed once the burst of
// attaches has settled). The host turns busy and idle again scaleSpells
// times; the idle host is timed before the first spell and after each,
// the busy one in each, and per side the fastest median counts. Run it
// once (-benchtime 1x).
func BenchmarkTable(b *testing.B) {
	l, ps := benchLAN(b, 20)
	var t table
	t.notes = append(t.notes, machine(), recordRootNote())
	s := newBenchSetup(b, l)
	ours, theirs := sideBySide(s.attachDetach, s.cni)
	t.pair("attach+detach (--probe off, IPv4 + gateway)", "CNI macvlan ADD+DEL", ours, theirs, "≤ 0.50×")
	ours, theirs = sideBySide(s.attachDetach, s.iproute2)
	t.pair("attach+detach (--probe off, IPv4 + gateway)", "iproute2, 7 commands", ours, theirs, "")
	ours, theirs = sideBySide(s.probe(ps[0]), s.arping(ps[0]))
	t.pair("probe (fast) of a free address", "arping -D -0 -c 3", ours, theirs, "")
	ours, theirs = sideBySide(s.scan(len(ps)), s.arpScan(len(ps)))
	t.pair("scan of a /24, 20 peers", "arp-scan", ours, theirs, "")
	t.notes = append(t.notes, s.scanGrowth())
	idle := []map[string]time.Duration{s.operations()}
	t.notes = append(t.notes, "peak RSS of attach, idle host: "+s.attachRSS())
	var busy []map[string]time.Duration
	for spell := range scaleSpells {
		stop := startSleepers(b, 2000)
		s.containers(200)
		busy = append(busy, s.settledOperations())
		if spell == 0 {
			t.notes = append(t.notes, "peak RSS of attach, 2,000 procs + 200 containers: "+s.attachRSS()+" (target ≤ 16 MiB)")
			s.containers(300)
			ours, theirs = sideBySide(s.list, s.ipAllNetns)
			t.pair("list, 500 attached named netns", "ip -all netns exec ip -o link show", ours, theirs, "≤ 0.25×")
		}
		s.removeContainers()
		stop()
		idle = append(idle, s.settledOperations())
	}
	idleOps, busyOps := fastest(idle...), fastest(busy...)
	for _, op := range []string{"attach", "detach", "list", "gc"} {
		t.scaleRow(op, idleOps[op], busyOps[op], "≤ 1.30×")
	}
	t.scaleRow("(version: a process start)", idleOps["version"], busyOps["version"], "")
	t.notes = append(t.notes, fmt.Sprintf("the host went from idle to busy and back %d times: idle timed before and after each busy spell, busy once a spell, each after 10 s to settle; per side and operation the fastest median counts", scaleSpells))
	t.print()
}

// BenchmarkAttachDualStack times a whole `lanattach attach` of one free
// IPv4 address and of one free IPv4 plus one free IPv6 address (default
// fast probe) side by side, alternating which goes first, and reports the
// ratio (target: dual-stack at most 1.3 times IPv4-only). Each attachment
// is detached, untimed, before the next run, so that every run sees the
// same LAN.
func BenchmarkAttachDualStack(b *testing.B) {
	l := sandbox.New(b, sandbox.Options{Parent: sandbox.UniqueName(b, "bn"), Subnet6: netip.MustParsePrefix("2001:db8:1::/64"),
		HostAddrs: []string{hostIP + "/24", hostIP6 + "/64"}})
	l.AddPeer(b, l.Addr(2), l.Addr6(2))
	tg := l.NewTarget(b)
	attach := func(ips ...string) time.Duration {
		args := []string{"attach", "--netns", tg, "--parent", l.Parent}
		for _, ip := range ips {
			args = append(args, "--ip", ip)
		}
		took := timed(func() {
			if r := l.Lanattach(b, args...); r.Code != 0 {
				b.Fatalf("attach %v failed:\n%s", ips, r)
			}
		})
		b.StopTimer()
		if r := l.Lanattach(b, "detach", "--netns", tg); r.Code != 0 {
			b.Fatalf("detach failed:\n%s", r)
		}
		b.StartTimer()
		return took
	}
	var tV4, tDual time.Duration
	n := 0
	for b.Loop() {
		v4 := func() { tV4 += attach(l.Addr(100)) }
		dual := func() { tDual += attach(l.Addr(101), l.Addr6(101)) }
		if n%2 == 0 {
			v4()
			dual()
		} else {
			dual()
			v4()
		}
		n++
	}
	reportPair(b, n, "ipv4", "dualstack", tV4, tDual)
}
