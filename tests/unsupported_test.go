package tests

import (
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestUnsupportedKernel checks that on a kernel without ipvlan or 802.1q
// such requests are refused with exit 2 and a "not supported by this
// kernel" message, changing nothing. On a kernel with them the real cases
// run instead (TestAttachIPVlan, TestVLAN*).
func TestUnsupportedKernel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, kind string
		args       []string
		want       []string
	}{
		{"ipvlan", "ipvlan", []string{"--mode", "ipvlan"}, []string{"ipvlan: not supported by this kernel", "modprobe ipvlan"}},
		{"vlan flag", "vlan", []string{"--vlan", "50"}, []string{"not supported by this kernel", "8021q"}},
		{"vlan parent", "vlan", []string{"--parent", "PARENT.50"}, []string{"not supported by this kernel", "8021q"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if sandbox.KernelHas(t, c.kind) {
				t.Skipf("this kernel has %s; the refusal only applies to kernels without it", c.kind)
			}
			if sandbox.InVM() {
				t.Fatalf("the VM kernel must have %s", c.kind)
			}
			l := newLAN(t)
			tg := l.newTarget(t, "netns")
			args := append([]string{"-o", "json", "attach"}, tg.args...)
			for _, a := range c.args {
				args = append(args, strings.ReplaceAll(a, "PARENT", l.Parent))
			}
			if c.args[0] != "--parent" {
				args = append(args, "--parent", l.Parent)
			}
			before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
			r := l.Lanattach(t, append(args, "--ip", slaveV4)...)
			wantFail(t, r, 2, c.want...)
			wantJSONFail(t, r)
			sandbox.SameSnapshot(t, "refused attach", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
}

// TestNoMacvlanKernel checks, with a failpoint that makes the kernel
// support check report macvlan missing, that attach refuses a macvlan
// slave in preflight (exit 2 naming --mode), before any create attempt,
// changing nothing; --dry-run as well.
func TestNoMacvlanKernel(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	env := []string{"LANATTACH_FAILPOINT=unsupported-macvlan"}
	args := append(append([]string{"-o", "json", "attach"}, tg.args...), "--parent", l.Parent, "--ip", slaveV4)
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	for _, extra := range [][]string{nil, {"--dry-run"}} {
		r := l.LanattachWith(t, sandbox.FailpointBin(t), env, append(args, extra...)...)
		wantFail(t, r, 2, "--mode", "macvlan: not supported by this kernel")
		wantJSONFail(t, r)
		sandbox.SameSnapshot(t, "attach without macvlan", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
	}
}
