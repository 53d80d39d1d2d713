package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestAttachMacvlan attaches a macvlan slave in every mode into every kind
// of target, checks the slave, its addresses, lo, list and a ping to a LAN
// peer, then detaches and checks that nothing is left.
func TestAttachMacvlan(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"bridge", "vepa", "private", "passthru"} {
		for _, kind := range targetKinds {
			t.Run(mode+"/"+kind, func(t *testing.T) {
				t.Parallel()
				l := newLAN(t)
				tg := l.newTarget(t, kind)
				before := sandbox.Snapshot(t, l.Host, l.Switch)
				peer := sandbox.Snapshot(t, l.peer.NS)
				out := l.attach(t, tg, "--parent", l.Parent, "--macvlan-mode", mode,
					"--ip", slaveV4, "--ip", slaveV6, "--probe", "off")
				if !tg.named(out.Target) {
					t.Errorf("attach JSON target %+v does not name %s %v", out.Target, tg.kind, tg.args)
				}
				sandbox.SameSnapshot(t, "attach (another netns, the peer)", peer, sandbox.Snapshot(t, l.peer.NS))
				checkAttachOut(t, out, "eth1", "macvlan", mode, l.Parent, slaveV4, slaveV6)
				checkSlave(t, tg.ns, "eth1", "macvlan", mode, out.MAC)
				checkAddrs(t, tg.ns, "eth1", slaveV4, slaveV6)
				if mode == "passthru" {
					if host := links(t, l.Host)[l.Parent].Address; out.MAC != host {
						t.Errorf("passthru slave MAC %s, want the parent's %s", out.MAC, host)
					}
				}
				pingListDetach(t, l, tg, out, before)
			})
		}
	}
}

