package tests

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkDHCPVsUdhcpc times `lanattach attach --ip dhcp` (make the
// slave, DORA, ARP-check the lease, assign it with the lease's lifetime,
// default route, start the keeper) against busybox `udhcpc -q -n` (DORA
// only, no configuration: -s /bin/true) in the same target netns with the
// same dnsmasq, side by side. Each lanattach run is detached (untimed),
// which releases its lease.
func BenchmarkDHCPVsUdhcpc(b *testing.B) {
	l, _ := benchLAN(b, 0)
	r := l.AddPeer(b, routerIP+"/24")
	// --no-ping: dnsmasq's ping check of a new address (3 s) is the
	// server's time, not the client's.
	startDnsmasq(b, r.NS, r.Iface, leaseFrom, leaseTo, "--no-ping")
	tg := l.NewTarget(b)
	// udhcpc's interface: a slave with no address, made once.
	if res := l.Lanattach(b, "attach", "--netns", tg, "--parent", l.Parent, "--name", "udh0"); res.Code != 0 {
		b.Fatalf("making udhcpc's slave:\n%s", res)
	}
	attach := func() {
		res := l.Lanattach(b, "attach", "--netns", tg, "--parent", l.Parent, "--name", "dh0", "--ip", "dhcp")
		if res.Code != 0 {
			b.Fatalf("attach --ip dhcp:\n%s", res)
		}
	}
	udhcpc := func() {
		out, code := runCode(b, tg, "busybox", "udhcpc", "-q", "-n", "-f", "-i", "udh0", "-s", "/bin/true")
		if code != 0 || !strings.Contains(out, "lease of") {
			b.Fatalf("udhcpc: exit %d\n%s", code, out)
		}
	}
	var tOurs, tTheirs time.Duration
	n := 0
	for b.Loop() {
		tOurs += timed(attach)
		b.StopTimer()
		if res := l.Lanattach(b, "detach", "--netns", tg, "--name", "dh0"); res.Code != 0 {
			b.Fatalf("detach:\n%s", res)
		}
		b.StartTimer()
		tTheirs += timed(udhcpc)
		n++
	}
	b.StopTimer()
	if res := l.Lanattach(b, "detach", "--netns", tg); res.Code != 0 {
		b.Fatalf("detach:\n%s", res)
	}
	reportPair(b, n, "lanattach", "udhcpc", tOurs, tTheirs)
}
