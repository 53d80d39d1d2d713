package tests

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestParallelSameAddress runs 16 attaches of one static address (IPv4,
// and IPv6 in fast mode, whose addresses are assigned without the kernel's
// DAD) into 16 targets at once: exactly one may win, the others exit 3
// naming the address, and nothing of theirs is left. In private mode (and
// ipvlan) slaves cannot hear each other's probes, so only the record, read
// under the host-wide lock, can stop a second winner.
func TestParallelSameAddress(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, kernel string }{
		{"bridge", ""}, {"private", ""}, {"ipvlan", "ipvlan"},
	} {
		for _, ip := range []string{"198.51.100.70/24", "2001:db8:1::70/64"} {
			t.Run(c.name+"/"+ip, func(t *testing.T) {
				t.Parallel()
				if c.kernel != "" {
					sandbox.RequireKernel(t, c.kernel)
				}
				mode := []string{"--macvlan-mode", c.name}
				if c.name == "ipvlan" {
					mode = []string{"--mode", "ipvlan"}
				}
				parallelSameAddress(t, newLAN(t), ip, c.name != "bridge", mode...)
			})
		}
	}
}

// parallelSameAddress runs the 16 attaches of ip with args and checks that
// exactly one won; sibling says that the losers must have been stopped as
// siblings (they cannot hear the winner).
func parallelSameAddress(t *testing.T, l *lan, ip string, sibling bool, args ...string) {
	const n = 16
	addr := strings.Split(ip, "/")[0]
	results := make([]sandbox.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		tg := l.newTarget(t, "netns")
		wg.Go(func() {
			results[i] = l.Lanattach(t, append(append([]string{"-o", "json", "attach", "--parent", l.Parent,
				"--ip", ip}, args...), tg.args...)...)
		})
	}
	wg.Wait()
	wins := 0
	for _, r := range results {
		switch r.Code {
		case 0:
			wins++
		case 3:
			e := wantJSONFail(t, r)
			if !strings.Contains(e.Error, addr) {
				t.Errorf("clash message does not name %s:\n%s", addr, r)
			}
			if sibling && !strings.Contains(r.Stdout, `"where":"sibling"`) {
				t.Errorf("a loser must be stopped as a sibling:\n%s", r)
			}
		default:
			t.Errorf("want exit 0 or 3:\n%s", r)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d attaches of %s won, want exactly 1", wins, n, ip)
	}
	if as := listAll(t, l); len(as) != 1 {
		t.Errorf("list shows %d attachments, want the winner only: %+v", len(as), as)
	}
}

// TestParallelDefaultNames attaches 8 slaves into one target at once
// without --name: each must take its own free ethN.
func TestParallelDefaultNames(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	const n = 8
	names := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--probe", "off"}, tg.args...)...)
			if r.Code != 0 {
				t.Errorf("attach %d:\\n%s", i, r)
				return
			}
			var out attachOut
			if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil { // no r.JSON: this is a goroutine
				t.Errorf("attach %d: %v", i, err)
			}
			names[i] = out.Interface
		})
	}
	wg.Wait()
	want := []string{"lo"}
	for i := range n {
		want = append(want, "eth"+string(rune('1'+i)))
	}
	checkOnly(t, tg.ns, want...)
	if got := strings.Join(names, " "); len(strings.Fields(got)) != n {
		t.Errorf("names %q", got)
	}
}

// TestParallelDetach: several detaches of one target at once, racing for
// the same slaves, all succeed (a slave another detach deleted first is
// done), and nothing is left: no slave, no record.
func TestParallelDetach(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	for range 3 {
		if r := l.Lanattach(t, append([]string{"attach", "--parent", l.Parent, "--probe", "off", "--no-announce"}, tg.args...)...); r.Code != 0 {
			t.Fatalf("attach:\n%s", r)
		}
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if r := l.Lanattach(t, append([]string{"detach"}, tg.args...)...); r.Code != 0 {
				t.Errorf("detach %d:\n%s", i, r)
			}
		})
	}
	wg.Wait()
	checkOnly(t, tg.ns, "lo")
	if r := l.Lanattach(t, "-o", "json", "list"); strings.Contains(r.Stdout, tg.ns) {
		t.Errorf("list still shows the target after the detaches:\n%s", r)
	}
}