// pingListDetach pings the LAN peer from tg over both families, checks
// that list shows the slave attach reported, detaches, and compares the
// host and switch with the snapshot taken before the attach.
func pingListDetach(t *testing.T, l *lan, tg target, out attachOut, before string) {
	t.Helper()
	sandbox.MustPing(t, tg.ns, peerIP)
	sandbox.MustPing(t, tg.ns, peerIP6)
	checkListed(t, l, tg, attachment{Interface: "eth1", Parent: l.Parent, Mode: out.Mode,
		MAC: out.MAC, Addresses: []string{slaveV4, slaveV6}})
	detachAll(t, l, tg)
	sandbox.SameSnapshot(t, "attach then detach (host, switch)", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// checkAttachOut checks attach's JSON result.
func checkAttachOut(t *testing.T, out attachOut, iface, mode, submode, parent string, addrs ...string) {
	t.Helper()
	if out.Interface != iface || out.Mode != mode || out.Submode != submode || out.Parent != parent {
		t.Errorf("attach JSON: interface %q mode %q submode %q parent %q; want %q %q %q %q",
			out.Interface, out.Mode, out.Submode, out.Parent, iface, mode, submode, parent)
	}
	if out.MAC == "" {
		t.Errorf("attach JSON has no mac")
	}
	if !sameSet(out.Addresses, addrs) {
		t.Errorf("attach JSON addresses %v, want %v", out.Addresses, addrs)
	}
}

// checkSlave checks that iface in ns is an up slave of kind and mode with
// mac, and that lo is up.
func checkSlave(t *testing.T, ns, iface, kind, mode, mac string) {
	t.Helper()
	ls := links(t, ns)
	k, ok := ls[iface]
	if !ok {
		t.Fatalf("no %s in target %s: %v", iface, ns, names(ls))
	}
	if k.Linkinfo.Kind != kind || k.Linkinfo.Data["mode"] != mode {
		t.Errorf("%s is %s mode %v, want %s mode %s", iface, k.Linkinfo.Kind, k.Linkinfo.Data["mode"], kind, mode)
	}
	if !k.up() {
		t.Errorf("%s is not up: %v", iface, k.Flags)
	}
	if mac != "" && k.Address != mac {
		t.Errorf("%s has MAC %s, attach reported %s", iface, k.Address, mac)
	}
	if !ls["lo"].up() {
		t.Errorf("lo in target is not up: %v", ls["lo"].Flags)
	}
}

// checkAddrs checks iface's global addresses in ns.
func checkAddrs(t *testing.T, ns, iface string, want ...string) {
	t.Helper()
	if got := addrs(t, ns, iface); !sameSet(got, want) {
		t.Errorf("%s in %s has addresses %v, want %v", iface, ns, got, want)
	}
}

// checkListed checks that list shows exactly want for target tg.
func checkListed(t *testing.T, l *lan, tg target, want ...attachment) {
	t.Helper()
	got := l.list(t, tg)
	if len(got) != len(want) {
		t.Fatalf("list shows %d attachments for %s, want %d: %+v", len(got), tg.ns, len(want), got)
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(a attachment) bool { return a.Interface == w.Interface })
		if i < 0 {
			t.Errorf("list does not show %s in %s: %+v", w.Interface, tg.ns, got)
			continue
		}
		g := got[i]
		if g.Parent != w.Parent || g.Mode != w.Mode || g.MAC != w.MAC || !sameSet(g.Addresses, w.Addresses) {
			t.Errorf("list shows %+v, want %+v", g, w)
		}
		if !tg.matches(g.Target) {
			t.Errorf("list target %+v, want netns %q pid %d", g.Target, tg.name, tg.pid)
		}
	}
}

// detachAll detaches everything from tg and checks that only what
// lanattach did not make is left there.
func detachAll(t *testing.T, l *lan, tg target, keep ...string) {
	t.Helper()
	r := l.Lanattach(t, append([]string{"-o", "json", "detach"}, tg.args...)...)
	if r.Code != 0 {
		t.Fatalf("detach failed:\n%s", r)
	}
	var out struct {
		Target     targetInfo
		Interfaces []string
	}
	r.JSON(t, &out)
	if !tg.named(out.Target) || len(out.Interfaces) == 0 {
		t.Errorf("detach JSON names target %+v and interfaces %v; want %v and what it removed", out.Target, out.Interfaces, tg.args)
	}
	checkOnly(t, tg.ns, append(keep, "lo")...)
	if got := l.list(t, tg); len(got) != 0 {
		t.Errorf("list still shows %+v after detach", got)
	}
}

// checkOnly fails unless ns holds exactly the links named.
func checkOnly(t *testing.T, ns string, want ...string) {
	t.Helper()
	if got := names(links(t, ns)); !sameSet(got, want) {
		t.Errorf("%s holds links %v, want %v", ns, got, want)
	}
}

// names returns the link names of ls.
func names(ls map[string]ipLink) []string {
	var n []string
	for k := range ls {
		n = append(n, k)
	}
	return n
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestAttachNames checks the default name eth1, the next free ethN, --name,
// and detach by --name and of all, leaving links lanattach did not make.
func TestAttachNames(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	a := l.attach(t, tg, "--parent", l.Parent, "--probe", "off")
	b := l.attach(t, tg, "--parent", l.Parent, "--probe", "off")
	c := l.attach(t, tg, "--parent", l.Parent, "--name", "lan-c", "--probe", "off")
	if a.Interface != "eth1" || b.Interface != "eth2" || c.Interface != "lan-c" {
		t.Fatalf("names %q %q %q, want eth1 eth2 lan-c", a.Interface, b.Interface, c.Interface)
	}
	r := l.Lanattach(t, "detach", "--netns", tg.name, "--name", "eth1")
	if r.Code != 0 {
		t.Fatalf("detach --name eth1:\n%s", r)
	}
	checkOnly(t, tg.ns, "lo", "eth2", "lan-c")
	// A link lanattach did not make takes eth1; the next attach must skip
	// it, and detach must leave it alone.
	sandbox.MustExec(t, tg.ns, "ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth9")
	d := l.attach(t, tg, "--parent", l.Parent, "--probe", "off")
	if d.Interface != "eth3" {
		t.Errorf("with eth1 and eth2 taken, attach named the slave %q, want eth3", d.Interface)
	}
	detachAll(t, l, tg, "eth1", "eth9")
}

// TestAttachOptions checks --mac, --mtu, --gateway per family and --route
// with and without a gateway, and that traffic follows those routes.
func TestAttachOptions(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	l.AddAddr(t, l.peer.NS, l.peer.Iface, "203.0.113.200/32")
	l.AddAddr(t, l.peer.NS, l.peer.Iface, "203.0.113.7/32")
	tg := l.newTarget(t, "pid")
	const mac = "02:00:5e:10:00:01"
	out := l.attach(t, tg, "--parent", l.Parent, "--mac", mac, "--mtu", "1400",
		"--ip", slaveV4, "--ip", slaveV6, "--gateway", peerIP, "--gateway", peerIP6,
		"--route", "203.0.113.0/26 via "+peerIP, "--route", "203.0.113.64/26",
		"--route", "2001:db8:2::/64 via "+peerIP6, "--probe", "off")
	if out.MAC != mac {
		t.Errorf("attach reported MAC %s, want %s", out.MAC, mac)
	}
	if len(out.Routes) == 0 || string(out.Routes) == "null" {
		t.Errorf("attach JSON has no routes")
	}
	k := links(t, tg.ns)["eth1"]
	if k.Address != mac || k.MTU != 1400 {
		t.Errorf("eth1 has MAC %s MTU %d, want %s 1400", k.Address, k.MTU, mac)
	}
	want4 := []string{"default via " + peerIP, "203.0.113.0/26 via " + peerIP, "203.0.113.64/26", "198.51.100.0/24"}
	checkRoutes(t, tg.ns, "-4", want4...)
	checkRoutes(t, tg.ns, "-6", "default via "+peerIP6, "2001:db8:2::/64 via "+peerIP6)
	sandbox.MustPing(t, tg.ns, "203.0.113.200") // via the default route
	sandbox.MustPing(t, tg.ns, "203.0.113.7")   // via the --route gateway
	detachAll(t, l, tg)
}

// checkRoutes checks that every "DST[ via GW]" of want is a route via
// eth1 in ns.
func checkRoutes(t *testing.T, ns, family string, want ...string) {
	t.Helper()
	rs := routes(t, ns, family)
	var got []string
	for _, r := range rs {
		s := r.Dst
		if r.Gateway != "" {
			s += " via " + r.Gateway
		}
		if r.Dev == "eth1" {
			got = append(got, s)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no route %q via eth1 in %s (%s): %v", w, ns, family, got)
		}
	}
}

// TestDryRun checks that --dry-run prints ip(8) commands and changes
// nothing.
func TestDryRun(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	r := l.Lanattach(t, append(append([]string{"attach", "--dry-run"}, tg.args...),
		"--parent", l.Parent, "--macvlan-mode", "private", "--mtu", "1400", "--mac", "02:00:5e:10:00:02",
		"--ip", slaveV4, "--ip", slaveV6, "--gateway", peerIP, "--route", "203.0.113.0/24 via "+peerIP)...)
	if r.Code != 0 {
		t.Fatalf("dry run failed:\n%s", r)
	}
	for _, w := range [][]string{
		{"link add", "macvlan", "private"},
		{"address 02:00:5e:10:00:02"},
		{"mtu 1400"},
		{"addr add", slaveV4},
		{"addr add", slaveV6, "nodad"}, // fast mode: lanattach's DAD probe, no kernel DAD after it
		{"route add", "default via " + peerIP},
		{"route add", "203.0.113.0/24 via " + peerIP},
	} {
		if !hasIPLine(r.Stdout, w...) {
			t.Errorf("dry run prints no ip(8) command with %q:\n%s", w, r.Stdout)
		}
	}
	sandbox.SameSnapshot(t, "attach --dry-run", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
}

// TestDryRunOrder checks that --dry-run prints the changes in the order
// attach makes them: with --probe off the slave comes up only once it has
// its addresses (the kernel announces them) and its MAC is set again; with
// a probe it comes up first. lo comes up last, and only when it is down.
func TestDryRunOrder(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	for _, c := range []struct {
		probe string
		loUp  bool
		order []string // each a substring of one line, in this order
	}{
		{"off", false, []string{"arp_notify", "accept_ra", "addr add", "eth1 up", "route add", "address MAC", "lo up"}},
		{"off", true, []string{"arp_notify", "accept_ra", "addr add", "eth1 up", "route add", "address MAC"}},
		{"fast", false, []string{"arp_notify", "accept_ra", "eth1 up", "# probe", "addr add", "route add", "# announce", "lo up"}},
	} {
		t.Run(fmt.Sprintf("probe-%s/lo-up-%v", c.probe, c.loUp), func(t *testing.T) {
			tg := l.newTarget(t, "netns")
			if c.loUp {
				sandbox.MustExec(t, tg.ns, "ip", "link", "set", "lo", "up")
			}
			r := l.Lanattach(t, append(append([]string{"attach", "--dry-run"}, tg.args...),
				"--parent", l.Parent, "--name", "eth1", "--ip", slaveV4, "--gateway", peerIP, "--probe", c.probe)...)
			if r.Code != 0 {
				t.Fatalf("dry run failed:\n%s", r)
			}
			lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
			at := 0
			for _, w := range c.order {
				i := slices.IndexFunc(lines, func(line string) bool { return strings.Contains(line, w) })
				if i < at {
					t.Fatalf("%q is missing or out of order (want %q):\n%s", w, c.order, r.Stdout)
				}
				at = i
			}
			if n := strings.Count(r.Stdout, "link set lo up"); n != 0 && c.loUp {
				t.Errorf("lo is up, yet the plan brings it up:\n%s", r.Stdout)
			}
		})
	}
}

// hasIPLine reports whether out has an `ip ...` line containing every
// string of want.
func hasIPLine(out string, want ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "ip ") {
			continue
		}
		if !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(line, w) }) {
			return true
		}
	}
	return false
}

