package tests

import (
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// vlanOf returns the VID and parent link of VLAN link name in ns, or ok
// false when ns has no such VLAN link.
func vlanOf(t *testing.T, ns, name string) (vid int, ok bool) {
	t.Helper()
	k, found := links(t, ns)[name]
	if !found || k.Linkinfo.Kind != "vlan" {
		return 0, false
	}
	id, _ := k.Linkinfo.Data["id"].(float64)
	return int(id), true
}

// addVLAN makes VLAN vid on parent in ns, up, named name.
func addVLAN(t *testing.T, ns, parent, name string, vid int, addrs ...string) {
	t.Helper()
	sandbox.MustExec(t, ns, "ip", "link", "add", "link", parent, "name", name, "type", "vlan", "id", strconv.Itoa(vid))
	sandbox.MustExec(t, ns, "ip", "link", "set", name, "up")
	for _, a := range addrs {
		sandbox.MustExec(t, ns, "ip", "addr", "add", a, "dev", name, "nodad")
	}
}

// TestVLANAttach attaches through an auto-made VLAN (--parent PARENT.50 and
// --vlan 50), pings a peer on that VLAN, reuses the VLAN for a second
// slave, and checks that detach deletes it only with its last slave.
func TestVLANAttach(t *testing.T) {
	t.Parallel()
	sandbox.RequireKernel(t, "vlan")
	l := newLAN(t)
	addVLAN(t, l.peer.NS, l.peer.Iface, "eth0.50", 50, "203.0.113.2/24")
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	a, b := l.newTarget(t, "netns"), l.newTarget(t, "pid")
	outA := l.attach(t, a, "--parent", l.Parent+".50", "--ip", "203.0.113.50/24", "--probe", "off")
	if !outA.VLANCreated || outA.Parent != l.Parent+".50" {
		t.Errorf("first attach: vlan_created %v parent %q, want true <parent>.50", outA.VLANCreated, outA.Parent)
	}
	if vid, ok := vlanOf(t, l.Host, l.Parent+".50"); !ok || vid != 50 {
		t.Fatalf("host has no VLAN %s.50 with VID 50 (vid %d, found %v)", l.Parent, vid, ok)
	}
	if !links(t, l.Host)[l.Parent+".50"].up() {
		t.Errorf("<parent>.50 is not up")
	}
	sandbox.MustPing(t, a.ns, "203.0.113.2")
	outB := l.attach(t, b, "--parent", l.Parent, "--vlan", "50", "--ip", "203.0.113.51/24", "--probe", "off")
	if outB.VLANCreated || outB.Parent != l.Parent+".50" {
		t.Errorf("second attach: vlan_created %v parent %q, want false <parent>.50 (reused)", outB.VLANCreated, outB.Parent)
	}
	sandbox.MustPing(t, b.ns, "203.0.113.2")
	checkListed(t, l, a, attachment{Interface: "eth1", Parent: l.Parent + ".50", Mode: "macvlan", MAC: outA.MAC, Addresses: []string{"203.0.113.50/24"}})
	detachAll(t, l, a)
	if _, ok := vlanOf(t, l.Host, l.Parent+".50"); !ok {
		t.Fatalf("detach deleted <parent>.50 while %s still uses it", b.ns)
	}
	detachAll(t, l, b)
	if _, ok := vlanOf(t, l.Host, l.Parent+".50"); ok {
		t.Errorf("<parent>.50 is left after its last slave was detached")
	}
	sandbox.SameSnapshot(t, "attach via VLAN then detach", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// TestVLANGC checks that gc deletes an auto-made VLAN whose slaves died
// with their container, and keeps one still in use.
func TestVLANGC(t *testing.T) {
	t.Parallel()
	sandbox.RequireKernel(t, "vlan")
	l := newLAN(t)
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	dead, alive := l.newTarget(t, "pid"), l.newTarget(t, "netns")
	l.attach(t, dead, "--parent", l.Parent+".60", "--probe", "off")
	l.attach(t, alive, "--parent", l.Parent+".61", "--probe", "off")
	if err := syscall.Kill(dead.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The kernel deletes the dead netns's links asynchronously.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := l.Lanattach(t, "gc")
		if r.Code != 0 {
			t.Fatalf("gc failed:\n%s", r)
		}
		if _, ok := vlanOf(t, l.Host, l.Parent+".60"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("gc left <parent>.60 10s after its only slave's netns died")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, ok := vlanOf(t, l.Host, l.Parent+".61"); !ok {
		t.Fatalf("gc deleted <parent>.61, which %s still uses", alive.ns)
	}
	detachAll(t, l, alive)
	sandbox.SameSnapshot(t, "VLAN attach, gc, detach", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// TestVLANForeign checks that a VLAN lanattach did not make is used but
// never deleted, and that a link with the VLAN's name but another VID or
// another kind is refused.
func TestVLANForeign(t *testing.T) {
	t.Parallel()
	sandbox.RequireKernel(t, "vlan")
	l := newLAN(t)
	addVLAN(t, l.Host, l.Parent, l.Parent+".90", 90)
	addVLAN(t, l.Host, l.Parent, l.Parent+".70", 71)
	l.AddHostIface(t, l.Parent+".80")
	tg := l.newTarget(t, "netns")
	for _, parent := range []string{l.Parent + ".70", l.Parent + ".80"} {
		before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
		r := l.Lanattach(t, append(append([]string{"attach"}, tg.args...), "--parent", parent, "--probe", "off")...)
		wantFail(t, r, 2, parent)
		sandbox.SameSnapshot(t, "refused attach to "+parent, before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
	}
	out := l.attach(t, tg, "--parent", l.Parent+".90", "--probe", "off")
	if out.VLANCreated {
		t.Errorf("attach to the existing <parent>.90 reports vlan_created")
	}
	detachAll(t, l, tg)
	if r := l.Lanattach(t, "gc"); r.Code != 0 {
		t.Fatalf("gc failed:\n%s", r)
	}
	for _, name := range []string{l.Parent + ".90", l.Parent + ".70"} {
		if _, ok := vlanOf(t, l.Host, name); !ok {
			t.Errorf("%s, not made by lanattach, was deleted", name)
		}
	}
	if _, ok := links(t, l.Host)[l.Parent+".80"]; !ok {
		t.Errorf("%s.80, not a VLAN and not made by lanattach, was deleted", l.Parent)
	}
}

// TestVLANNameTooLong checks that a VLAN whose name would exceed 15 bytes
// is refused as bad input.
func TestVLANNameTooLong(t *testing.T) {
	t.Parallel()
	sandbox.RequireKernel(t, "vlan")
	l := newLAN(t)
	l.AddHostIface(t, "abcdefghijkl")
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	r := l.Lanattach(t, append(append([]string{"attach"}, tg.args...), "--parent", "abcdefghijkl", "--vlan", "100")...)
	wantFail(t, r, 2)
	sandbox.SameSnapshot(t, "refused attach", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
}

// TestDummyParent attaches macvlan (and, where the kernel has it, ipvlan)
// slaves to a dummy parent.
func TestDummyParent(t *testing.T) {
	t.Parallel()
	sandbox.RequireKernel(t, "dummy")
	for _, mode := range []string{"macvlan", "ipvlan"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			sandbox.RequireKernel(t, mode)
			l := newLAN(t)
			sandbox.MustExec(t, l.Host, "ip", "link", "add", "dummy0", "type", "dummy")
			sandbox.MustExec(t, l.Host, "ip", "link", "set", "dummy0", "up")
			before := sandbox.Snapshot(t, l.Host, l.Switch)
			tg := l.newTarget(t, "netns")
			out := l.attach(t, tg, "--parent", "dummy0", "--mode", mode, "--ip", "203.0.113.50/24", "--probe", "off")
			if out.Parent != "dummy0" || out.Mode != mode {
				t.Errorf("attach JSON parent %q mode %q, want dummy0 %s", out.Parent, out.Mode, mode)
			}
			checkAddrs(t, tg.ns, "eth1", "203.0.113.50/24")
			detachAll(t, l, tg)
			sandbox.SameSnapshot(t, fmt.Sprintf("%s on dummy0, detach", mode), before, sandbox.Snapshot(t, l.Host, l.Switch))
		})
	}
}
