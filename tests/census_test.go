package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// Census messages at --log-level debug (nsattach/census.go).
const (
	censusOnlyHere = "the record accounts for every slave up"
	censusEvery    = "has no record of is up; reading every namespace"
)

// TestCensus: with enough records for a census in gc (8, still after gc
// and a record removed by hand), list, gc and the
// sibling check of an attach read only the host's namespace while the
// record accounts for every slave up on the parent, and still tell a slave
// deleted by hand (gone) from one set down by hand (ok: its namespace is
// read). A slave up without a record sends them back to every namespace,
// where list finds it.
func TestCensus(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	var tgs []target
	var outs []attachOut
	for i := range 10 {
		tg := l.newTarget(t, "netns")
		tgs = append(tgs, tg)
		outs = append(outs, l.attach(t, tg, "--parent", l.Parent, "--ip", fmt.Sprintf("198.51.100.%d/24", 60+i), "--probe", "off", "--no-announce"))
	}
	debugList := func(want string) {
		t.Helper()
		r := l.Lanattach(t, "--log-level", "debug", "list")
		if r.Code != 0 || !strings.Contains(r.Stderr, want) {
			t.Errorf("list at debug level: want %q in its log:\n%s", want, r)
		}
	}
	debugList(censusOnlyHere)
	other := l.newTarget(t, "netns")
	r := l.Lanattach(t, append([]string{"--log-level", "debug", "-o", "json", "attach", "--parent", l.Parent,
		"--ip", outs[4].Addresses[0], "--probe", "off"}, other.args...)...)
	if r.Code != 3 || !strings.Contains(r.Stdout, `"where":"sibling"`) {
		t.Errorf("attach of a recorded slave's address: want it refused as a sibling's:\n%s", r)
	}
	// The refusal above may come from the record before the kernel's scan
	// logs; an attach that goes through waits for that scan.
	r = l.Lanattach(t, append([]string{"--log-level", "debug", "-o", "json", "attach", "--parent", l.Parent,
		"--ip", "198.51.100.70/24", "--probe", "off", "--no-announce"}, other.args...)...)
	if r.Code != 0 || !strings.Contains(r.Stderr, censusOnlyHere) {
		t.Errorf("attach of a free address: want its sibling scan to read only the host's namespace:\n%s", r)
	}
	l.Lanattach(t, append([]string{"detach"}, other.args...)...)

	sandbox.MustExec(t, tgs[0].ns, "ip", "link", "del", outs[0].Interface)
	sandbox.MustExec(t, tgs[1].ns, "ip", "link", "set", outs[1].Interface, "down")
	for i, tg := range tgs {
		want := "ok"
		if i == 0 {
			want = "gone"
		}
		as := l.list(t, tg)
		if len(as) != 1 || as[0].State != want || !slices.Equal(as[0].Addresses, outs[i].Addresses) {
			t.Errorf("target %d: list shows %+v, want one attachment, %s, with %v", i, as, want, outs[i].Addresses)
		}
	}
	r = l.Lanattach(t, "-o", "json", "gc")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"records_removed":["`+outs[0].Record+`"]`) {
		t.Errorf("gc: want only record %s (the slave deleted by hand) removed:\n%s", outs[0].Record, r)
	}

	if err := os.Remove(filepath.Join(recordDir(t, l), outs[2].Record+".json")); err != nil {
		t.Fatal(err)
	}
	debugList(censusEvery)
	if as := l.list(t, tgs[2]); len(as) != 1 || as[0].State != "ok" || as[0].MAC != outs[2].MAC {
		t.Errorf("a slave whose record was removed: list shows %+v, want it (ok, %s)", as, outs[2].MAC)
	}
	for _, tg := range tgs {
		l.Lanattach(t, append([]string{"detach"}, tg.args...)...)
	}
}

// TestCensusKeepsShim: with enough records for a census, detaching one of
// many --host-access attachments keeps the shim the others use (a census
// that sees their slaves up counts them as users), and gc keeps it too,
// for that reason (not only for the routes through it). Once their slaves
// are deleted by hand, gc (still with a census, whose dump of the host's
// links it reuses) forgets them and deletes the shim.
func TestCensusKeepsShim(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	var tgs []target
	var shim string
	for i := range 9 {
		tg := l.newTarget(t, "netns")
		tgs = append(tgs, tg)
		shim = attachHostAccess(t, l, tg, fmt.Sprintf("198.51.100.%d/24", 60+i), fmt.Sprintf("2001:db8:1::%x/64", 0x60+i), nil)
	}
	detachAll(t, l, tgs[0])
	r := l.Lanattach(t, "-o", "json", "gc")
	if r.Code != 0 || strings.Contains(r.Stdout, `"shims_deleted":["`) || !strings.Contains(r.Stdout, `"shims_kept":["`+shim+`: it serves eth1 in `) {
		t.Errorf("gc with 8 attachments using shim %s: want it kept as serving them:\n%s", shim, r)
	}
	sandbox.MustExec(t, l.Host, "ip", "link", "show", shim)
	sandbox.MustPing(t, l.Host, "198.51.100.68")
	for _, tg := range tgs[1:] {
		sandbox.MustExec(t, tg.ns, "ip", "link", "del", "eth1")
	}
	r = l.Lanattach(t, "-o", "json", "gc")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"shims_deleted":["`+shim+`"]`) {
		t.Errorf("gc once the 8 slaves using shim %s were deleted by hand: want it deleted:\n%s", shim, r)
	}
	if out, err := sandbox.Exec(t, l.Host, "ip", "link", "show", shim); err == nil {
		t.Errorf("shim left after gc: %s", out)
	}
}

