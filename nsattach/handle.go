package nsattach

import (
	"fmt"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// HostHandle returns a route netlink handle in the namespace lanattach runs
// in. Only NETLINK_ROUTE is opened: kernels that build xfrm or netfilter
// netlink as modules may not have them loaded.
func HostHandle() (netlinksafe.Handle, error) {
	h, err := netlinksafe.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return h, fmt.Errorf("opening a route netlink socket: %w", err)
	}
	return h, nil
}

// handleAt returns a route netlink handle bound to the namespace ns.
func handleAt(ns netns.NsHandle, where string) (netlinksafe.Handle, error) {
	h, err := netlinksafe.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return h, fmt.Errorf("opening a route netlink socket in %s: %w", where, err)
	}
	return h, nil
}
