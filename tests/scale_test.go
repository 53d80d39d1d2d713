package tests

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/tests/sandbox"
	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// startSleepers starts n plain `sleep` processes (they change nothing and
// share the test's netns) and kills them, by pid, when stop is called or
// on cleanup.
func startSleepers(t testing.TB, n int) (stop func()) {
	t.Helper()
	procs := make([]*os.Process, 0, n)
	stop = func() {
		for _, p := range procs {
			p.Kill()
			p.Wait()
		}
		procs = nil
	}
	t.Cleanup(stop)
	for range n {
		cmd := exec.Command("sleep", "3600")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting sleep %d of %d: %v", len(procs)+1, n, err)
		}
		procs = append(procs, cmd.Process)
	}
	return stop
}

// foreignSlave gives the netns of process pid a macvlan slave off the
// LAN's parent with addr, made with ip(8), not lanattach (no record, no
// mark). It returns the slave's MAC.
func foreignSlave(t *testing.T, l *lan, pid int, addr string) string {
	t.Helper()
	const name = "fs0"
	sandbox.MustExec(t, l.Host, "ip", "link", "add", name, "link", l.Parent, "type", "macvlan", "mode", "bridge")
	sandbox.MustExec(t, l.Host, "ip", "link", "set", name, "netns", sandbox.PIDPath(pid))
	in := sandbox.PIDPath(pid)
	sandbox.MustExec(t, in, "ip", "addr", "add", addr, "dev", name)
	sandbox.MustExec(t, in, "ip", "link", "set", name, "up")
	f := strings.Fields(sandbox.MustExec(t, in, "ip", "-br", "link", "show", name))
	if len(f) < 3 {
		t.Fatalf("no MAC in ip -br link show %s: %q", name, f)
	}
	return f[2]
}

// TestSiblingAmongProcesses checks that the sibling check still finds a
// slave that another tool made in a netns only a process holds (no name,
// no record) with 2,000 more processes on the host: attach with --probe off
// (no LAN probe that could see it) refuses its address as a sibling's,
// changing nothing, and `lanattach probe` and `attach --dry-run` report it
// too.
func TestSiblingAmongProcesses(t *testing.T) {
	l := newLAN(t)
	const addr = "198.51.100.45/24"
	mac := foreignSlave(t, l, l.NewPIDTarget(t), addr)
	startSleepers(t, 2000)
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", addr, "--probe", "off"}, tg.args...)...)
	wantFail(t, r, 3, "198.51.100.45")
	var out conflictOut
	r.JSON(t, &out)
	if len(out.Conflicts) != 1 || out.Conflicts[0].Where != "sibling" || out.Conflicts[0].MAC != mac {
		t.Errorf("conflicts %+v, want 198.51.100.45 held by sibling %s", out.Conflicts, mac)
	}
	sandbox.SameSnapshot(t, "attach refused for a sibling", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
	p := l.Lanattach(t, "-o", "json", "probe", "--parent", l.Parent, "--ip", "198.51.100.45", "--probe", "off")
	if p.Code != 3 || !strings.Contains(p.Stdout, `"where":"sibling"`) {
		t.Errorf("probe of the sibling's address: want exit 3 and where sibling:\n%s", p)
	}
	d := l.Lanattach(t, append([]string{"-o", "json", "attach", "--dry-run", "--parent", l.Parent, "--ip", addr, "--probe", "off"}, tg.args...)...)
	if d.Code != 3 || !strings.Contains(d.Stdout, `"where":"sibling"`) {
		t.Errorf("attach --dry-run of the sibling's address: want exit 3 and where sibling, as attach:\n%s", d)
	}
}

// captureARP listens for ARP on the switch's bridge; stop returns the
// RFC 5227 announcements of ip seen so far (sender and target ip, from
// mac).
func captureARP(t *testing.T, l *lan) (stop func(ip netip.Addr, mac string) int) {
	t.Helper()
	var conn *packet.Conn
	err := ns.WithNetNSPath("/run/netns/"+l.Switch, func(ns.NetNS) error {
		ifi, err := net.InterfaceByName("br0")
		if err != nil {
			return err
		}
		conn, err = packet.Listen(ifi, packet.Datagram, unix.ETH_P_ARP, nil)
		return err
	})
	if err != nil {
		t.Fatalf("capturing on the switch: %v", err)
	}
	var pkts []*arp.Packet
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				return // closed
			}
			var p arp.Packet
			if p.UnmarshalBinary(buf[:n]) == nil {
				pkts = append(pkts, &p)
			}
		}
	}()
	return func(ip netip.Addr, mac string) int {
		time.Sleep(200 * time.Millisecond) // frames in flight reach the bridge
		conn.Close()
		<-done
		n := 0
		for _, p := range pkts {
			if p.Operation == arp.OperationRequest && p.SenderIP == ip && p.TargetIP == ip && p.SenderHardwareAddr.String() == mac {
				n++
			}
		}
		return n
	}
}

// TestAnnounceProbeOffOnWire checks on the wire (the switch's bridge)
// that attach with --probe off still announces its address at least twice
// (RFC 5227 section 2.3), without a packet socket or a wait of its own,
// and not at all with --no-announce.
func TestAnnounceProbeOffOnWire(t *testing.T) {
	t.Parallel()
	for _, announce := range []bool{true, false} {
		t.Run(map[bool]string{true: "announce", false: "no-announce"}[announce], func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			tg := l.newTarget(t, "netns")
			args := []string{"--parent", l.Parent, "--ip", slaveV4, "--gateway", hostIP, "--probe", "off"}
			if !announce {
				args = append(args, "--no-announce")
			}
			stop := captureARP(t, l)
			out := l.attach(t, tg, args...)
			n := stop(netip.MustParsePrefix(slaveV4).Addr(), out.MAC)
			switch {
			case announce && n < 2:
				t.Errorf("saw %d announcements of %s from %s, want at least 2", n, slaveV4, out.MAC)
			case !announce && n != 0:
				t.Errorf("saw %d announcements with --no-announce, want none", n)
			}
			sandbox.MustPing(t, tg.ns, peerIP)
		})
	}
}
