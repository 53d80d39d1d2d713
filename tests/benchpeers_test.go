package tests

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// cniMacvlan is Debian's CNI macvlan plugin (containernetworking-plugins).
const cniMacvlan = "/usr/lib/cni/macvlan"

// benchSetup is what the rows of BenchmarkTable run: the built binary,
// the sandbox LAN, one target for the attach+detach rows and the
// containers of the scale rows.
type benchSetup struct {
	b         *testing.B
	l         *sandbox.LAN
	bin, host string // the binary, the sandbox host's netns path
	tg        string // target netns name
	ctrs      []string
}

// newBenchSetup prepares the rows on l.
func newBenchSetup(b *testing.B, l *sandbox.LAN) *benchSetup {
	return &benchSetup{b: b, l: l, bin: sandbox.Bin(b), host: "/run/netns/" + l.Host, tg: l.NewTarget(b)}
}

// run runs the binary with args in the sandbox host and wants exit 0.
func (s *benchSetup) run(args ...string) time.Duration {
	return mustRun(s.b, s.host, 0, nil, "", append([]string{s.bin}, args...)...)
}

// attachArgs attach the target with a static address and gateway, no probe.
func (s *benchSetup) attachArgs() []string {
	return []string{"attach", "--netns", s.tg, "--parent", s.l.Parent, "--ip", s.l.Addr(50), "--gateway", hostIP, "--probe", "off"}
}

// attachDetach is one attach and one detach of the target.
func (s *benchSetup) attachDetach() time.Duration {
	return s.run(s.attachArgs()...) + s.run("detach", "--netns", s.tg)
}

