package tests

import (
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestAttachIPVlan attaches ipvlan slaves in every mode with every flag
// (on kernels with ipvlan: the VM), pings a LAN peer, detaches, and checks
// that nothing is left.
func TestAttachIPVlan(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"l2", "l3", "l3s"} {
		for _, flag := range []string{"bridge", "private", "vepa"} {
			t.Run(mode+"/"+flag, func(t *testing.T) {
				t.Parallel()
				sandbox.RequireKernel(t, "ipvlan")
				l := newLAN(t)
				tg := l.newTarget(t, "netns")
				before := sandbox.Snapshot(t, l.Host, l.Switch)
				out := l.attach(t, tg, "--parent", l.Parent, "--mode", "ipvlan", "--ipvlan-mode", mode,
					"--ipvlan-flag", flag, "--ip", slaveV4, "--ip", slaveV6, "--probe", "off")
				checkAttachOut(t, out, "eth1", "ipvlan", mode, l.Parent, slaveV4, slaveV6)
				parentMAC := links(t, l.Host)[l.Parent].Address
				if out.MAC != parentMAC {
					t.Errorf("ipvlan slave MAC %s, want the parent's %s", out.MAC, parentMAC)
				}
				checkSlave(t, tg.ns, "eth1", "ipvlan", mode, out.MAC)
				if f := links(t, tg.ns)["eth1"].Linkinfo.Data[flag]; f != true {
					t.Errorf("eth1 does not carry ipvlan flag %s: %v", flag, links(t, tg.ns)["eth1"].Linkinfo.Data)
				}
				checkAddrs(t, tg.ns, "eth1", slaveV4, slaveV6)
				if mode != "l2" {
					// In l3 modes the slave answers no ARP/NDP: LAN
					// peers reach it at the parent's MAC.
					for _, ip := range []string{"198.51.100.50", "2001:db8:1::50"} {
						sandbox.MustExec(t, l.peer.NS, "ip", "neigh", "replace", ip, "lladdr", parentMAC, "dev", l.peer.Iface)
					}
				}
				pingListDetach(t, l, tg, out, before)
			})
		}
	}
}
