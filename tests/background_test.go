package tests

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bgRun is lanattach running in the background in a LAN's host netns.
type bgRun struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	err            error
}

// startIn starts bin with args in l's host netns (ip netns exec execs it,
// so the process is lanattach itself) with extra environment env. It is
// killed on cleanup if still running.
func startIn(t *testing.T, l *lan, bin string, env []string, args ...string) *bgRun {
	t.Helper()
	b := &bgRun{done: make(chan struct{})}
	b.cmd = exec.Command("ip", append([]string{"netns", "exec", l.Host, bin}, args...)...)
	b.cmd.Env = append(b.cmd.Environ(), env...)
	b.cmd.Stdout, b.cmd.Stderr = &b.stdout, &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.err = b.cmd.Wait(); close(b.done) }()
	t.Cleanup(func() { b.kill() })
	return b
}

// waitStderr waits until stderr holds s, or fails the test.
func (b *bgRun) waitStderr(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(sandbox.CmdTimeout)
	for !strings.Contains(b.stderr.String(), s) {
		select {
		case <-b.done:
			t.Fatalf("lanattach exited (%v) before saying %q; stderr: %s", b.err, s, b.stderr.String())
		case <-deadline:
			t.Fatalf("lanattach never said %q; stderr: %s", s, b.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits for the process to end.
func (b *bgRun) kill() {
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.done
}

// signal sends sig and returns the exit code once the process ended, -1
// if a signal ended it.
func (b *bgRun) signal(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return b.wait(t)
}

// wait returns the exit code once the process ended, -1 if a signal ended
// it.
func (b *bgRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(sandbox.CmdTimeout):
		t.Fatalf("lanattach did not end; stderr: %s", b.stderr.String())
	}
	var exit *exec.ExitError
	switch {
	case b.err == nil:
		return 0
	case errors.As(b.err, &exit) && exit.Exited():
		return exit.ExitCode()
	case errors.As(b.err, &exit):
		return -1
	}
	t.Fatalf("waiting for lanattach: %v", b.err)
	return -1
}

// killTarget kills the process of a --pid target (started by the sandbox,
// which reaps it on cleanup).
func (l *lan) killTarget(t *testing.T, tg target) {
	t.Helper()
	if tg.pid == 0 {
		t.Fatal("killTarget: not a --pid target")
	}
	if err := syscall.Kill(tg.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// waitSlave waits until a lanattach slave shows up in tg.
func (l *lan) waitSlave(t *testing.T, tg target) {
	t.Helper()
	deadline := time.Now().Add(sandbox.CmdTimeout)
	for !strings.Contains(sandbox.MustExec(t, tg.ns, "ip", "link", "show"), "lanattach:slave") {
		if time.Now().After(deadline) {
			t.Fatal("the slave never showed up in the target")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