// cni is the CNI macvlan plugin's ADD and DEL of the same address and
// gateway (static IPAM) into the target, driven like a runtime drives it.
func (s *benchSetup) cni() time.Duration {
	conf := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"bench","type":"macvlan","master":%q,"mode":"bridge",`+
		`"ipam":{"type":"static","addresses":[{"address":%q,"gateway":%q}],"routes":[{"dst":"0.0.0.0/0"}]}}`,
		s.l.Parent, s.l.Addr(50), hostIP)
	env := func(cmd string) []string {
		return []string{"CNI_COMMAND=" + cmd, "CNI_CONTAINERID=bench", "CNI_NETNS=/run/netns/" + s.tg,
			"CNI_IFNAME=eth1", "CNI_PATH=/usr/lib/cni"}
	}
	return mustRun(s.b, s.host, 0, env("ADD"), conf, cniMacvlan) + mustRun(s.b, s.host, 0, env("DEL"), conf, cniMacvlan)
}

// iproute2 is the same attach and detach by hand: 7 ip(8) commands.
func (s *benchSetup) iproute2() time.Duration {
	t, p := s.tg, s.l.Parent
	script := strings.Join([]string{"set -e",
		"ip link add lab0 link " + p + " type macvlan mode bridge",
		"ip link set lab0 netns " + t,
		"ip -n " + t + " link set lab0 name eth1",
		"ip -n " + t + " addr add " + s.l.Addr(50) + " dev eth1",
		"ip -n " + t + " link set eth1 up",
		"ip -n " + t + " route add default via " + hostIP,
		"ip -n " + t + " link del eth1"}, "\n")
	return mustRun(s.b, s.host, 0, nil, script, "sh")
}

// probe and arping check a free address (exit 0 free, arping 1: no
// answer) after checking that both find the peer's address held.
func (s *benchSetup) probe(p *sandbox.Peer) func() time.Duration {
	held := strings.Split(p.Addrs[0], "/")[0]
	mustRun(s.b, s.host, 3, nil, "", s.bin, "probe", "--parent", s.l.Parent, "--ip", held)
	return func() time.Duration { return s.run("probe", "--parent", s.l.Parent, "--ip", s.l.IP(201)) }
}

func (s *benchSetup) arping(p *sandbox.Peer) func() time.Duration {
	held := strings.Split(p.Addrs[0], "/")[0]
	mustRun(s.b, s.host, 0, nil, "", "arping", "-q", "-D", "-0", "-c", "3", "-i", s.l.Parent, held)
	return func() time.Duration {
		return mustRun(s.b, s.host, 1, nil, "", "arping", "-q", "-D", "-0", "-c", "3", "-i", s.l.Parent, s.l.IP(201))
	}
}

// scan and arpScan scan the /24, each run checked (scan finds every peer
// arp-scan finds, and the host).
func (s *benchSetup) scan(peers int) func() time.Duration {
	return func() time.Duration {
		out, code, d := runIn(s.b, s.host, nil, "", s.bin, "-o", "json", "scan", "--parent", s.l.Parent, "--subnet", s.l.Subnet.String())
		var so scanOut
		sandbox.Result{Stdout: out, Code: code}.JSON(s.b, &so)
		text, _, _ := runIn(s.b, s.host, nil, "", "arp-scan", "-q", "-I", s.l.Parent, s.l.Subnet.String())
		if err := checkScan(s.b, so, arpScanIPs(text), peers); err != nil {
			s.b.Fatal(err)
		}
		return d
	}
}

// scanGrowth times scans of a /25 and of the whole /24 side by side and
// says how the time grows with the addresses on the wire: the target
// compares a /22 with a /24, but no /22 lies inside the documentation
// ranges (arpcheck's BenchmarkScanGrowth compares them in memory).
func (s *benchSetup) scanGrowth() string {
	scan := func(bits int) func() time.Duration {
		p := netip.PrefixFrom(s.l.Subnet.Addr(), bits)
		return func() time.Duration { return s.run("scan", "--parent", s.l.Parent, "--subnet", p.String()) }
	}
	half, full := sideBySide(scan(25), scan(24))
	return fmt.Sprintf("scan of a /25 (126 addresses) %s, of the /24 (254) %s: %.2f× the time for 2.02× the addresses"+
		" (linear or better; no /22 lies in the documentation ranges: arpcheck's BenchmarkScanGrowth, after this table, scans one in memory)",
		ms(half), ms(full), float64(full)/float64(half))
}

func (s *benchSetup) arpScan(int) func() time.Duration {
	return func() time.Duration {
		return mustRun(s.b, s.host, 0, nil, "", "arp-scan", "-q", "-I", s.l.Parent, s.l.Subnet.String())
	}
}

// operations times attach, detach, list and gc on the host as it is, and
// `lanattach version` (a process start, for what the host itself adds).
func (s *benchSetup) operations() map[string]time.Duration {
	var at, de []time.Duration
	for range benchRuns {
		at = append(at, s.run(s.attachArgs()...))
		de = append(de, s.run("detach", "--netns", s.tg))
	}
	return map[string]time.Duration{"attach": median(at), "detach": median(de),
		"list": medianOf(s.list), "gc": medianOf(func() time.Duration { return s.run("gc") }),
		"version": medianOf(func() time.Duration { return s.run("version") })}
}

// list is one `lanattach list`.
func (s *benchSetup) list() time.Duration { return s.run("list") }

// ipAllNetns is the same look into every named netns with ip(8).
func (s *benchSetup) ipAllNetns() time.Duration {
	out, _, d := runIn(s.b, s.host, nil, "", "ip", "-all", "netns", "exec", "ip", "-o", "link", "show")
	if n := strings.Count(out, "netns: "); n < len(s.ctrs) {
		s.b.Fatalf("ip -all netns exec went into %d netns, want at least %d:\n%s", n, len(s.ctrs), out)
	}
	return d
}

// attachRSS is the peak RSS of one attach (GNU time's %M), detached again.
func (s *benchSetup) attachRSS() string {
	out, code, _ := runIn(s.b, s.host, nil, "", append([]string{"/usr/bin/time", "-f", "rss=%M", s.bin}, s.attachArgs()...)...)
	s.run("detach", "--netns", s.tg)
	i := strings.LastIndex(out, "rss=")
	if code != 0 || i < 0 {
		s.b.Fatalf("attach under /usr/bin/time: exit %d\n%s", code, out)
	}
	kib, _ := strconv.Atoi(strings.TrimSpace(out[i+4:]))
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

// containers adds n named netns, each with a slave lanattach attached
// (no probe, no announcement) with an address of 203.0.113.0/24 and on.
func (s *benchSetup) containers(n int) {
	for range n {
		tg := s.l.NewTarget(s.b)
		i := len(s.ctrs)
		ip := fmt.Sprintf("203.0.113.%d/24", 2+i%250)
		if i >= 250 {
			ip = fmt.Sprintf("2001:db8:2::%x/64", i)
		}
		s.run("attach", "--netns", tg, "--parent", s.l.Parent, "--ip", ip, "--probe", "off", "--no-announce")
		s.ctrs = append(s.ctrs, tg)
	}
}

// removeContainers detaches every container and deletes its netns: the
// host is idle again.
func (s *benchSetup) removeContainers() {
	for _, tg := range s.ctrs {
		s.run("detach", "--netns", tg)
		if out, err := exec.Command("ip", "netns", "del", tg).CombinedOutput(); err != nil {
			s.b.Fatalf("ip netns del %s: %v: %s", tg, err, out)
		}
	}
	s.ctrs = nil
}

// settledOperations is operations once the kernel has had time to settle
// after a burst of changes: to free the namespaces just deleted (it does
// so in the background), or to stop the new slaves' first router
// solicitations and reports (each of which every slave on the parent
// receives).
func (s *benchSetup) settledOperations() map[string]time.Duration {
	time.Sleep(10 * time.Second)
	return s.operations()
}

// fastest is, per operation, the fastest of several timings of one host
// state: a burst of noise on the machine, which lasts seconds, then spoils
// one try of a side and not the row.
func fastest(tries ...map[string]time.Duration) map[string]time.Duration {
	out := map[string]time.Duration{}
	for op, d := range tries[0] {
		for _, t := range tries[1:] {
			d = min(d, t[op])
		}
		out[op] = d
	}
	return out
}

// machine describes the machine the table ran on.
func machine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	rel := "?"
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		rel = strings.TrimSpace(string(data))
	}
	return fmt.Sprintf("machine: %d cores, %s, Linux %s", runtime.NumCPU(), model, rel)
}
