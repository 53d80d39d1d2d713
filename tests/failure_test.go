package tests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestClashThenRollbackFails: an attach finds a clash, then one of its
// undo steps fails. It must exit 1 (not 3: something is left), say what
// is left, keep the record; list shows it as a leftover and gc finishes
// the rollback.
func TestClashThenRollbackFails(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=undo.slave"},
		append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", peerIP + "/24"}, tg.args...)...)
	wantFail(t, r, 1, "address clash", "rollback incomplete", "lanattach gc")
	wantJSONFail(t, r)
	wantState(t, l, "", "leftover")
	if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 || !strings.Contains(r.Stdout, `"rolled_back":["`) {
		t.Fatalf("gc must finish the rollback:\n%s", r)
	}
	wantUnchanged(t, l, tg, before, "gc after a failed rollback")
}

// TestPanicRollsBack: a panic in the middle of an attach still rolls back
// and exits 1.
func TestPanicRollsBack(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=addr", "LANATTACH_FAILPOINT_ACTION=panic"},
		append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", slaveV4, "--ip", slaveV6}, tg.args...)...)
	wantFail(t, r, 1, "internal error", "failpoint addr")
	wantJSONFail(t, r)
	wantUnchanged(t, l, tg, before, "attach that panicked")
}

// TestDetachPartialFailure: a detach that removed one slave and then
// failed still reports what it removed, in JSON too.
func TestDetachPartialFailure(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	l.attach(t, tg, "--parent", l.Parent, "--probe", "off")
	l.attach(t, tg, "--parent", l.Parent, "--probe", "off")
	r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=detach.removed"},
		append([]string{"-o", "json", "detach"}, tg.args...)...)
	wantFail(t, r, 1, "failpoint detach.removed")
	var out struct {
		Done struct{ Interfaces []string } `json:"done"`
	}
	r.JSON(t, &out)
	if len(out.Done.Interfaces) != 1 {
		t.Fatalf("the failed detach must report the one slave it removed:\n%s", r)
	}
	text := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=detach.removed"},
		append([]string{"detach"}, tg.args...)...)
	if text.Code != 1 || !strings.Contains(text.Stdout, "removed eth") {
		t.Fatalf("the failed detach must say what it removed:\n%s", text)
	}
	checkOnly(t, tg.ns, "lo")
}

// TestAutoSkipsStatic: --ip auto never picks an address given statically
// in the same run.
func TestAutoSkipsStatic(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	out := l.attach(t, l.newTarget(t, "netns"), "--parent", l.Parent,
		"--ip", "198.51.100.3/24", "--ip", "auto", "--subnet", "198.51.100.0/24")
	if len(out.Addresses) != 2 || out.Addresses[0] == out.Addresses[1] {
		t.Fatalf("addresses %v, want the static one and another", out.Addresses)
	}
}

// probeChecks is the probe part of attach's JSON, with the per-address
// checks.
type probeChecks struct {
	Probe struct {
		DurationMS int64 `json:"duration_ms"`
		Checks     []addrCheck
	}
}

// addrCheck is one address's check in attach's JSON.
type addrCheck struct {
	IP, Check  string
	DurationMS int64 `json:"duration_ms"`
}

// TestDADOff: a target with IPv6 DAD turned off (accept_dad=0 or
// dad_transmits=0) gets lanattach's own DAD probe in fast and rfc mode: a
// held address is caught (exit 3, where dad, with the peer's MAC), a free
// one reports the check "ndp". With the kernel's DAD on, fast mode still
// uses lanattach's probe and rfc mode the kernel's ("kernel-dad", which
// names no MAC); --probe off checks nothing ("none"). Every check that ran
// reports how long it took, and in every mode the address is usable (not
// tentative) when attach returns.
func TestDADOff(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, sysctl, probe, check string }{
		{"accept_dad=0", "net.ipv6.conf.default.accept_dad=0", "fast", "ndp"},
		{"accept_dad=0, rfc", "net.ipv6.conf.default.accept_dad=0", "rfc", "ndp"},
		{"dad_transmits=0", "net.ipv6.conf.default.dad_transmits=0", "fast", "ndp"},
		{"kernel DAD, fast", "net.ipv6.conf.default.accept_dad=1", "fast", "ndp"},
		{"kernel DAD, rfc", "net.ipv6.conf.default.accept_dad=1", "rfc", "kernel-dad"},
		{"kernel DAD, off", "net.ipv6.conf.default.accept_dad=1", "off", "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			tg := l.newTarget(t, "netns")
			sandbox.MustExec(t, tg.ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", c.sysctl)
			args := append([]string{"-o", "json", "attach", "--parent", l.Parent, "--probe", c.probe}, tg.args...)
			if c.probe != "off" {
				before := takeBefore(t, l, tg)
				r := l.Lanattach(t, append(args, "--ip", peerIP6+"/64")...)
				wantFail(t, r, 3, peerIP6)
				mac := map[bool]string{true: "", false: l.peer.MAC}[c.check == "kernel-dad"]
				var out conflictOut
				r.JSON(t, &out)
				if len(out.Conflicts) != 1 || out.Conflicts[0].Where != "dad" || out.Conflicts[0].MAC != mac {
					t.Errorf("conflicts %+v, want where dad, mac %q", out.Conflicts, mac)
				}
				sandbox.SameSnapshot(t, "clash", before.target, sandbox.Snapshot(t, tg.ns))
			}
			r := l.Lanattach(t, append(args, "--ip", slaveV6)...)
			var out probeChecks
			if err := json.Unmarshal([]byte(r.Stdout), &out); r.Code != 0 || err != nil {
				t.Fatalf("free address: %v\n%s", err, r)
			}
			if a := sandbox.MustExec(t, tg.ns, "ip", "-6", "addr", "show", "scope", "global"); !strings.Contains(a, slaveV6) || strings.Contains(a, "tentative") {
				t.Errorf("want %s, not tentative, when attach returns:\n%s", slaveV6, a)
			}
			if len(out.Probe.Checks) != 1 || out.Probe.Checks[0].Check != c.check {
				t.Fatalf("checks %+v, want one %q", out.Probe.Checks, c.check)
			}
			if d := out.Probe.Checks[0].DurationMS; (d > 0) != (c.check != "none") || d > out.Probe.DurationMS {
				t.Errorf("check took %d ms (probe %d ms): want more than 0 when it ran, 0 for none, and not more than the probe",
					d, out.Probe.DurationMS)
			}
		})
	}
}
