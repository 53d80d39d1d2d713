package tests

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
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

// runCode runs argv inside netns ns and returns its output and exit code;
// it stops the benchmark if argv could not run at all.
func runCode(b *testing.B, ns string, argv ...string) (string, int) {
	b.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.Exited():
		return string(out), exit.ExitCode()
	case err != nil:
		b.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out), 0
}

// timed returns how long fn took.
func timed(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// reportPair reports two tools' mean wall time per run and their ratio.
func reportPair(b *testing.B, n int, ours, theirs string, tOurs, tTheirs time.Duration) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	b.ReportMetric(ms(tOurs), ours+"-ms/run")
	b.ReportMetric(ms(tTheirs), theirs+"-ms/run")
	b.ReportMetric(float64(tTheirs)/float64(tOurs), theirs+"/"+ours)
}

// BenchmarkProbeVsArping times `lanattach probe` (default fast mode, 3
// probes in 200 ms) against `arping -D -0 -c 3` (3 probes from 0.0.0.0 at
// arping's 1 s interval) on a free address, after checking that both find
// a peer's address held and the free one free.
func BenchmarkProbeVsArping(b *testing.B) {
	l, ps := benchLAN(b, 1)
	free, held := l.IP(200), ps[0].Addrs[0][:strings.IndexByte(ps[0].Addrs[0], '/')]
	lanattach := func(ip string) int {
		return l.Lanattach(b, "probe", "--parent", l.Parent, "--ip", ip).Code
	}
	arping := func(ip string) int {
		_, code := runCode(b, l.Host, "arping", "-q", "-D", "-0", "-c", "3", "-i", l.Parent, ip)
		return code
	}
	if got := [4]int{lanattach(held), arping(held), lanattach(free), arping(free)}; got != [4]int{3, 0, 0, 1} {
		b.Fatalf("exit codes (lanattach held, arping held, lanattach free, arping free) = %v, want [3 0 0 1]", got)
	}
	var tOurs, tTheirs time.Duration
	n := 0
	for b.Loop() {
		tOurs += timed(func() {
			if code := lanattach(free); code != 0 {
				b.Fatalf("lanattach probe of free %s: exit %d", free, code)
			}
		})
		tTheirs += timed(func() {
			if code := arping(free); code != 1 {
				b.Fatalf("arping -D of free %s: exit %d, want 1 (no answer)", free, code)
			}
		})
		n++
	}
	reportPair(b, n, "lanattach", "arping", tOurs, tTheirs)
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

// BenchmarkScanVsArpScan times `lanattach scan` (defaults) against
// `arp-scan` (defaults) on a /24 with 20 peers, checking every run that
// lanattach finds every peer arp-scan finds plus the host's own address.
func BenchmarkScanVsArpScan(b *testing.B) {
	const peers = 20
	l, _ := benchLAN(b, peers)
	subnet := l.Subnet.String()
	var tOurs, tTheirs time.Duration
	n := 0
	for b.Loop() {
		var out scanOut
		tOurs += timed(func() {
			r := l.Lanattach(b, "-o", "json", "scan", "--parent", l.Parent, "--subnet", subnet)
			if r.Code != 0 {
				b.Fatalf("scan failed:\n%s", r)
			}
			r.JSON(b, &out)
		})
		var text string
		tTheirs += timed(func() {
			var code int
			if text, code = runCode(b, l.Host, "arp-scan", "-q", "-I", l.Parent, subnet); code != 0 {
				b.Fatalf("arp-scan: exit %d\n%s", code, text)
			}
		})
		if err := checkScan(b, out, arpScanIPs(text), peers); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportPair(b, n, "lanattach", "arp-scan", tOurs, tTheirs)
}

// BenchmarkAttachProbe times a whole `lanattach attach` of one free IPv4
// address with the default probe (target: at most 300 ms wall).
func BenchmarkAttachProbe(b *testing.B) {
	l, _ := benchLAN(b, 1)
	var total time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		tg := l.NewTarget(b)
		b.StartTimer()
		total += timed(func() {
			r := l.Lanattach(b, "attach", "--netns", tg, "--parent", l.Parent, "--ip", l.Addr(100+n%100))
			if r.Code != 0 {
				b.Fatalf("attach failed:\n%s", r)
			}
		})
		n++
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(n), "attach-ms/run")
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
