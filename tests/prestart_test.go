package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/internal/linkdel"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestDetachLeavesNoChild: the delete child detach starts ahead ends with
// detach when nothing was to be deleted, also when detach fails early (a
// target that does not exist) or is killed; after a real detach only the
// child that made the delete runs, until the kernel is done. Not parallel:
// it counts every child on the host.
func TestDetachLeavesNoChild(t *testing.T) {
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	if r := l.Lanattach(t, "detach", "--netns", tg.name); r.Code != 0 {
		t.Fatalf("detach of an empty target:\n%s", r)
	}
	if r := l.Lanattach(t, "detach", "--netns", "nosuch-ltprestart"); r.Code == 0 {
		t.Fatalf("detach of a missing netns succeeded:\n%s", r)
	}
	for _, after := range []time.Duration{0, time.Millisecond, 3 * time.Millisecond} { // kill -9 while the child starts or waits
		cmd := exec.Command(sandbox.Bin(t), "detach", "--netns", "nosuch-ltprestart") // touches nothing: no such netns
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Kill()
		cmd.Wait()
	}
	if r := l.Lanattach(t, "attach", "--netns", tg.name, "--parent", l.Parent, "--ip", l.Addr(60), "--probe", "off"); r.Code != 0 {
		t.Fatalf("attach:\n%s", r)
	}
	if r := l.Lanattach(t, "detach", "--netns", tg.name); r.Code != 0 {
		t.Fatalf("detach:\n%s", r)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := children(t); n > 0; n = children(t) {
		if time.Now().After(deadline) {
			t.Fatalf("%d %s children still run 10 s after the last detach", n, linkdel.Command)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// children counts the processes running as linkdel's child.
func children(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && strings.Contains(string(b), "\x00"+linkdel.Command) {
			n++
		}
	}
	return n
}
