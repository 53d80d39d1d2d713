package tests

import (
	"context"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// cniIPAMs are the address sources of the conformance test: lanattach's
// own "addresses", the static IPAM and host-local (.50 only).
func cniIPAMs(n *cniNet) map[string]map[string]any {
	return map[string]map[string]any{
		"none":       {"addresses": []string{slaveV4}},
		"static":     {"ipam": map[string]any{"type": "static", "addresses": []map[string]any{{"address": slaveV4}}}},
		"host-local": {"ipam": n.hostLocal(50, 50)},
	}
}

// TestCNIConformance drives the plugin through libcni for spec 1.0.0 and
// 1.1.0 with each address source: ADD (the container reaches a LAN peer,
// list shows the container and network), CHECK, DEL, DEL again; nothing is
// left and the IPAM allocation is released.
func TestCNIConformance(t *testing.T) {
	t.Parallel()
	for _, ver := range []string{"1.0.0", "1.1.0"} {
		for _, src := range []string{"none", "static", "host-local"} {
			t.Run(ver+"/"+src, func(t *testing.T) {
				t.Parallel()
				l := newLAN(t)
				cniLifecycle(t, l, cniCase{ver: ver, src: src})
			})
		}
	}
}

// TestCNIConformanceKernel runs the conformance cycle with an ipvlan slave
// and on an auto-made VLAN parent (deleted again by DEL). It needs ipvlan
// and 802.1q, so it runs in the VM only.
func TestCNIConformanceKernel(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"none", "host-local"} {
		t.Run("ipvlan/"+src, func(t *testing.T) {
			t.Parallel()
			sandbox.RequireKernel(t, "ipvlan")
			l := newLAN(t)
			cniLifecycle(t, l, cniCase{ver: "1.1.0", src: src, keys: map[string]any{"mode": "ipvlan", "submode": "l2"}})
		})
	}
	t.Run("vlan", func(t *testing.T) {
		t.Parallel()
		sandbox.RequireKernel(t, "vlan")
		l := newLAN(t)
		addVLAN(t, l.peer.NS, l.peer.Iface, "eth0.50", 50, "203.0.113.2/24")
		cniLifecycle(t, l, cniCase{ver: "1.1.0", src: "none", addr: "203.0.113.50/24", ping: "203.0.113.2",
			keys: map[string]any{"master": l.Parent + ".50"}})
		cniGCVLAN(t, l)
	})
}

