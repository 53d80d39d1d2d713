package nsattach

import (
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// scratchTarget makes a named netns with a veth pair v0/v1 up in it,
// deleted on cleanup, and opens it as a target.
func scratchTarget(t *testing.T) *Target {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a network namespace; `make test` runs as root")
	}
	name := "ltleak" + strconv.Itoa(os.Getpid())
	for _, args := range [][]string{
		{"netns", "add", name},
		{"-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"-n", name, "link", "set", "v0", "up"}, {"-n", name, "link", "set", "v1", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
		if args[0] == "netns" {
			t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
		}
	}
	tg, err := OpenTarget(TargetSpec{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

// TestNoNetnsLeaksOntoThreads enters the target netns in every way
// lanattach does (Target.Do, the ARP and NDP sockets, the DAD watch, a
// bound netlink handle), many times at once, and then checks that no
// thread of the process is left in it (the check containernetworking's
// pkg/ns makes: "should not leak a closed netns onto any threads").
func TestNoNetnsLeaksOntoThreads(t *testing.T) {
	tg := scratchTarget(t)
	th, err := tg.Handle()
	if err != nil {
		t.Fatal(err)
	}
	v0, err := th.LinkByName("v0")
	th.Close()
	if err != nil {
		t.Fatal(err)
	}
	enter := []func() error{
		func() error { return tg.Do(func() error { return nil }) },
		func() error { return closeAfter(arpcheck.Open(tg.NS, "v0")) },
		func() error { return closeAfter(arpcheck.OpenNDP(tg.NS, "v0")) },
		func() error {
			w, err := arpcheck.WatchDAD(netns.NsHandle(tg.NS.Fd()), v0.Attrs().Index)
			if err == nil {
				w.Close()
			}
			return err
		},
		func() error {
			h, err := tg.Handle()
			if err == nil {
				h.Close()
			}
			return err
		},
	}
	var wg sync.WaitGroup
	for range 20 {
		for _, fn := range enter {
			wg.Go(func() {
				if err := fn(); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	wantThreadsHome(t)
}

// closeAfter closes what an Open returned and passes its error on.
func closeAfter[C interface{ Close() error }, I any](c C, _ I, err error) error {
	if err == nil {
		c.Close()
	}
	return err
}

// wantThreadsHome fails unless every thread of the process is in the
// process's own netns.
func wantThreadsHome(t *testing.T) {
	t.Helper()
	var home unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &home); err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		var st unix.Stat_t
		if err := unix.Stat("/proc/self/task/"+task.Name()+"/ns/net", &st); err != nil {
			continue // the thread ended meanwhile
		}
		if st.Ino != home.Ino {
			t.Errorf("thread %s is left in netns %d, not the process's %d", task.Name(), st.Ino, home.Ino)
		}
	}
}
