package tests

import (
	"testing"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestRollback fails attach after each step in turn (failpoint binary; the
// steps come from the code, so a new step is tested too) and checks exit 1,
// a message naming the failpoint, that the host, the switch and the target
// are exactly as before, and that no record is left. The configuration reaches
// every step (--host-access: the shim too); the "vlan" variant attaches
// through an auto-made VLAN.
func TestRollback(t *testing.T) {
	t.Parallel()
	for _, vlan := range []string{"", ".50"} {
		for _, step := range nsattach.Steps() {
			if step == "vlan" && vlan == "" {
				continue // no VLAN is made
			}
			t.Run("parent"+vlan+"/"+step, func(t *testing.T) {
				t.Parallel()
				if vlan != "" {
					sandbox.RequireKernel(t, "vlan")
				}
				bin := sandbox.FailpointBin(t)
				l := newLAN(t)
				tg := l.newTarget(t, "netns")
				nss := []string{l.Host, l.Switch, tg.ns}
				before, sysctls := sandbox.Snapshot(t, nss...), hostSysctls(t, l)
				args := append(append([]string{"-o", "json", "attach"}, tg.args...),
					"--parent", l.Parent+vlan, "--mac", "02:00:5e:10:00:03", "--mtu", "1400",
					"--ip", slaveV4, "--ip", slaveV6, "--gateway", peerIP, "--gateway", peerIP6,
					"--route", "203.0.113.0/24 via "+peerIP, "--probe", "fast", "--host-access")
				if vlan != "" {
					args = append(args, "--shim-ip", "198.51.100.9/24", "--shim-ip", "2001:db8:1::9/64")
				}
				r := l.LanattachWith(t, bin, []string{"LANATTACH_FAILPOINT=" + step}, args...)
				wantFail(t, r, 1, "failpoint "+step)
				wantJSONFail(t, r)
				sandbox.SameSnapshot(t, "attach failing after "+step, before, sandbox.Snapshot(t, nss...))
				if got := hostSysctls(t, l); got != sysctls {
					t.Errorf("host settings changed:\n%s", sandbox.Diff(sysctls, got))
				}
				wantNoRecords(t, l)
			})
		}
	}
}