// cniGCVLAN: GC with an empty valid list, from a runtime whose cache
// knows nothing, removes an attachment on an auto-made VLAN and the VLAN.
func cniGCVLAN(t *testing.T, l *lan) {
	n := newCNINet(t, l, "1.1.0", map[string]any{"master": l.Parent + ".50", "addresses": []string{"203.0.113.51/24"}})
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	n.add(t, n.cfg(t), rt("c2", tg))
	if _, ok := vlanOf(t, l.Host, l.Parent+".50"); !ok {
		t.Fatalf("ADD made no VLAN %s.50", l.Parent)
	}
	if err := n.cfg(t).GCNetworkList(context.Background(), n.list(t), &libcni.GCArgs{}); err != nil {
		t.Fatalf("GC: %v", err)
	}
	checkOnly(t, tg.ns, "lo")
	sandbox.SameSnapshot(t, "ADD on a VLAN then GC", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// cniCase is one conformance cycle: spec version, address source (a key
// of cniIPAMs), extra plugin keys, and for "none" the address (default
// slaveV4) and the peer to ping (default peerIP).
type cniCase struct {
	ver, src   string
	keys       map[string]any
	addr, ping string
}

// cniLifecycle runs ADD, CHECK, DEL, DEL again on l for c.
func cniLifecycle(t *testing.T, l *lan, c cniCase) {
	if c.addr == "" {
		c.addr, c.ping = slaveV4, peerIP
	}
	n := newCNINet(t, l, c.ver, nil)
	for k, v := range cniIPAMs(n)[c.src] {
		n.plugin[k] = v
	}
	for k, v := range c.keys {
		n.plugin[k] = v
	}
	if c.src == "none" {
		n.plugin["addresses"] = []string{c.addr}
	}
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	cfg, r := n.cfg(t), rt("c1", tg)
	res := n.add(t, cfg, r)
	if got := res.IPs[0].Address.String(); got != c.addr {
		t.Errorf("ADD gave %s, want %s", got, c.addr)
	}
	checkAddrs(t, tg.ns, "eth0", c.addr)
	sandbox.MustPing(t, tg.ns, c.ping)
	n.checkDel(t, cfg, r, tg)
	if n.allocated(l.IP(50)) {
		t.Errorf("host-local still holds %s after DEL", l.IP(50))
	}
	sandbox.SameSnapshot(t, "ADD then DEL", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// TestCNIDelGone: DEL succeeds when the container (and with it its
// netns) is gone already, and forgets the record.
func TestCNIDelGone(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	n := newCNINet(t, l, "1.0.0", map[string]any{"addresses": []string{slaveV4}})
	tg := l.newTarget(t, "pid")
	c, r := n.cfg(t), rt("c1", tg)
	n.add(t, c, r)
	l.killTarget(t, tg)
	if err := c.DelNetworkList(context.Background(), n.list(t), r); err != nil {
		t.Fatalf("DEL after the netns is gone: %v", err)
	}
	if got := n.listed(t); len(got) != 0 {
		t.Errorf("list still shows %+v after DEL", got)
	}
}

// TestCNIGC: GC (spec 1.1.0, from a runtime whose cache knows nothing)
// removes the attachments of the network the valid list does not name,
// with their host-local allocations, and keeps the named one; without a
// valid list it removes them all.
func TestCNIGC(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	n := newCNINet(t, l, "1.1.0", nil)
	n.plugin["ipam"] = n.hostLocal(50, 59)
	c := n.cfg(t)
	t1, t2 := l.newTarget(t, "netns"), l.newTarget(t, "netns")
	ip1 := n.add(t, c, rt("c1", t1)).IPs[0].Address.IP.String()
	ip2 := n.add(t, c, rt("c2", t2)).IPs[0].Address.IP.String()
	ctx := context.Background()
	fresh := n.cfg(t) // its cache is empty: only the plugin's GC can clean
	valid := &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: "c1", IfName: "eth0"}}}
	if err := fresh.GCNetworkList(ctx, n.list(t), valid); err != nil {
		t.Fatalf("GC with c1 valid: %v", err)
	}
	checkOnly(t, t2.ns, "lo")
	checkOnly(t, t1.ns, "lo", "eth0")
	if !n.allocated(ip1) || n.allocated(ip2) {
		t.Errorf("after GC host-local holds %s: %v, %s: %v; want only %s", ip1, n.allocated(ip1), ip2, n.allocated(ip2), ip1)
	}
	got := n.listed(t)
	if len(got) != 1 || got[0].CNI.ContainerID != "c1" {
		t.Errorf("list after GC: %+v, want c1 only", got)
	}
	if err := fresh.GCNetworkList(ctx, n.list(t), &libcni.GCArgs{}); err != nil {
		t.Fatalf("GC without a valid list: %v", err)
	}
	checkOnly(t, t1.ns, "lo")
	if n.allocated(ip1) || len(n.listed(t)) != 0 {
		t.Errorf("GC without a valid list left %s allocated or records %+v", ip1, n.listed(t))
	}
}

// TestCNIStatus: STATUS passes on a parent that is up and fails with code
// 50 on one that is missing or down, and for a slave type the kernel
// lacks (ipvlan here; in the VM, which has it, STATUS passes).
func TestCNIStatus(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	n := newCNINet(t, l, "1.1.0", nil)
	c := n.cfg(t)
	ctx := context.Background()
	if err := c.GetStatusNetworkList(ctx, n.list(t)); err != nil {
		t.Errorf("STATUS on an up parent: %v", err)
	}
	sandbox.MustExec(t, l.Host, "ip", "link", "set", l.Parent, "down")
	wantCode(t, c.GetStatusNetworkList(ctx, n.list(t)), 50, l.Parent)
	n.plugin["master"] = "nosuch0"
	wantCode(t, c.GetStatusNetworkList(ctx, n.list(t)), 50, "nosuch0")
	sandbox.MustExec(t, l.Host, "ip", "link", "set", l.Parent, "up")
	n.plugin["master"], n.plugin["mode"] = l.Parent, "ipvlan"
	if err := c.GetStatusNetworkList(ctx, n.list(t)); sandbox.KernelHas(t, "ipvlan") {
		if err != nil {
			t.Errorf("STATUS of ipvlan on a kernel with ipvlan: %v", err)
		}
	} else {
		wantCode(t, err, 50, "ipvlan")
	}
}

// TestCNIOlderSpecs: ADD, CHECK (from 0.4.0 on) and DEL at spec 0.3.1
// and 0.4.0, whose results libcni reads in their own format.
func TestCNIOlderSpecs(t *testing.T) {
	t.Parallel()
	for _, ver := range []string{"0.3.1", "0.4.0"} {
		t.Run(ver, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			n := newCNINet(t, l, ver, nil)
			n.plugin["ipam"] = n.hostLocal(50, 50)
			tg := l.newTarget(t, "netns")
			c, r := n.cfg(t), rt("c1", tg)
			n.add(t, c, r)
			checkAddrs(t, tg.ns, "eth0", slaveV4)
			ctx := context.Background()
			if err := c.CheckNetworkList(ctx, n.list(t), r); (ver == "0.3.1") != (err != nil) {
				t.Errorf("CHECK at %s: %v (0.3.1 has no CHECK, 0.4.0 has)", ver, err)
			}
			if err := c.DelNetworkList(ctx, n.list(t), r); err != nil {
				t.Fatalf("DEL: %v", err)
			}
			checkOnly(t, tg.ns, "lo")
			if n.allocated(l.IP(50)) {
				t.Errorf("host-local still holds %s after DEL", l.IP(50))
			}
		})
	}
}
