package tests

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/tests/sandbox"
	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
)

// probeOut is probe's JSON result.
type probeOut struct {
	Results []struct {
		IP    string `json:"ip"`
		Free  bool   `json:"free"`
		MAC   string `json:"mac"`
		Where string `json:"where"`
	} `json:"results"`
}

// conflictOut is the JSON of a failed attach with a clash.
type conflictOut struct {
	errorOut
	Conflicts []struct {
		IP    string `json:"ip"`
		MAC   string `json:"mac"`
		Where string `json:"where"`
	} `json:"conflicts"`
}

// probeCmd runs `lanattach -o json probe --parent PARENT args...` and
// checks that stdout is one results object with one result per address.
func (l *lan) probeCmd(t *testing.T, args ...string) (sandbox.Result, probeOut) {
	t.Helper()
	r := l.Lanattach(t, append([]string{"-o", "json", "probe", "--parent", l.Parent}, args...)...)
	var out probeOut
	if r.Code == 0 || r.Code == 3 {
		r.JSON(t, &out)
	}
	return r, out
}

// wantProbe checks a probe of one address: free (mac and where empty), or
// held with that MAC ("" = any) and where.
func wantProbe(t *testing.T, r sandbox.Result, out probeOut, ip string, free bool, mac, where string) {
	t.Helper()
	code := map[bool]int{true: 0, false: 3}[free]
	if r.Code != code || len(out.Results) != 1 {
		t.Fatalf("want exit %d and one result, got:\n%s", code, r)
	}
	got := out.Results[0]
	if got.IP != ip || got.Free != free || got.Where != where || (mac != "" && got.MAC != mac) || (free && got.MAC != "") {
		t.Errorf("result %+v, want ip %s free %v mac %q where %q", got, ip, free, mac, where)
	}
}

// TestProbeCommand covers the host check and the LAN probe of `lanattach
// probe`: a free address, one a peer holds, one the host holds on the
// parent and on another interface, the gateway, and host IPv6.
func TestProbeCommand(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	l.AddHostIface(t, "other0", "203.0.113.5/24")
	parentMAC := links(t, l.Host)[l.Parent].Address
	otherMAC := links(t, l.Host)["other0"].Address
	tests := []struct {
		name, ip   string
		args       []string
		free       bool
		mac, where string
	}{
		{name: "free", ip: "198.51.100.77", free: true},
		{name: "peer holds it", ip: peerIP, mac: l.peer.MAC, where: "lan"},
		{name: "peer holds it, rfc timing", ip: peerIP, args: []string{"--probe", "rfc"}, mac: l.peer.MAC, where: "lan"},
		{name: "host holds it on the parent", ip: hostIP, mac: parentMAC, where: "host"},
		{name: "host holds it on another interface", ip: "203.0.113.5", mac: otherMAC, where: "host"},
		{name: "gateway", ip: "198.51.100.254", args: []string{"--gateway", "198.51.100.254"}, where: "lan"},
		{name: "host IPv6", ip: hostIP6, mac: parentMAC, where: "host"},
		{name: "free IPv6", ip: "2001:db8:1::77", free: true},
		{name: "probe off still checks the host", ip: hostIP, args: []string{"--probe", "off"}, mac: parentMAC, where: "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, out := l.probeCmd(t, append([]string{"--ip", tt.ip}, tt.args...)...)
			wantProbe(t, r, out, tt.ip, tt.free, tt.mac, tt.where)
			if !tt.free && !strings.Contains(r.Stderr, tt.ip) {
				t.Errorf("stderr does not name %s: %q", tt.ip, r.Stderr)
			}
		})
	}
}

// TestProbeCommandManyAndTarget probes several addresses in one window and
// probes from an interface inside a target netns.
func TestProbeCommandManyAndTarget(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	// One 3s window for all three free or held addresses, not one each:
	// compared with a probe of one free address run the same way, so that
	// start-up costs (seconds in the VM) cancel out.
	one := timed(func() { l.probeCmd(t, "--ip", "198.51.100.62", "--probe-timeout", "3s") })
	var r sandbox.Result
	var out probeOut
	three := timed(func() {
		r, out = l.probeCmd(t, "--ip", "198.51.100.60", "--ip", peerIP+"/24", "--ip", "198.51.100.61", "--probe-timeout", "3s")
	})
	if three < 3*time.Second || three > one+3*time.Second {
		t.Errorf("probing 3 addresses took %v, one %v: want one 3s window for all", three, one)
	}
	if r.Code != 3 || len(out.Results) != 3 || !out.Results[0].Free || out.Results[1].Free || out.Results[1].MAC != l.peer.MAC || !out.Results[2].Free {
		t.Fatalf("want .60 and .61 free and %s held by %s, got:\n%s", peerIP, l.peer.MAC, r)
	}
	other := l.AddPeer(t) // a netns with an interface on the LAN, as a target
	r = l.Lanattach(t, "-o", "json", "probe", "--netns", other.NS, "--parent", other.Iface, "--ip", peerIP)
	var tout probeOut
	r.JSON(t, &tout)
	if r.Code != 3 || len(tout.Results) != 1 || tout.Results[0].MAC != l.peer.MAC {
		t.Fatalf("probe from eth0 in the target: want %s held by %s, got:\n%s", peerIP, l.peer.MAC, r)
	}
	for _, ip := range []string{peerIP, "2001:db8:1::79"} { // the ARP and the NDP socket
		r = l.Lanattach(t, "probe", "--netns", other.NS, "--parent", "nosuch0", "--ip", ip)
		if r.Code != 2 || !strings.Contains(r.Stderr, "--parent") || !strings.Contains(r.Stderr, "no interface nosuch0 in the target") {
			t.Errorf("probe --netns with a --parent missing there: want exit 2 naming --parent, got:\n%s", r)
		}
	}
}

