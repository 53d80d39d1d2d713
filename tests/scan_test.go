package tests

import (
	"strings"
	"testing"
	"time"
)

// TestScan scans a /24 with two peers, the host's own address on the
// parent and on another interface, and a sibling slave (which the parent
// cannot reach by ARP): every one is listed with its MAC and place, and
// the free count is the rest of the 254 host addresses.
func TestScan(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	p2 := l.AddPeer(t, "198.51.100.9/24")
	l.AddHostIface(t, "other0", "198.51.100.40/32")
	sib := l.attach(t, l.newTarget(t, "netns"), "--parent", l.Parent, "--ip", "198.51.100.41/24", "--probe", "off")
	r := l.Lanattach(t, "-o", "json", "scan", "--parent", l.Parent, "--subnet", "198.51.100.0/24")
	if r.Code != 0 {
		t.Fatalf("scan:\n%s", r)
	}
	var out scanOut
	r.JSON(t, &out)
	want := map[string][2]string{
		hostIP:          {links(t, l.Host)[l.Parent].Address, "host"},
		peerIP:          {l.peer.MAC, "lan"},
		"198.51.100.9":  {p2.MAC, "lan"},
		"198.51.100.40": {links(t, l.Host)["other0"].Address, "host"},
		"198.51.100.41": {sib.MAC, "host"},
	}
	if out.Subnet != "198.51.100.0/24" || len(out.Used) != len(want) || out.Free != 254-len(want) {
		t.Fatalf("scan found %d used, %d free in %s; want %d and %d:\n%s", len(out.Used), out.Free, out.Subnet, len(want), 254-len(want), r)
	}
	for _, u := range out.Used {
		if w, ok := want[u.IP]; !ok || u.MAC != w[0] || u.Where != w[1] {
			t.Errorf("used %+v, want MAC %s where %s", u, w[0], w[1])
		}
	}
	text := l.Lanattach(t, "scan", "--parent", l.Parent, "--subnet", "198.51.100.0/24")
	if text.Code != 0 || !strings.Contains(text.Stdout, "5 used, 249 free in 198.51.100.0/24") {
		t.Errorf("scan text output:\n%s", text)
	}
}

// TestScanBandwidth checks that --bandwidth sets the rate: a /26 at 64
// kbit/s (63 requests of 64 bytes, 3 tries each for silent addresses)
// takes several times longer than at the default rate.
func TestScanBandwidth(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	took := func(args ...string) time.Duration {
		start := time.Now()
		r := l.Lanattach(t, append([]string{"-o", "json", "scan", "--parent", l.Parent, "--subnet", "198.51.100.0/26"}, args...)...)
		if r.Code != 0 {
			t.Fatalf("scan %v:\n%s", args, r)
		}
		return time.Since(start)
	}
	// The fastest of two runs each: a busy machine only adds time, and
	// the rate limit is a floor no load can lower.
	fast, slow := time.Hour, time.Hour
	for range 2 {
		fast, slow = min(fast, took()), min(slow, took("--bandwidth", "16K"))
	}
	// About 190 requests of 42-byte frames at 16 kbit/s is about 4 s of
	// sending alone: the slow scan must be clearly slower than the default
	// one run the same way, however fast or slow the machine (the default
	// one took 0.9 s in the VM, where waiting for answers overlaps sending).
	t.Logf("scan of a /26: %v at the default rate, %v at 16K", fast, slow)
	if slow < 3600*time.Millisecond || slow-fast < 2*time.Second {
		t.Errorf("scan at 16K took %v, at the default %v: want the rate to hold it back", slow, fast)
	}
}
