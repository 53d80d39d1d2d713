package tests

import (
	"strings"
	"syscall"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestSignalRollsBack stops an attach with SIGINT, SIGTERM or SIGHUP once
// its slave exists in the target (during the long rfc probe): it must exit
// 1 and leave host, switch and target as they were, and no record.
func TestSignalRollsBack(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			tg := l.newTarget(t, "netns")
			before := takeBefore(t, l, tg)
			b := startIn(t, l, sandbox.Bin(t), nil,
				append([]string{"attach", "--parent", l.Parent, "--ip", slaveV4, "--probe", "rfc"}, tg.args...)...)
			l.waitSlave(t, tg)
			if err := b.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			waitRollback(t, l, tg, b, sig, before)
		})
	}
}

// waitRollback checks that the run b ends with exit 1 after sig and left
// nothing behind.
func waitRollback(t *testing.T, l *lan, tg target, b *bgRun, sig syscall.Signal, before snapshots) {
	t.Helper()
	if code := b.wait(t); code != 1 {
		t.Fatalf("attach after %v: exit %d, want 1; stderr %q", sig, code, b.stderr.String())
	}
	wantUnchanged(t, l, tg, before, "interrupted attach")
}

// TestTargetDiesMidAttach kills the --pid target while attach runs: attach
// must notice the process is gone, undo and exit 1 saying so.
func TestTargetDiesMidAttach(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "pid")
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	b := startIn(t, l, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=lo", "LANATTACH_FAILPOINT_ACTION=hang"},
		append([]string{"attach", "--parent", l.Parent, "--ip", slaveV4}, tg.args...)...)
	b.waitStderr(t, "failpoint lo: hanging")
	l.killTarget(t, tg)
	b.kill() // the failpoint hangs; a second run without it checks the end
	if r := l.Lanattach(t, "gc"); r.Code != 0 {
		t.Fatalf("gc: %s", r)
	}
	sandbox.SameSnapshotEventually(t, "attach into a dead target", before, l.Host, l.Switch)
	wantNoRecords(t, l)

	tg = l.newTarget(t, "pid")
	b = startIn(t, l, sandbox.Bin(t), nil, append([]string{"attach", "--parent", l.Parent, "--ip", slaveV4, "--probe", "rfc"}, tg.args...)...)
	l.waitSlave(t, tg)
	l.killTarget(t, tg)
	if code := b.wait(t); code != 1 || !strings.Contains(b.stderr.String(), "exited") {
		t.Fatalf("attach into a target that died: exit %d, stderr %q; want exit 1 saying it exited", code, b.stderr.String())
	}
	sandbox.SameSnapshotEventually(t, "attach into a dead target", before, l.Host, l.Switch)
	wantNoRecords(t, l)
}