// TestListWithoutRecords: with no record at all (deleted by hand), list
// reads every namespace and shows a slave that is down, which no census
// can see.
func TestListWithoutRecords(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	out := l.attach(t, tg, "--parent", l.Parent, "--ip", slaveV4, "--probe", "off", "--no-announce")
	sandbox.MustExec(t, tg.ns, "ip", "link", "set", out.Interface, "down")
	if err := os.Remove(filepath.Join(recordDir(t, l), out.Record+".json")); err != nil {
		t.Fatal(err)
	}
	r := l.Lanattach(t, "--log-level", "debug", "list")
	if r.Code != 0 || !strings.Contains(r.Stderr, "census: none; reading every namespace") {
		t.Errorf("list with no record: want every namespace read:\n%s", r)
	}
	if as := l.list(t, tg); len(as) != 1 || as[0].MAC != out.MAC || as[0].Record != out.Record {
		t.Errorf("list shows %+v, want the slave that is down (%s, record %s in its mark)", as, out.MAC, out.Record)
	}
	l.Lanattach(t, append([]string{"detach"}, tg.args...)...)
}

// TestFailpointWaitNeedsResume: the failpoint action wait without a
// resume file fails the attach where it would wait (no hang), and the
// attach rolls back.
func TestFailpointWaitNeedsResume(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=rename", "LANATTACH_FAILPOINT_ACTION=wait"},
		append([]string{"attach", "--parent", l.Parent, "--ip", "198.51.100.83/24", "--probe", "off"}, tg.args...)...)
	if r.Code == 0 || !strings.Contains(r.Stderr, "needs LANATTACH_FAILPOINT_RESUME") {
		t.Fatalf("wait without LANATTACH_FAILPOINT_RESUME: want a failed attach naming it:\n%s", r)
	}
	if as := l.list(t, tg); len(as) != 0 {
		t.Errorf("the failed attach left %+v", as)
	}
}

// TestClaimSeesLateRecord: the kernel's part of the sibling check runs in
// the background, early; the record read under the lock covers what
// concurrent runs claimed since. An attach paused after its rename (its
// scan done) must still refuse an address another attach took meanwhile,
// with the other's slave as the sibling, and leave nothing behind.
func TestClaimSeesLateRecord(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tgA, tgB := l.newTarget(t, "netns"), l.newTarget(t, "netns")
	resume := filepath.Join(t.TempDir(), "resume")
	const addr = "198.51.100.81/24"
	args := append([]string{"--log-level", "debug", "-o", "json", "attach", "--parent", l.Parent, "--ip", addr, "--probe", "off"}, tgA.args...)
	a := startIn(t, l, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=rename", "LANATTACH_FAILPOINT_ACTION=wait",
		"LANATTACH_FAILPOINT_RESUME=" + resume}, args...)
	a.waitStderr(t, "failpoint rename: waiting")
	a.waitStderr(t, censusOnlyHere) // the scan has read the record
	b := l.attach(t, tgB, "--parent", l.Parent, "--ip", addr, "--probe", "off")
	if err := os.WriteFile(resume, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := a.wait(t); code != 3 || !strings.Contains(a.stdout.String(), `"where":"sibling"`) ||
		!strings.Contains(a.stdout.String(), b.MAC) {
		t.Fatalf("attach of %s taken meanwhile by %s: exit %d, want 3 with %s as the sibling\nstdout: %s\nstderr: %s",
			addr, b.Interface, code, b.MAC, a.stdout.String(), a.stderr.String())
	}
	if as := l.list(t, tgA); len(as) != 0 {
		t.Errorf("the refused attach left %+v", as)
	}
}
