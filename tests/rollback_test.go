package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// rollbackVariant is one configuration of the rollback matrix.
type rollbackVariant struct {
	name, kernel string
	target       string // target kind
	loUp         bool   // the target's lo is up before the attach
	shim         bool   // args ask for --host-access
	args         func(l *lan) []string
}

// fullArgs reaches every step with two addresses and two routes (so the
// failpoints between them fire) off parent.
func fullArgs(parent string, extra ...string) func(l *lan) []string {
	return func(l *lan) []string {
		return append([]string{"--parent", l.Parent + parent, "--ip", slaveV4, "--ip", "198.51.100.51/24", "--ip", slaveV6,
			"--gateway", peerIP, "--gateway", peerIP6, "--route", "203.0.113.0/24 via " + peerIP, "--probe", "fast"}, extra...)
	}
}

// rollbackVariants: macvlan (with MAC, MTU and the host shim), an auto-made VLAN parent
// and ipvlan (VM), --ip auto (which holds the lock), a --pid target and a
// target whose lo is already up.
var rollbackVariants = []rollbackVariant{
	{name: "macvlan", target: "netns", shim: true, args: fullArgs("", "--mac", "02:00:5e:10:00:03", "--mtu", "1400", "--host-access")},
	{name: "vlan", kernel: "vlan", target: "netns", shim: true, args: fullArgs(".50", "--host-access", // a new VLAN has no address to borrow
		"--shim-ip", "198.51.100.9/24", "--shim-ip", "2001:db8:1::9/64")},
	{name: "ipvlan", kernel: "ipvlan", target: "netns", args: fullArgs("", "--mode", "ipvlan")},
	{name: "auto", target: "netns", args: func(l *lan) []string {
		return []string{"--parent", l.Parent, "--ip", "auto", "--subnet", "198.51.100.0/24", "--ip", slaveV4,
			"--gateway", peerIP, "--route", "203.0.113.0/24 via " + peerIP}
	}},
	{name: "pid", target: "pid", args: fullArgs("")},
	{name: "lo-up", target: "netns", loUp: true, args: fullArgs("")},
}

// TestRollback fails attach at every step and at every point inside a
// step (failpoint binary; both lists come from the code, so a new step or
// point is tested too), for every variant, and checks exit 1, a message
// naming the failpoint, that the host, the switch and the target are
// exactly as before (links, addresses, routes, rules, the parent's
// promiscuity, the host's and the target's interface sysctls, the target's
// neighbours) and
// that no record is left.
func TestRollback(t *testing.T) {
	t.Parallel()
	points := append(nsattach.Steps(), nsattach.KillPoints...)
	for _, v := range rollbackVariants {
		if sandbox.InVM() && v.kernel == "" {
			continue // covered on the host; the VM runs what needs its kernel
		}
		for _, p := range points {
			if strings.HasPrefix(p, "vlan") && v.name != "vlan" || strings.HasPrefix(p, "shim.") && !v.shim || p == "record.tmp" {
				continue // no VLAN or shim is made; record.tmp fails before any change (TestKillAtEveryPoint)
			}
			t.Run(v.name+"/"+p, func(t *testing.T) {
				t.Parallel()
				l, tg, before := rollbackSetup(t, v)
				r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=" + p},
					append(append([]string{"-o", "json", "attach"}, tg.args...), v.args(l)...)...)
				wantFail(t, r, 1, "failpoint "+p)
				wantJSONFail(t, r)
				rollbackCheck(t, l, tg, before, "attach failing at "+p)
			})
		}
	}
}

// TestRollbackUndoFails fails an attach at its last step and then one of
// its undo steps: attach exits 1 naming what is left, the record stays (a
// leftover in list), and gc finishes the job.
func TestRollbackUndoFails(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ undo, kernel string }{{"slave", ""}, {"lo", ""}, {"vlan", "vlan"}} {
		t.Run(c.undo, func(t *testing.T) {
			t.Parallel()
			v := rollbackVariants[0]
			if c.undo == "vlan" {
				v = rollbackVariants[1]
			}
			v.kernel = c.kernel
			l, tg, before := rollbackSetup(t, v)
			r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=alive,undo." + c.undo},
				append(append([]string{"-o", "json", "attach"}, tg.args...), v.args(l)...)...)
			wantFail(t, r, 1, "failpoint alive", "rollback incomplete", "undo.", "lanattach gc")
			wantState(t, l, "", "leftover")
			if g := l.Lanattach(t, "gc"); g.Code != 0 {
				t.Fatalf("gc: %s", g)
			}
			rollbackCheck(t, l, tg, before, "gc after a failed undo of "+c.undo)
		})
	}
}

// rollbackSetup builds the LAN and target of v and snapshots them.
func rollbackSetup(t *testing.T, v rollbackVariant) (*lan, target, []string) {
	t.Helper()
	if v.kernel != "" {
		sandbox.RequireKernel(t, v.kernel)
	}
	l := newLAN(t)
	tg := l.newTarget(t, v.target)
	if v.loUp {
		sandbox.MustExec(t, tg.ns, "ip", "link", "set", "lo", "up")
	}
	return l, tg, []string{sandbox.Snapshot(t, l.Host, l.Switch), sandbox.DeepSnapshot(t, tg.ns), hostSysctls(t, l)}
}

// rollbackCheck compares the LAN and the target with before and wants no
// record left.
func rollbackCheck(t *testing.T, l *lan, tg target, before []string, what string) {
	t.Helper()
	after := []string{sandbox.Snapshot(t, l.Host, l.Switch), sandbox.DeepSnapshot(t, tg.ns), hostSysctls(t, l)}
	for i := range before {
		sandbox.SameSnapshot(t, what, before[i], after[i])
	}
	if slices.Equal(before, after) {
		wantNoRecords(t, l)
	}
}