// TestGC checks that gc with nothing to collect changes nothing and prints
// TestGC checks gc with nothing to collect (a live attachment: gc changes
// nothing and says so), then with a container gone (its netns deleted): gc
// forgets its record and lists it no more.
func TestGC(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	out := l.attach(t, tg, "--parent", l.Parent, "--probe", "off")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	r := l.Lanattach(t, "-o", "json", "gc")
	var res struct {
		RolledBack     []string `json:"rolled_back"`
		RecordsRemoved []string `json:"records_removed"`
		VLANsDeleted   []string `json:"vlans_deleted"`
		Kept           []string `json:"kept"`
	}
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &res) != nil ||
		len(res.RolledBack)+len(res.RecordsRemoved)+len(res.VLANsDeleted)+len(res.Kept) != 0 {
		t.Fatalf("gc with nothing to collect:\n%s", r)
	}
	sandbox.SameSnapshot(t, "gc", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
	wantState(t, l, out.Interface, "ok")
	sandbox.MustExec(t, l.Host, "ip", "netns", "del", tg.name)
	eventuallyState(t, l, out.Interface, "gone")
	r = l.Lanattach(t, "-o", "json", "gc")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"records_removed":["`) {
		t.Fatalf("gc must forget the gone container's record:\n%s", r)
	}
	if as := listAll(t, l); len(as) != 0 {
		t.Errorf("list after gc: %+v", as)
	}
	wantNoRecords(t, l)
}
