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
// strict checking (NETLINK_GET_STRICT_CHK); UnicastEntry keeps to it
// anyway.
func UnicastRequest(ifindex int) *nl.NetlinkRequest {
	req := nl.NewNetlinkRequest(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
	req.AddData(&netlink.Ndmsg{Family: unix.AF_BRIDGE, Index: uint32(ifindex)})
	return req
}

// ndmsgLen is the size of struct ndmsg, the header of a neighbour message.
const ndmsgLen = 12

// UnicastEntry reads one message of the answer to UnicastRequest(ifindex):
// a unicast MAC on the filter of the link with index idx. ok is false for
// multicast entries, those of a bridge's forwarding database (not the
// link's own filter), those of other links than ifindex (unless 0) and
// malformed messages. mac points into m.
func UnicastEntry(m syscall.NetlinkMessage, ifindex int) (idx int, mac net.HardwareAddr, ok bool) {
	if m.Header.Type != unix.RTM_NEWNEIGH || len(m.Data) < ndmsgLen {
		return 0, nil, false
	}
	idx = int(int32(binary.NativeEndian.Uint32(m.Data[4:8])))
	if m.Data[0] != unix.AF_BRIDGE || m.Data[10]&netlink.NTF_SELF == 0 || (ifindex != 0 && idx != ifindex) {
		return 0, nil, false
	}
	for b := m.Data[ndmsgLen:]; len(b) >= unix.SizeofRtAttr; { // the attributes, without a copy
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < unix.SizeofRtAttr || n > len(b) {
			return 0, nil, false
		}
		if binary.NativeEndian.Uint16(b[2:4]) == unix.NDA_LLADDR {
			mac = b[unix.SizeofRtAttr:n]
			return idx, mac, len(mac) == 6 && mac[0]&1 == 0
		}
		b = b[min(len(b), (n+unix.RTA_ALIGNTO-1)&^(unix.RTA_ALIGNTO-1)):]
	}
	return 0, nil, false
}
