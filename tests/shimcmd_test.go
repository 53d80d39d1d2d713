package tests

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// shimList is the shims part of list's JSON.
type shimList struct {
	Shims []struct {
		Name   string   `json:"name"`
		Parent string   `json:"parent"`
		Kept   bool     `json:"kept"`
		Serves []string `json:"serves"`
	} `json:"shims"`
}

// TestShimCommand prepares the shim with `lanattach shim`: an attach with
// --host-access uses it, list shows it serving the container, detach keeps
// it, `lanattach shim --remove` takes it away and the host is as before.
// A dry run of each prints the commands and changes nothing.
func TestShimCommand(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	before, sysctls := sandbox.Snapshot(t, l.Host, l.Switch), hostSysctls(t, l)
	if r := l.Lanattach(t, "shim", "--parent", l.Parent, "--dry-run"); r.Code != 0 || !strings.Contains(r.Stdout, "name "+l.Parent+"-shim type macvlan mode bridge") {
		t.Fatalf("shim --dry-run:\n%s", r)
	}
	sandbox.SameSnapshot(t, "shim --dry-run", before, sandbox.Snapshot(t, l.Host, l.Switch))
	if r := l.Lanattach(t, "-o", "json", "shim", "--parent", l.Parent, "--shim-ip", "198.51.100.9/24"); r.Code != 0 || !strings.Contains(r.Stdout, `"created":true`) {
		t.Fatalf("shim:\n%s", r)
	}
	tg := l.newTarget(t, "netns")
	out := attachHostAccess(t, l, tg, slaveV4, slaveV6, nil)
	if out != l.Parent+"-shim" {
		t.Errorf("attach used shim %q, want the prepared one", out)
	}
	if got := sandbox.MustExec(t, l.Host, "ip", "route", "get", "198.51.100.50"); !strings.Contains(got, "src 198.51.100.9 ") {
		t.Errorf("the host reaches the container from %s; want the shim's own 198.51.100.9", got)
	}
	sandbox.MustPing(t, l.Host, "198.51.100.50")
	sandbox.MustPing(t, l.Host, "2001:db8:1::50")
	sandbox.MustPing(t, tg.ns, "198.51.100.9")
	sandbox.MustPing(t, tg.ns, hostIP6)
	r := l.Lanattach(t, "-o", "json", "list")
	var sl shimList
	r.JSON(t, &sl)
	if len(sl.Shims) != 1 || !sl.Shims[0].Kept || len(sl.Shims[0].Serves) != 1 {
		t.Errorf("list shims: %s", r.Stdout)
	}
	detachAll(t, l, tg)
	if _, err := sandbox.Exec(t, l.Host, "ip", "link", "show", l.Parent+"-shim"); err != nil {
		t.Errorf("detach removed the kept shim: %v", err)
	}
	mid := sandbox.Snapshot(t, l.Host, l.Switch)
	if r := l.Lanattach(t, "shim", "--parent", l.Parent, "--remove", "--dry-run"); r.Code != 0 || !strings.Contains(r.Stdout, "ip link del "+l.Parent+"-shim") {
		t.Fatalf("shim --remove --dry-run:\n%s", r)
	}
	sandbox.SameSnapshot(t, "shim --remove --dry-run", mid, sandbox.Snapshot(t, l.Host, l.Switch))
	if r := l.Lanattach(t, "-o", "json", "shim", "--parent", l.Parent, "--remove"); r.Code != 0 || !strings.Contains(r.Stdout, `"deleted":true`) {
		t.Fatalf("shim --remove:\n%s", r)
	}
	sandbox.SameSnapshot(t, "shim, attach, detach, shim --remove", before, sandbox.Snapshot(t, l.Host, l.Switch))
	if got := hostSysctls(t, l); got != sysctls {
		t.Errorf("host settings changed:\n%s", sandbox.Diff(sysctls, got))
	}
}

// TestHostAccessRefused: a shim name taken by an interface lanattach did
// not make is bad input (exit 2), and nothing changes.
func TestHostAccessRefused(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	l.AddHostIface(t, l.Parent+"-shim")
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	r := l.Lanattach(t, append(append([]string{"-o", "json", "attach"}, tg.args...),
		"--parent", l.Parent, "--ip", slaveV4, "--host-access")...)
	wantFail(t, r, 2, "--host-access", l.Parent+"-shim", "not make")
	wantJSONFail(t, r)
	sandbox.SameSnapshot(t, "refused --host-access", before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	sandbox.SameSnapshot(t, "refused --host-access (target)", before.target, sandbox.Snapshot(t, tg.ns))
	wantNoRecords(t, l)
}

// TestHostAccessGoneContainer: a container with host access dies; gc
// forgets its record, removes its host routes and the shim nobody uses.
func TestHostAccessGoneContainer(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	tg := l.newTarget(t, "pid")
	attachHostAccess(t, l, tg, slaveV4, slaveV6, nil)
	sandbox.MustPing(t, l.Host, "198.51.100.50")
	l.killTarget(t, tg)
	// The kernel deletes the dead netns's links asynchronously.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := l.Lanattach(t, "-o", "json", "gc")
		if r.Code != 0 {
			t.Fatalf("gc:\n%s", r)
		}
		if strings.Contains(r.Stdout, `"shims_deleted":["`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gc kept the shim 10s after its only container died:\n%s", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
	sandbox.SameSnapshotEventually(t, "gc after the container died", before, l.Host, l.Switch)
	wantNoRecords(t, l)
}

// TestShimCommandKilled kills `lanattach shim` while its shim exists only
// under the temporary name (made, or marked but not renamed); gc removes
// it and its record, and the host is as before.
func TestShimCommandKilled(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"shim.made", "shim.marked"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			before := sandbox.Snapshot(t, l.Host, l.Switch)
			b := startIn(t, l, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=" + p, "LANATTACH_FAILPOINT_ACTION=hang"},
				"shim", "--parent", l.Parent)
			b.waitStderr(t, "failpoint "+p+": hanging")
			b.kill()
			if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 || !strings.Contains(r.Stdout, `"rolled_back":["`) {
				t.Fatalf("gc after the kill:\n%s", r)
			}
			sandbox.SameSnapshot(t, "gc after a killed shim command", before, sandbox.Snapshot(t, l.Host, l.Switch))
			wantNoRecords(t, l)
		})
	}
}

// TestHostAccessRecordDirDeleted: with lanattach's record gone, gc keeps
// the shim (a host route still goes through it), and detach, going by
// the kernel's marks and the slave's addresses, removes the routes and the
// shim: the host is as before.
func TestHostAccessRecordDirDeleted(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	tg := l.newTarget(t, "netns")
	attachHostAccess(t, l, tg, slaveV4, slaveV6, nil)
	if err := os.RemoveAll(recordDir(t, l)); err != nil {
		t.Fatal(err)
	}
	if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 || !strings.Contains(r.Stdout, `"shims_kept":["`) {
		t.Fatalf("gc must keep the shim in use:\n%s", r)
	}
	sandbox.MustPing(t, l.Host, "198.51.100.50")
	detachAll(t, l, tg)
	sandbox.SameSnapshot(t, "detach without a record", before, sandbox.Snapshot(t, l.Host, l.Switch))
}
