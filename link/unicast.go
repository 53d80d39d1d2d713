package link

import (
	"encoding/binary"
	"net"
	"syscall"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// A macvlan slave that is up puts its MAC on its lower device's unicast
// filter (unless the NIC offloads it: l2-fwd-offload), whatever namespace
// the slave is in. One dump of the filters of the namespace lanattach runs
// in thus shows which slaves of its interfaces are up, without a look into
// any other namespace. Down macvlan slaves and ipvlan slaves (which share
// their parent's MAC) leave no trace there.

// UnicastRequest asks for the unicast filter of the link with index
// ifindex, or of every link for 0 (an AF_BRIDGE neighbour dump, as `bridge
// fdb show` makes). The kernel keeps to ifindex only on a socket with
// strict checking (NETLINK_GET_STRICT_CHK); ParseUnicast keeps to it
// anyway.
func UnicastRequest(ifindex int) *nl.NetlinkRequest {
	req := nl.NewNetlinkRequest(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
	req.AddData(&netlink.Ndmsg{Family: unix.AF_BRIDGE, Index: uint32(ifindex)})
	return req
}

// ndmsgLen is the size of struct ndmsg, the header of a neighbour message.
const ndmsgLen = 12

// ParseUnicast reads the answer to UnicastRequest(ifindex): the unicast
// MACs on the filter of each link, by link index. Multicast entries, those
// of a bridge's forwarding database (not the link's own filter), those of
// other links than ifindex (unless 0) and malformed messages are left out.
func ParseUnicast(msgs []syscall.NetlinkMessage, ifindex int) map[int][]net.HardwareAddr {
	out := map[int][]net.HardwareAddr{}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNEIGH || len(m.Data) < ndmsgLen {
			continue
		}
		idx := int(int32(binary.NativeEndian.Uint32(m.Data[4:8])))
		if m.Data[0] != unix.AF_BRIDGE || m.Data[10]&netlink.NTF_SELF == 0 || (ifindex != 0 && idx != ifindex) {
			continue
		}
		attrs, err := nl.ParseRouteAttr(m.Data[ndmsgLen:])
		if err != nil {
			continue
		}
		for _, a := range attrs {
			if a.Attr.Type == unix.NDA_LLADDR && len(a.Value) == 6 && a.Value[0]&1 == 0 {
				out[idx] = append(out[idx], net.HardwareAddr(append([]byte(nil), a.Value...)))
			}
		}
	}
	return out
}
