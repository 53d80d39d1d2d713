package tests

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestCNIDelWhileAdding: a DEL that comes while the ADD is still running
// fails and keeps the IPAM allocation (releasing it would let another
// container be handed the address the slave is about to use). Once the
// ADD is killed, DEL rolls its half-made attachment back and releases.
func TestCNIDelWhileAdding(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	n := newCNINet(t, l, "1.0.0", nil)
	n.plugin["ipam"] = n.hostLocal(50, 50)
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	conf := map[string]any{"cniVersion": n.ver, "name": n.name}
	for k, v := range n.plugin {
		conf[k] = v
	}
	stdin, err := json.Marshal(conf)
	if err != nil {
		t.Fatal(err)
	}
	// The ADD hangs after step up, by when it has taken the allocation.
	b := &bgRun{done: make(chan struct{})}
	b.cmd = exec.Command("ip", "netns", "exec", l.Host, sandbox.FailpointBin(t))
	b.cmd.Env = append(b.cmd.Environ(), "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_NETNS="+tg.nsPath(),
		"CNI_IFNAME=eth0", "CNI_PATH="+n.binDir+":"+stockCNIDir, "LANATTACH_FAILPOINT=up", "LANATTACH_FAILPOINT_ACTION=hang")
	b.cmd.Stdin = strings.NewReader(string(stdin))
	b.cmd.Stdout, b.cmd.Stderr = &b.stdout, &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.err = b.cmd.Wait(); close(b.done) }()
	t.Cleanup(b.kill)
	b.waitStderr(t, "failpoint up: hanging")
	if !n.allocated(l.IP(50)) {
		t.Fatalf("the hung ADD holds no allocation of %s", l.IP(50))
	}
	cfg, r := n.cfg(t), rt("c1", tg)
	err = cfg.DelNetworkList(context.Background(), n.list(t), r)
	wantCode(t, err, 102, "attach")
	if !n.allocated(l.IP(50)) {
		t.Fatalf("DEL released %s while its ADD still runs", l.IP(50))
	}
	b.kill()
	if err := cfg.DelNetworkList(context.Background(), n.list(t), r); err != nil {
		t.Fatalf("DEL after the ADD was killed: %v", err)
	}
	if n.allocated(l.IP(50)) || len(n.listed(t)) != 0 {
		t.Errorf("after DEL, host-local holds %s: %v; records: %+v", l.IP(50), n.allocated(l.IP(50)), n.listed(t))
	}
	checkOnly(t, tg.ns, "lo")
	sandbox.SameSnapshot(t, "DEL after a killed ADD", before, sandbox.Snapshot(t, l.Host, l.Switch))
}
