package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// hiddenTarget makes a netns kept alive only by a bind mount under a temp
// dir, with no process in it and no /run/netns name: lanattach cannot find
// it by scanning. It is unmounted (and so dies) on cleanup, unless unmount
// was called first.
func hiddenTarget(t *testing.T) (tg target, unmount func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ns")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unshare", "--net="+path, "true").CombinedOutput(); err != nil {
		t.Fatalf("unshare --net=%s: %v: %s", path, err, out)
	}
	mounted := true
	unmount = func() {
		if mounted {
			if out, err := exec.Command("umount", path).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", path, err, out)
			}
			mounted = false
		}
	}
	t.Cleanup(unmount)
	sandbox.MustExec(t, path, "ip", "link", "set", "lo", "up")
	return target{kind: "netns-path", args: []string{"--netns-path", path}, ns: path}, unmount
}

// TestHiddenNetnsListed attaches into a netns no scan can find: list still
// shows it (through the record and the host's nsid for it), as "gone"
// once the netns died, and gc then forgets it.
func TestHiddenNetnsListed(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg, unmount := hiddenTarget(t)
	out := l.attach(t, tg, "--parent", l.Parent, "--ip", slaveV4, "--probe", "off")
	wantState(t, l, out.Interface, "ok")
	unmount()
	eventuallyState(t, l, out.Interface, "gone")
	if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 || !strings.Contains(r.Stdout, `"records_removed":["`) {
		t.Fatalf("gc must forget the gone attachment:\n%s", r)
	}
	if as := listAll(t, l); len(as) != 0 {
		t.Errorf("list after gc: %+v, want nothing", as)
	}
	wantNoRecords(t, l)
}

// TestHiddenNetnsKeepsVLAN is the fail-closed VLAN rule: a slave on an
// auto-made VLAN lives in a netns that no scan finds (bind mount, no
// process). Detach of another container on the same VLAN, and gc, must
// leave the VLAN and that slave alone; once the hidden one is detached,
// the VLAN goes.
func TestHiddenNetnsKeepsVLAN(t *testing.T) {
	t.Parallel()
	sandbox.RequireKernel(t, "vlan")
	l := newLAN(t)
	hidden, _ := hiddenTarget(t)
	other := l.newTarget(t, "netns")
	vlan := l.Parent + ".50"
	l.attach(t, hidden, "--parent", vlan, "--ip", "203.0.113.50/24", "--probe", "off")
	l.attach(t, other, "--parent", vlan, "--ip", "203.0.113.51/24", "--probe", "off")
	detachAll(t, l, other)
	if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 || !strings.Contains(r.Stdout, vlan+": slave eth1") {
		t.Fatalf("gc must keep %s and say why:\n%s", vlan, r)
	}
	if _, err := l.Exec(t, l.Host, "ip", "link", "show", vlan); err != nil {
		t.Fatalf("%s was deleted under a live slave: %v", vlan, err)
	}
	checkOnly(t, hidden.ns, "lo", "eth1")
	r := l.Lanattach(t, "-o", "json", "detach", "--netns-path", hidden.ns)
	if r.Code != 0 || !strings.Contains(r.Stdout, `"vlans_deleted":["`+vlan+`"]`) {
		t.Fatalf("detach of the last slave must delete %s:\n%s", vlan, r)
	}
	wantNoRecords(t, l)
}

// TestRecordDirDeleted checks that deleting the record is safe: list and
// detach fall back to the marks on the links.
func TestRecordDirDeleted(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	out := l.attach(t, tg, "--parent", l.Parent, "--ip", slaveV4, "--probe", "off")
	if err := os.RemoveAll(recordDir(t, l)); err != nil {
		t.Fatal(err)
	}
	wantState(t, l, out.Interface, "ok")
	detachAll(t, l, tg)
	checkOnly(t, tg.ns, "lo")
}
