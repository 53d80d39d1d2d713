package link

import (
	"encoding/binary"
	"net"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// neighMsg builds an RTM_NEWNEIGH message as the kernel's fdb dump sends
// it: family, link index, flags and an NDA_LLADDR.
func neighMsg(family uint8, idx int32, flags uint8, mac string) syscall.NetlinkMessage {
	data := make([]byte, ndmsgLen)
	data[0], data[10] = family, flags
	binary.NativeEndian.PutUint32(data[4:8], uint32(idx))
	hw, _ := net.ParseMAC(mac)
	data = append(data, nl.NewRtAttr(unix.NDA_LLADDR, hw).Serialize()...)
	return syscall.NetlinkMessage{Header: syscall.NlMsghdr{Type: unix.RTM_NEWNEIGH}, Data: data}
}

// parseAll reads msgs with UnicastEntry: the MACs by link index.
func parseAll(msgs []syscall.NetlinkMessage, ifindex int) map[int][]net.HardwareAddr {
	out := map[int][]net.HardwareAddr{}
	for _, m := range msgs {
		if idx, mac, ok := UnicastEntry(m, ifindex); ok {
			out[idx] = append(out[idx], mac)
		}
	}
	return out
}

func TestUnicastEntry(t *testing.T) {
	self := uint8(netlink.NTF_SELF)
	msgs := []syscall.NetlinkMessage{
		neighMsg(unix.AF_BRIDGE, 2, self, "02:00:00:00:00:01"),
		neighMsg(unix.AF_BRIDGE, 2, self, "02:00:00:00:00:02"),
		neighMsg(unix.AF_BRIDGE, 2, self, "33:33:00:00:00:01"),                      // multicast
		neighMsg(unix.AF_BRIDGE, 3, self, "02:00:00:00:00:03"),                      // another link
		neighMsg(unix.AF_BRIDGE, 2, uint8(netlink.NTF_MASTER), "02:00:00:00:00:04"), // a bridge's fdb
		neighMsg(unix.AF_INET, 2, self, "02:00:00:00:00:05"),                        // not a filter entry
		{Header: syscall.NlMsghdr{Type: unix.RTM_NEWNEIGH}, Data: []byte{7, 0, 0}},  // short
		{Header: syscall.NlMsghdr{Type: unix.NLMSG_DONE}, Data: make([]byte, 16)},
	}
	for _, tc := range []struct {
		ifindex int
		want    map[int]string
	}{
		{0, map[int]string{2: "02:00:00:00:00:01 02:00:00:00:00:02", 3: "02:00:00:00:00:03"}},
		{2, map[int]string{2: "02:00:00:00:00:01 02:00:00:00:00:02"}},
		{9, map[int]string{}},
	} {
		got := parseAll(msgs, tc.ifindex)
		if len(got) != len(tc.want) {
			t.Errorf("ifindex %d: %v, want %v", tc.ifindex, got, tc.want)
		}
		for idx, macs := range got {
			s := ""
			for i, m := range macs {
				if i > 0 {
					s += " "
				}
				s += m.String()
			}
			if s != tc.want[idx] {
				t.Errorf("ifindex %d: link %d has %q, want %q", tc.ifindex, idx, s, tc.want[idx])
			}
		}
	}
}

// FuzzUnicastEntry: no message makes the parser fail, and what it returns
// is a unicast MAC inside the message.
func FuzzUnicastEntry(f *testing.F) {
	f.Add(neighMsg(unix.AF_BRIDGE, 2, uint8(netlink.NTF_SELF), "02:00:00:00:00:01").Data)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := syscall.NetlinkMessage{Header: syscall.NlMsghdr{Type: unix.RTM_NEWNEIGH}, Data: data}
		if _, mac, ok := UnicastEntry(m, 0); ok && (len(mac) != 6 || mac[0]&1 != 0) {
			t.Fatalf("returned %v", mac)
		}
	})
}