// responder is a small ARP speaker in a peer netns for timing tests.
type responder struct {
	conn  arpcheck.Conn
	hw    net.HardwareAddr
	acted chan struct{} // closed once act returned
	wg    sync.WaitGroup
}

// startResponder opens an ARP socket on iface in netns nsName. When it
// sees the first probe for ip it calls act with the prober's MAC.
func startResponder(t *testing.T, nsName, iface string, ip netip.Addr, act func(r *responder, prober net.HardwareAddr)) *responder {
	t.Helper()
	netNS, err := ns.GetNS("/run/netns/" + nsName)
	if err != nil {
		t.Fatal(err)
	}
	defer netNS.Close()
	c, ifi, err := arpcheck.Open(netNS, iface)
	if err != nil {
		t.Fatal(err)
	}
	r := &responder{conn: c, hw: ifi.HardwareAddr, acted: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		buf := make([]byte, 1500)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			var p arp.Packet
			if p.UnmarshalBinary(buf[:n]) == nil && p.SenderIP.IsUnspecified() && p.TargetIP == ip && p.SenderHardwareAddr.String() != r.hw.String() {
				act(r, p.SenderHardwareAddr)
				close(r.acted)
				return
			}
		}
	}()
	t.Cleanup(func() {
		c.Close()
		r.wg.Wait()
	})
	return r
}

// send sends an ARP packet to MAC dst.
func (r *responder) send(t *testing.T, op arp.Operation, sender netip.Addr, targetHW net.HardwareAddr, target netip.Addr, dst net.HardwareAddr) {
	p, err := arp.NewPacket(op, r.hw, sender, targetHW, target)
	if err != nil {
		t.Error(err)
		return
	}
	b, _ := p.MarshalBinary()
	if _, err := r.conn.WriteTo(b, &packet.Addr{HardwareAddr: dst}); err != nil {
		t.Errorf("responder: %v", err)
	}
}

// TestProbeTiming checks the probe window end to end with a responder
// that answers late (inside the window, and after it) and one that probes
// for the same address at the same time.
func TestProbeTiming(t *testing.T) {
	t.Parallel()
	bcast := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ip := netip.MustParseAddr("198.51.100.90")
	tests := []struct {
		name  string
		delay time.Duration
		probe bool // probe for ip instead of answering
		free  bool
	}{
		// A 2s window with answers 1s inside it or 1s after it: margins
		// that hold on a machine ten times slower (the VM runs on TCG).
		{name: "late answer inside the window", delay: time.Second},
		{name: "answer after the window", delay: 3 * time.Second, free: true},
		{name: "another host probes at the same time", probe: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			p := l.AddPeer(t)
			r := startResponder(t, p.NS, p.Iface, ip, func(r *responder, prober net.HardwareAddr) {
				if tt.probe {
					r.send(t, arp.OperationRequest, netip.IPv4Unspecified(), make(net.HardwareAddr, 6), ip, bcast)
					return
				}
				time.Sleep(tt.delay)
				r.send(t, arp.OperationReply, ip, prober, netip.IPv4Unspecified(), prober)
			})
			res, out := l.probeCmd(t, "--ip", ip.String(), "--probe-timeout", "2s")
			where := map[bool]string{true: "", false: "lan"}[tt.free]
			mac := map[bool]string{true: "", false: r.hw.String()}[tt.free]
			wantProbe(t, res, out, ip.String(), tt.free, mac, where)
			select { // the answer was sent, also when it came too late
			case <-r.acted:
			case <-time.After(5 * time.Second):
				t.Error("the responder never saw a probe")
			}
		})
	}
}

