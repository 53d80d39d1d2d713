package tests

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestSignalRollsBack stops an attach with SIGTERM once its slave exists
// in the target (during the long rfc probe): it must exit 1 and leave
// host, switch and target as they were.
func TestSignalRollsBack(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	args := append([]string{"netns", "exec", l.Host, sandbox.Bin(t), "attach", "--parent", l.Parent,
		"--ip", slaveV4, "--probe", "rfc"}, tg.args...)
	cmd := exec.Command("ip", args...) // ip netns exec execs lanattach: same pid
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(sandbox.MustExec(t, tg.ns, "ip", "link", "show"), "lanattach:slave") {
		if time.Now().After(deadline) {
			t.Fatal("the slave never showed up in the target")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("attach after SIGTERM: %v, want exit 1; stderr %q", err, stderr.String())
	}
	sandbox.SameSnapshot(t, "interrupted attach", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
}
