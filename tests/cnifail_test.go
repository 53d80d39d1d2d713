package tests

import (
	"context"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestCNIClash: an address held by a LAN peer, the host or a sibling
// slave fails ADD with code 100 naming the address and where it is held
// (with "probe": "off" too, for the host and a sibling);
// nothing is left in the container, on the host or the switch, and the
// IPAM allocation is released.
func TestCNIClash(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"none", "host-local"} {
		for _, where := range []string{"lan", "host", "sibling"} {
			t.Run(src+"/"+where, func(t *testing.T) {
				t.Parallel()
				cniClash(t, src, where, nil)
			})
		}
	}
	for _, where := range []string{"host", "sibling"} { // found by the claim alone
		t.Run("host-local/probe-off/"+where, func(t *testing.T) {
			t.Parallel()
			cniClash(t, "host-local", where, map[string]any{"probe": "off"})
		})
	}
}

// cniClash runs one case of TestCNIClash, with plugin keys.
func cniClash(t *testing.T, src, where string, keys map[string]any) {
	l := newLAN(t)
	n := newCNINet(t, l, "1.1.0", keys)
	host := map[string]int{"lan": 2, "host": 1, "sibling": 50}[where]
	ip := l.IP(host)
	c := n.cfg(t)
	if where == "sibling" {
		sib := newCNINet(t, l, "1.1.0", map[string]any{"addresses": []string{slaveV4}})
		sib.add(t, sib.cfg(t), rt("sib", l.newTarget(t, "netns")))
	}
	if src == "none" {
		n.plugin["addresses"] = []string{l.Addr(host)}
	} else {
		n.plugin["ipam"] = n.hostLocal(host, host)
	}
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	_, err := c.AddNetworkList(context.Background(), n.list(t), rt("c1", tg))
	wantCode(t, err, 100, ip, where)
	sandbox.SameSnapshot(t, "a clashing ADD", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
	if n.allocated(ip) {
		t.Errorf("host-local still holds %s after the failed ADD", ip)
	}
	if got := n.listed(t); len(got) != 0 {
		t.Errorf("list shows %+v after the failed ADD", got)
	}
}

// TestCNIFailure: an ADD that fails after the slave is configured (a
// failpoint after each late step) is code 102; nothing is left in the
// container, on the host or the switch, no record, and host-local's
// allocation is released.
func TestCNIFailure(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"route", "done"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			n := newCNINet(t, l, "1.0.0", nil)
			n.wrap(t, "lanattach", sandbox.FailpointBin(t), "LANATTACH_FAILPOINT="+step)
			n.plugin["ipam"] = n.hostLocal(50, 50)
			tg := l.newTarget(t, "netns")
			before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
			_, err := n.cfg(t).AddNetworkList(context.Background(), n.list(t), rt("c1", tg))
			wantCode(t, err, 102, "failpoint "+step)
			sandbox.SameSnapshot(t, "a failed ADD", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
			if n.allocated(l.IP(50)) || len(n.listed(t)) != 0 {
				t.Errorf("after the failed ADD host-local holds %s: %v; records: %+v", l.IP(50), n.allocated(l.IP(50)), n.listed(t))
			}
		})
	}
}

// TestCNICheckFails: CHECK fails when the slave no longer matches
// prevResult: its address gone, or its MAC changed.
func TestCNICheckFails(t *testing.T) {
	t.Parallel()
	for _, change := range [][]string{
		{"ip", "addr", "flush", "dev", "eth0"},
		{"ip", "link", "set", "eth0", "address", "02:00:5e:10:00:77"},
	} {
		t.Run(change[1], func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			n := newCNINet(t, l, "1.1.0", map[string]any{"addresses": []string{slaveV4}})
			tg := l.newTarget(t, "netns")
			c, r := n.cfg(t), rt("c1", tg)
			n.add(t, c, r)
			sandbox.MustExec(t, tg.ns, change...)
			if err := c.CheckNetworkList(context.Background(), n.list(t), r); err == nil {
				t.Errorf("CHECK passed after %v", change)
			}
			if err := c.DelNetworkList(context.Background(), n.list(t), r); err != nil {
				t.Errorf("DEL: %v", err)
			}
			checkOnly(t, tg.ns, "lo")
		})
	}
}
