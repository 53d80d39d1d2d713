package link

import (
	"net"

	"github.com/vishvananda/netlink"
)

// checkEthernet refuses a parent that cannot carry macvlan, ipvlan or
// 802.1q links: the kernel takes only Ethernet devices, and not loopback.
func checkEthernet(l netlink.Link) error {
	a := l.Attrs()
	if a.Flags&net.FlagLoopback == 0 && a.EncapType == "ether" {
		return nil
	}
	return invalid("--parent: %s is not an Ethernet interface (link/%s); macvlan and ipvlan slaves need an Ethernet parent such as eth0",
		a.Name, a.EncapType)
}
