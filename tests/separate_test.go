package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestSeparateLANs attaches the same address off a same-named parent
// ("lan0") of two different hosts (host netns): the two slaves sit on
// different LANs, so neither is the other's sibling and both attaches
// succeed.
func TestSeparateLANs(t *testing.T) {
	t.Parallel()
	var lans [2]*sandbox.LAN
	for i := range lans {
		lans[i] = sandbox.New(t, sandbox.Options{HostAddrs: []string{hostIP + "/24"}})
		l := &lan{LAN: lans[i]}
		t.Cleanup(func() { os.RemoveAll(recordDir(t, l)) }) // before its host netns goes
		tg := lans[i].NewTarget(t)
		r := lans[i].Lanattach(t, "attach", "--netns", tg, "--parent", "lan0", "--ip", "198.51.100.77/24", "--probe", "off")
		if r.Code != 0 {
			t.Fatalf("attach on LAN %d (host netns %s):\n%s", i, lans[i].Host, r)
		}
		if got := sandbox.MustExec(t, tg, "ip", "-4", "-o", "addr", "show", "dev", "eth1"); !strings.Contains(got, "198.51.100.77/24") {
			t.Errorf("LAN %d: eth1 has %q, want 198.51.100.77/24", i, got)
		}
	}
	for i, l := range lans {
		r := l.Lanattach(t, "-o", "json", "list")
		if n := strings.Count(r.Stdout, `"interface":`); r.Code != 0 || n != 1 {
			t.Errorf("list on LAN %d shows %d attachments, want its own one only:\n%s", i, n, r)
		}
	}
}
