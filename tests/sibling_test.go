package tests

import (
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestForeignSiblingInAttachedNetns: a container holds a lanattach slave
// and, beside it, a macvlan on the same parent that lanattach did not make,
// with an address of its own. Another attach of that address (private
// mode: its ARP probe cannot reach a sibling) must be stopped by the
// sibling check, even though the record already accounts for that netns.
func TestForeignSiblingInAttachedNetns(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	l.attach(t, tg, "--parent", l.Parent, "--ip", slaveV4, "--probe", "off")
	sandbox.MustExec(t, l.Host, "ip", "link", "add", "link", l.Parent, "name", "foreign0", "netns", tg.name, "type", "macvlan", "mode", "bridge")
	sandbox.MustExec(t, tg.ns, "ip", "addr", "add", "198.51.100.77/24", "dev", "foreign0")
	sandbox.MustExec(t, tg.ns, "ip", "link", "set", "foreign0", "up")
	other := l.newTarget(t, "netns")
	before := takeBefore(t, l, other)
	r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--macvlan-mode", "private",
		"--ip", "198.51.100.77/24"}, other.args...)...)
	wantFail(t, r, 3, "198.51.100.77")
	if !strings.Contains(r.Stdout, `"where":"sibling"`) {
		t.Errorf("want the foreign slave found as a sibling:\n%s", r)
	}
	sandbox.SameSnapshot(t, "refused attach", before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	sandbox.SameSnapshot(t, "refused attach (target)", before.target, sandbox.Snapshot(t, other.ns))
}
