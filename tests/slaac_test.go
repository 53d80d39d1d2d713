package tests

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// slaacPrefix is the prefix radvd advertises.
const slaacPrefix = "2001:db8:5::"

// startRadvd runs radvd in netns ns on iface, advertising slaacPrefix/64
// every few seconds, and stops it on cleanup.
func startRadvd(t *testing.T, ns, iface string) {
	t.Helper()
	if _, err := exec.LookPath("radvd"); err != nil {
		t.Fatalf("radvd not installed (hack/deps.sh installs it): %v", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "radvd.conf")
	err := os.WriteFile(conf, []byte("interface "+iface+" {\n AdvSendAdvert on;\n MinRtrAdvInterval 3;\n"+
		" MaxRtrAdvInterval 4;\n prefix "+slaacPrefix+"/64 {\n  AdvOnLink on;\n  AdvAutonomous on;\n };\n};\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	sandbox.MustExec(t, ns, "sysctl", "-w", "net.ipv6.conf.all.forwarding=1")
	cmd := exec.Command("ip", "netns", "exec", ns, "radvd", "--nodaemon", "--config", conf,
		"--pidfile", filepath.Join(dir, "radvd.pid"), "--logmethod", "stderr")
	startLogged(t, "radvd", cmd, &logBuf{})
}

// inSLAACPrefix reports whether p (ADDR/64) is in slaacPrefix/64.
func inSLAACPrefix(p string) bool {
	a, err := netip.ParsePrefix(p)
	return err == nil && a.Bits() == 64 && netip.MustParsePrefix(slaacPrefix+"/64").Contains(a.Addr())
}

// globalV6 returns the global IPv6 addresses of iface in ns.
func globalV6(t *testing.T, ns, iface string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(sandbox.MustExec(t, ns, "ip", "-6", "-o", "addr", "show", "dev", iface, "scope", "global"), "\n") {
		if f := strings.Fields(line); len(f) >= 4 {
			out = append(out, f[3])
		}
	}
	return out
}

// TestSLAAC: with --ip slaac the slave gets a global address from the
// router's advertisements before attach returns; without it, it gets
// accept_ra=0 and no global address even while RAs arrive.
func TestSLAAC(t *testing.T) {
	l := newLAN(t)
	r := l.AddPeer(t, "198.51.100.254/24")
	startRadvd(t, r.NS, r.Iface)
	with := l.newTarget(t, "netns")
	out := l.attach(t, with, "--parent", l.Parent, "--ip", "slaac", "--ra-timeout", "15s")
	if len(out.Addresses) != 1 || !inSLAACPrefix(out.Addresses[0]) {
		t.Fatalf("attach --ip slaac addresses %v, want one in %s/64", out.Addresses, slaacPrefix)
	}
	if got := globalV6(t, with.ns, out.Interface); len(got) != 1 || got[0] != out.Addresses[0] {
		t.Errorf("kernel shows %v, attach said %v", got, out.Addresses)
	}
	without := l.newTarget(t, "netns")
	out2 := l.attach(t, without, "--parent", l.Parent, "--ip", slaveV4)
	if ra := sandbox.MustExec(t, without.ns, "sysctl", "-n", "net.ipv6.conf."+out2.Interface+".accept_ra"); strings.TrimSpace(ra) != "0" {
		t.Errorf("accept_ra without --ip slaac is %q, want 0", ra)
	}
	time.Sleep(5 * time.Second) // more than one RA interval
	if got := globalV6(t, without.ns, out2.Interface); len(got) != 0 {
		t.Errorf("without --ip slaac the slave got %v", got)
	}
	detachAll(t, l, with)
	detachAll(t, l, without)
}

// TestStableMAC: --mac stable --mac-seed gives the same MAC on every
// attach with the same seed and parent, another with another seed; each
// is locally administered unicast, derived from the parent's MAC.
func TestStableMAC(t *testing.T) {
	l := newLAN(t)
	parentMAC := parentHW(t, l)
	tg := l.newTarget(t, "netns")
	macOf := func(seed string) string {
		out := l.attach(t, tg, "--parent", l.Parent, "--ip", slaveV4, "--mac", "stable", "--mac-seed", seed)
		detachAll(t, l, tg)
		return out.MAC
	}
	web1, web2, db := macOf("web"), macOf("web"), macOf("db")
	if web1 != web2 || web1 == db {
		t.Errorf("seed web gave %s then %s, seed db %s: want the same twice, another for db", web1, web2, db)
	}
	if want := link.StableMAC(parentMAC, "web").String(); web1 != want {
		t.Errorf("seed web gave %s, want %s (from parent %s)", web1, want, parentMAC)
	}
	if m, err := net.ParseMAC(web1); err != nil || m[0]&1 != 0 || m[0]&2 == 0 {
		t.Errorf("%s is not a locally administered unicast MAC (%v)", web1, err)
	}
}

// parentHW is the MAC of l's parent in its host netns.
func parentHW(t *testing.T, l *lan) net.HardwareAddr {
	t.Helper()
	f := strings.Fields(sandbox.MustExec(t, l.Host, "cat", "/sys/class/net/"+l.Parent+"/address"))
	m, err := net.ParseMAC(f[0])
	if err != nil {
		t.Fatal(err)
	}
	return m
}
