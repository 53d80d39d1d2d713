package linkdel

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPrestart: the child Prestart started makes the next delete, and a
// second delete starts its own.
func TestPrestart(t *testing.T) {
	f, h := scratch(t)
	stop := Prestart()
	defer stop()
	c := current()
	if c == nil {
		t.Fatal("Prestart left no child waiting")
	}
	for _, name := range []string{"m0", "v0"} {
		l, err := h.LinkByName(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := Delete(Request{NS: f, NSID: -1, Index: l.Attrs().Index}, goneIn(h, l.Attrs().Index)); err != nil {
			t.Fatalf("Delete %s: %v", name, err)
		}
		if ok, _ := goneIn(h, l.Attrs().Index)(); !ok {
			t.Fatalf("%s is still there after Delete", name)
		}
		if takeSpare() != nil {
			t.Fatalf("Delete %s left the spare child waiting", name)
		}
	}
	waitExit(t, c)
}

// TestPrestartUnused: stop ends a spare child no delete took; a second
// Prestart while one waits keeps it, and its stop leaves it alone.
func TestPrestartUnused(t *testing.T) {
	stop1 := Prestart()
	first := current()
	stop2 := Prestart()
	if current() != first {
		t.Fatal("a second Prestart replaced the waiting child")
	}
	stop2()
	if current() != first {
		t.Fatal("the second Prestart's stop ended the first's child")
	}
	stop1()
	waitExit(t, first)
	if current() != nil {
		t.Fatal("stop left the spare child in place")
	}
}

// TestPrestartChildKilled: a spare child that died before its request
// makes Delete fail with an error, not hang.
func TestPrestartChildKilled(t *testing.T) {
	stop := Prestart()
	defer stop()
	c := current()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Delete(Request{NSID: -1, Index: 99999}, func() (bool, error) { return false, nil }) }()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, syscall.ENODEV) || !strings.Contains(err.Error(), Command) {
			t.Fatalf("Delete through a killed child: %v, want an error naming %s", err, Command)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Delete through a killed child hangs")
	}
}

// waitExit waits until c's process has exited and been reaped.
func waitExit(t *testing.T, c *proc) {
	t.Helper()
	pid := c.cmd.Process.Pid
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); errors.Is(err, os.ErrNotExist) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d still runs (or is not reaped)", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// current is the spare child, nil when none waits.
func current() *proc {
	spare.Lock()
	defer spare.Unlock()
	return spare.c
}
