package tests

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// killVariant is a slave type and parent a kill test runs with.
type killVariant struct{ name, kernel, parent, mode string }

// killVariants are the slave types and parents the kill tests run with:
// macvlan here, ipvlan and an auto-made VLAN parent where the kernel has
// them (the VM).
var killVariants = []killVariant{
	{"macvlan", "", "", "macvlan"},
	{"ipvlan", "ipvlan", "", "ipvlan"},
	{"vlan", "vlan", ".50", "macvlan"},
}

// vmVariants are the kill variants to run here: in the VM only those that
// need its kernel (the plain macvlan one runs on the host).
func vmVariants() []killVariant {
	if !sandbox.InVM() {
		return killVariants
	}
	var out []killVariant
	for _, v := range killVariants {
		if v.kernel != "" {
			out = append(out, v)
		}
	}
	return out
}

// killArgs is a full attach into tg: every kind of change attach makes
// (macvlan: with --host-access, and the shim's own addresses where the
// parent, a VLAN made by the attach, has none to borrow).
func killArgs(l *lan, tg target, parent, mode string) []string {
	args := append([]string{"attach"}, tg.args...)
	args = append(args, "--parent", l.Parent+parent, "--mode", mode, "--ip", slaveV4, "--ip", "198.51.100.51/24", "--ip", slaveV6,
		"--gateway", peerIP, "--route", "203.0.113.0/24 via "+peerIP)
	if mode == "macvlan" {
		args = append(args, "--mtu", "1400", "--mac", "02:00:5e:10:00:07", "--host-access")
	}
	if mode == "macvlan" && parent != "" {
		args = append(args, "--shim-ip", "198.51.100.9/24", "--shim-ip", "2001:db8:1::9/64")
	}
	return args
}

// TestKillAtEveryPoint hangs attach at every step and at every point inside
// a step where a half-made change exists (failpoint binary; the points
// come from the code), kills it there with SIGKILL, and checks that
// `lanattach gc` leaves host, switch and target as they were and no record
// behind. A run killed after it finished leaves a complete attachment
// that gc keeps and detach removes.
func TestKillAtEveryPoint(t *testing.T) {
	t.Parallel()
	points := append(nsattach.Steps(), nsattach.KillPoints...)
	for _, v := range vmVariants() {
		for _, p := range points {
			if (strings.HasPrefix(p, "vlan") && v.parent == "") || (strings.HasPrefix(p, "shim.") && v.mode != "macvlan") {
				continue
			}
			t.Run(v.name+"/"+p, func(t *testing.T) {
				t.Parallel()
				if v.kernel != "" {
					sandbox.RequireKernel(t, v.kernel)
				}
				l := newLAN(t)
				tg := l.newTarget(t, "netns")
				before := takeBefore(t, l, tg)
				b := startIn(t, l, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=" + p, "LANATTACH_FAILPOINT_ACTION=hang"},
					killArgs(l, tg, v.parent, v.mode)...)
				b.waitStderr(t, "failpoint "+p+": hanging")
				if p != "record.tmp" {
					wantState(t, l, "", "attaching")
				}
				b.kill()
				gcThenClean(t, l, tg, before)
			})
		}
	}
}

// TestKillAtRandom kills attach with SIGKILL at 200 random moments (and
// more in the VM: ipvlan and a VLAN parent too), each followed by gc; then
// nothing may be left, or, if the attach had finished, exactly one
// complete attachment, which detach removes.
func TestKillAtRandom(t *testing.T) {
	t.Parallel()
	for _, v := range vmVariants() {
		shards, runs := 4, 50
		if sandbox.InVM() {
			shards, runs = 2, 15
		}
		for shard := range shards {
			t.Run(fmt.Sprintf("%s/%d", v.name, shard), func(t *testing.T) {
				t.Parallel()
				if v.kernel != "" {
					sandbox.RequireKernel(t, v.kernel)
				}
				l := newLAN(t)
				for i := range runs {
					killOnce(t, l, v.parent, v.mode, i)
				}
			})
		}
	}
}

// killOnce runs one attach, kills it after a random delay within its
// usual run time, and checks gc cleans up.
func killOnce(t *testing.T, l *lan, parent, mode string, i int) {
	t.Helper()
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	args := killArgs(l, tg, parent, mode)
	if i%2 == 1 {
		args = append(args, "--probe", "off")
	}
	b := startIn(t, l, sandbox.Bin(t), nil, args...)
	time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
	b.kill()
	gcThenClean(t, l, tg, before)
	if t.Failed() {
		t.FailNow()
	}
}

// snapshots are the LAN (host and switch) and a target before a change.
type snapshots struct{ lan, target string }

// wantUnchanged fails unless l's host and switch and tg are as in before
// and no record is left.
func wantUnchanged(t *testing.T, l *lan, tg target, before snapshots, what string) {
	t.Helper()
	sandbox.SameSnapshot(t, what, before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	sandbox.SameSnapshot(t, what+" (target)", before.target, sandbox.Snapshot(t, tg.ns))
	wantNoRecords(t, l)
}

// takeBefore snapshots l's host and switch and tg.
func takeBefore(t *testing.T, l *lan, tg target) snapshots {
	t.Helper()
	return snapshots{sandbox.Snapshot(t, l.Host, l.Switch), sandbox.Snapshot(t, tg.ns)}
}

// gcThenClean runs gc and checks that it left nothing of an interrupted
// attach into tg; a complete attachment (the run had finished) must be
// listed as ok, kept by gc, and go with detach (which leaves the target's
// lo up, as a finished attach brought it up).
func gcThenClean(t *testing.T, l *lan, tg target, before snapshots) {
	t.Helper()
	if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 {
		t.Fatalf("gc after the kill:\n%s", r)
	}
	as := listAll(t, l)
	if len(as) > 0 {
		if len(as) != 1 || as[0].State != "ok" {
			t.Fatalf("after gc, list shows %+v; want nothing, or one complete attachment", as)
		}
		detachAll(t, l, tg)
		checkOnly(t, tg.ns, "lo")
	} else {
		sandbox.SameSnapshot(t, "gc after a killed attach (target)", before.target, sandbox.Snapshot(t, tg.ns))
	}
	sandbox.SameSnapshot(t, "gc after a killed attach", before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	wantNoRecords(t, l)
}