// TestClashAttach checks that attach refuses an address in use, with exit
// 3, the address, MAC and place in the message and JSON, and nothing
// changed; and that it takes a free one.
func TestClashAttach(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ip string
		args     []string
		setup    func(t *testing.T, l *lan) (mac string)
		where    string
	}{
		{name: "peer holds it", ip: peerIP + "/24", where: "lan", setup: func(t *testing.T, l *lan) string { return l.peer.MAC }},
		{name: "host holds it on the parent", ip: hostIP + "/24", where: "host",
			setup: func(t *testing.T, l *lan) string { return links(t, l.Host)[l.Parent].Address }},
		{name: "host holds it on another interface", ip: "198.51.100.40/24", where: "host", setup: func(t *testing.T, l *lan) string {
			l.AddHostIface(t, "other0", "198.51.100.40/32")
			return links(t, l.Host)["other0"].Address
		}},
		{name: "sibling slave holds it", ip: "198.51.100.41/24", where: "sibling", setup: func(t *testing.T, l *lan) string {
			return l.attach(t, l.newTarget(t, "netns"), "--parent", l.Parent, "--ip", "198.51.100.41/24").MAC
		}},
		{name: "IPv6 duplicate caught by the DAD probe", ip: peerIP6 + "/64", where: "dad",
			setup: func(t *testing.T, l *lan) string { return l.peer.MAC }},
		{name: "IPv6 duplicate fails the kernel's DAD (rfc)", ip: peerIP6 + "/64", args: []string{"--probe", "rfc"}, where: "dad",
			setup: func(t *testing.T, l *lan) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			mac := tt.setup(t, l)
			tg := l.newTarget(t, "netns")
			before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
			r := l.Lanattach(t, append(append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", tt.ip}, tt.args...), tg.args...)...)
			wantFail(t, r, 3, strings.Split(tt.ip, "/")[0])
			var out conflictOut
			r.JSON(t, &out)
			if len(out.Conflicts) != 1 || out.Conflicts[0].IP != strings.Split(tt.ip, "/")[0] || out.Conflicts[0].Where != tt.where || out.Conflicts[0].MAC != mac {
				t.Errorf("conflicts %+v, want %s where %s mac %q", out.Conflicts, tt.ip, tt.where, mac)
			}
			sandbox.SameSnapshot(t, "failed attach", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
	t.Run("free address", func(t *testing.T) {
		t.Parallel()
		l := newLAN(t)
		out := l.attach(t, l.newTarget(t, "netns"), "--parent", l.Parent, "--ip", slaveV4, "--ip", slaveV6)
		if out.Probe.Mode != "fast" || out.Probe.Result != "free" {
			t.Errorf("probe %+v, want fast and free", out.Probe)
		}
	})
}

// TestAutoParallel runs 32 `attach --ip auto` (12 in the VM) at once on one subnet while
// 8 (4) static attaches of addresses --ip auto would pick first are still
// probing (RFC timing): the auto runs must leave the addresses the static
// runs planned alone, and the static runs must not take the auto runs'
// probes for clashes. All of them get their own address, none held by the host
// or a peer.
func TestAutoParallel(t *testing.T) {
	t.Parallel()
	auto, static := 32, 8
	if sandbox.InVM() {
		auto, static = 12, 4 // 32 runs queueing on the lock under TCG outlast the command timeout
	}
	l := newLAN(t)
	l.AddPeer(t, "198.51.100.3/24")
	l.AddPeer(t, "198.51.100.5/24")
	statics := make([]*bgRun, static)
	for i := range statics {
		tg := l.newTarget(t, "netns")
		statics[i] = startIn(t, l, sandbox.Bin(t), nil, append([]string{"-o", "json", "attach", "--parent", l.Parent,
			"--ip", fmt.Sprintf("198.51.100.%d/24", 6+i), "--probe", "rfc"}, tg.args...)...)
	}
	waitAttaching(t, l, static)
	got := make([]string, auto+static)
	var wg sync.WaitGroup
	for i := range auto {
		tg := l.newTarget(t, "netns")
		wg.Go(func() {
			r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", "auto", "--subnet", "198.51.100.0/24"}, tg.args...)...)
			got[i] = attachedAddr(t, r, i)
		})
	}
	wg.Wait()
	for i, b := range statics {
		code := b.wait(t)
		got[auto+i] = attachedAddr(t, sandbox.Result{Args: []string{"static"}, Stdout: b.stdout.String(), Stderr: b.stderr.String(), Code: code}, auto+i)
	}
	used := []string{hostIP + "/24", peerIP + "/24", "198.51.100.3/24", "198.51.100.5/24"}
	seen := map[string]bool{}
	for i, a := range got {
		if a == "" || seen[a] || slices.Contains(used, a) {
			t.Errorf("attach %d got %q: empty, a duplicate or in use (all: %v)", i, a, got)
		}
		seen[a] = true
	}
}

// attachedAddr returns the one address attach run i reported.
func attachedAddr(t *testing.T, r sandbox.Result, i int) string {
	t.Helper()
	if r.Code != 0 {
		t.Errorf("attach %d failed:\n%s", i, r)
		return ""
	}
	var out attachOut // decoded without r.JSON: this runs in goroutines
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out.Addresses) != 1 {
		t.Errorf("attach %d printed no single address:\n%s", i, r)
		return ""
	}
	return out.Addresses[0]
}

// waitAttaching waits until list shows n attaches in progress.
func waitAttaching(t *testing.T, l *lan, n int) {
	t.Helper()
	deadline := time.Now().Add(sandbox.CmdTimeout)
	for {
		k := 0
		for _, a := range listAll(t, l) {
			if a.State == "attaching" {
				k++
			}
		}
		if k >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d attaches showed up as attaching", k, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
