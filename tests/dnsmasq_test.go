package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Addresses of the DHCP tests: the router peer that runs dnsmasq, the DNS
// server it names, and an address only reachable through the router.
const (
	routerIP  = "198.51.100.254"
	dnsIP     = "198.51.100.53"
	beyondIP  = "203.0.113.1"
	leaseFrom = "198.51.100.100"
	leaseTo   = "198.51.100.109"
)

// dnsmasq is a DHCP server run for one test in a peer netns, in the
// foreground, with its own lease file; it is stopped on cleanup.
type dnsmasq struct {
	leases    string
	ns, iface string // where it serves
	stop      func() // ends it before cleanup
	logBuf
}

// logBuf collects the log of a helper process.
type logBuf struct {
	mu  sync.Mutex
	log bytes.Buffer
}

// Write collects the log.
func (d *logBuf) Write(b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.Write(b)
}

// Log returns what was logged so far.
func (d *logBuf) Log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// startLogged starts cmd with its output into log and ends it, by its
// pid, on cleanup, showing the log of what when the test failed. It
// returns a func that ends it sooner.
func startLogged(t testing.TB, what string, cmd *exec.Cmd, log *logBuf) (stop func()) {
	t.Helper()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", what, err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", what, log.Log())
		}
	})
	return stop
}

// startDnsmasq runs dnsmasq on iface in netns ns: DHCP only (no DNS),
// router routerIP, DNS server dnsIP, range from-to with a 2-minute
// lease, plus extra options. It waits until dnsmasq says it serves.
func startDnsmasq(t testing.TB, ns, iface, from, to string, extra ...string) *dnsmasq {
	t.Helper()
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Fatalf("dnsmasq not installed (hack/deps.sh installs dnsmasq-base): %v", err)
	}
	d := &dnsmasq{leases: filepath.Join(t.TempDir(), "leases"), ns: ns, iface: iface}
	args := append([]string{"netns", "exec", ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
		"--port=0", "--user=root", "--group=root", "--interface=" + iface, "--bind-interfaces", "--log-dhcp",
		"--log-facility=-", "--pid-file=", "--dhcp-leasefile=" + d.leases, "--dhcp-authoritative",
		"--dhcp-range=" + from + "," + to + ",255.255.255.0,2m",
		"--dhcp-option=option:router," + routerIP, "--dhcp-option=option:dns-server," + dnsIP}, extra...)
	d.stop = startLogged(t, "dnsmasq", exec.Command("ip", args...), &d.logBuf)
	eventually(t, 5*time.Second, "dnsmasq to start", func() bool { return strings.Contains(d.Log(), "DHCP, IP range") })
	return d
}

// leased returns the addresses in dnsmasq's lease file.
func (d *dnsmasq) leased(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(d.leases)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if f := strings.Fields(line); len(f) >= 3 {
			out = append(out, f[2])
		}
	}
	return out
}

// count counts the log lines that hold s.
func (d *logBuf) count(s string) int { return strings.Count(d.Log(), s) }

// eventually polls cond every 100 ms until it holds, failing after wait.
func eventually(t testing.TB, wait time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", wait, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dhcpLAN is the standard LAN plus a router peer at routerIP that serves
// DHCP (dnsmasq) and holds beyondIP, reachable only through it.
func dhcpLAN(t *testing.T, extra ...string) (*lan, *dnsmasq) {
	t.Helper()
	l := newLAN(t)
	r := l.AddPeer(t, routerIP+"/24")
	l.AddAddr(t, r.NS, "lo", beyondIP+"/32")
	return l, startDnsmasq(t, r.NS, r.Iface, leaseFrom, leaseTo, extra...)
}
