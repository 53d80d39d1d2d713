package tests

import (
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
		tg := lans[i].NewTarget(t)
		r := lans[i].Lanattach(t, "attach", "--netns", tg, "--parent", "lan0", "--ip", "198.51.100.77/24", "--probe", "off")
		if r.Code != 0 {
			t.Fatalf("attach on LAN %d (host netns %s):\n%s", i, lans[i].Host, r)
		}
	}
}
