package tests

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestCNIIPAMWhileMaking: ADD runs the IPAM plugin while it makes the
// slave and asks for the addresses only when the slave is about to come
// up. Whichever side is slower or fails, the result is the same as one
// after the other: a slow IPAM's address is assigned; an IPAM failing
// early or late leaves nothing (code 102, its message passed on); an
// attach failing before it asked (a missing parent, a failpoint) releases
// what IPAM allocated meanwhile.
func TestCNIIPAMWhileMaking(t *testing.T) {
	t.Parallel()
	const fail = `echo '{"cniVersion":"1.0.0","code":11,"msg":"no addresses left in the pool"}'; exit 1`
	// An address with a route via a gateway off its subnet, refused after
	// the attach took it: its rollback must run the plugin's DEL.
	const refused = `case $CNI_COMMAND in
ADD) echo '{"cniVersion":"1.0.0","ips":[{"address":"198.51.100.50/24"}],"routes":[{"dst":"203.0.113.0/24","gw":"203.0.113.1"}]}';;
DEL) touch "$0.released";;
esac`
	for _, c := range []struct {
		name, script string // the IPAM plugin "ipam" (a shell script), "" for host-local
		keys         map[string]any
		failpoint    string
		code         uint
		want         string
	}{
		{name: "slow ipam", script: "sleep 0.3; exec " + stockCNIDir + "/host-local"},
		{name: "ipam fails late", script: "sleep 0.3; " + fail, code: 102, want: "no addresses left"},
		{name: "ipam fails at once", script: fail, code: 102, want: "no addresses left"},
		{name: "parent missing", keys: map[string]any{"master": "nosuch0"}, code: 101, want: "master"},
		{name: "failpoint rename", failpoint: "rename", code: 102, want: "failpoint rename"},
		{name: "ipam result refused", script: refused, code: 101, want: "routes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			n := newCNINet(t, l, "1.0.0", c.keys)
			n.plugin["ipam"] = n.hostLocal(50, 50)
			if c.script != "" {
				ipam := n.hostLocal(50, 50)
				ipam["type"] = "ipam"
				n.plugin["ipam"] = ipam
				script := "#!/bin/sh\n" + c.script + "\n"
				writeExec(t, filepath.Join(n.binDir, "ipam"), []byte(script))
			}
			if c.failpoint != "" {
				n.wrap(t, "lanattach", sandbox.FailpointBin(t), "LANATTACH_FAILPOINT="+c.failpoint)
			}
			tg := l.newTarget(t, "netns")
			seen := []string{l.Host, l.Switch, tg.ns}
			if c.code == 0 {
				seen = seen[:2] // attach leaves lo up in the container
			}
			before := sandbox.Snapshot(t, seen...)
			cfg, r := n.cfg(t), rt("c1", tg)
			if c.code == 0 {
				n.add(t, cfg, r)
				checkAddrs(t, tg.ns, "eth0", l.Addr(50))
				if err := cfg.DelNetworkList(context.Background(), n.list(t), r); err != nil {
					t.Fatalf("DEL: %v", err)
				}
				checkOnly(t, tg.ns, "lo")
			} else {
				_, err := cfg.AddNetworkList(context.Background(), n.list(t), r)
				wantCode(t, err, c.code, c.want)
			}
			if c.script == refused {
				if _, err := os.Stat(filepath.Join(n.binDir, "ipam.released")); err != nil {
					t.Errorf("the refused allocation was not released: %v", err)
				}
			}
			sandbox.SameSnapshot(t, c.name, before, sandbox.Snapshot(t, seen...))
			if n.allocated(l.IP(50)) || len(n.listed(t)) != 0 {
				t.Errorf("host-local holds %s: %v; records: %+v", l.IP(50), n.allocated(l.IP(50)), n.listed(t))
			}
		})
	}
}
