package link

import (
	"errors"
	"fmt"
	"net"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// A macvlan slave that is up puts its MAC on its lower device's unicast
// filter (unless the NIC offloads it: l2-fwd-offload), whatever namespace
// the slave is in. One dump of the filters of the namespace lanattach runs
// in thus shows which slaves of its interfaces are up, without a look into
// any other namespace. Down macvlan slaves and ipvlan slaves (which share
// their parent's MAC) leave no trace there.

// UnicastFilters returns the unicast MACs on the filters of the links of
// the netns of h, by link index (multicast entries left out). A dump the
// kernel interrupted is an error: the caller then cannot rely on it.
func UnicastFilters(h netlinksafe.Handle) (map[int][]net.HardwareAddr, error) {
	neighs, err := h.NeighList(0, unix.AF_BRIDGE)
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		err = fmt.Errorf("dump interrupted")
	}
	if err != nil {
		return nil, fmt.Errorf("listing the unicast filters: %w", err)
	}
	out := map[int][]net.HardwareAddr{}
	for _, n := range neighs {
		if len(n.HardwareAddr) == 6 && n.HardwareAddr[0]&1 == 0 && n.Flags&netlink.NTF_SELF != 0 {
			out[n.LinkIndex] = append(out[n.LinkIndex], n.HardwareAddr)
		}
	}
	return out, nil
}
