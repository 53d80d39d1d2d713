package arpcheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/mdlayher/ndp"
	"github.com/mdlayher/packet"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// NDPConn is an IPv6 datagram socket on one interface: ReadFrom returns one
// IPv6 packet (header included) and the sender's link-layer address,
// WriteTo sends one to a link-layer address. JoinGroup and LeaveGroup
// change the socket's IPv6 multicast memberships, which also open the
// interface's multicast filter. OpenNDP makes one; tests inject fakes.
type NDPConn interface {
	Conn
	JoinGroup(group netip.Addr) error
	LeaveGroup(group netip.Addr) error
}

// ndpConn sends and reads whole IPv6 packets on an AF_PACKET socket, and
// keeps multicast memberships on a raw ICMPv6 socket that reads nothing.
//
// A DAD probe must come from the unspecified address ::, which a raw
// ICMPv6 socket cannot send: the kernel replaces :: with an address of the
// interface, and refuses (EADDRNOTAVAIL) while the only one is a tentative
// link-local address, as on a fresh slave. So the IPv6 header is built
// here and the packet goes out below the IP layer, like the ARP probes.
type ndpConn struct {
	*packet.Conn
	groups *ndp.Conn
}

// JoinGroup joins the IPv6 multicast group on the interface; the kernel
// sends the MLD report RFC 4862 asks for before probing.
func (c *ndpConn) JoinGroup(group netip.Addr) error { return c.groups.JoinGroup(group) }

// LeaveGroup leaves a group joined with JoinGroup.
func (c *ndpConn) LeaveGroup(group netip.Addr) error { return c.groups.LeaveGroup(group) }

// Close closes both sockets; memberships end with them.
func (c *ndpConn) Close() error { return errors.Join(c.Conn.Close(), c.groups.Close()) }

// OpenNDP opens the sockets of an IPv6 DAD probe on ifname inside netNS
// (nil: the current netns). They are made on a locked thread switched into
// netNS and are usable from any thread afterwards. The interface needs no
// IPv6 address, but IPv6 must be enabled on it.
func OpenNDP(netNS ns.NetNS, ifname string) (NDPConn, *net.Interface, error) {
	c := &ndpConn{}
	var ifi *net.Interface
	err := inNS(netNS, func() error {
		var err error
		if ifi, err = interfaceByName(ifname); err != nil {
			return err
		}
		if c.Conn, err = packet.Listen(ifi, packet.Datagram, unix.ETH_P_IPV6, nil); err != nil {
			return fmt.Errorf("opening an IPv6 packet socket on %s (needs CAP_NET_RAW): %w", ifname, err)
		}
		if c.groups, _, err = ndp.Listen(ifi, ndp.Unspecified); err != nil {
			c.Conn.Close()
			return fmt.Errorf("opening an ICMPv6 socket on %s (needs CAP_NET_RAW and IPv6 on it): %w", ifname, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var none ipv6.ICMPFilter
	none.SetAll(true) // the ICMPv6 socket only holds memberships
	if err := c.groups.SetICMPFilter(&none); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("filtering the ICMPv6 socket on %s: %w", ifname, err)
	}
	return c, ifi, nil
}

// dadProbe builds an RFC 4862 DAD Neighbor Solicitation for target as an
// IPv6 packet: from ::, to the solicited-node multicast group of target,
// hop limit 255, no source link-layer option, and nonce (RFC 7527) so
// that an echo of it is known. It returns the group and the packet's
// link-layer destination as well.
func dadProbe(target netip.Addr, nonce *ndp.Nonce) (b []byte, group netip.Addr, to net.Addr, err error) {
	if group, err = ndp.SolicitedNodeMulticast(target); err != nil {
		return nil, group, nil, fmt.Errorf("DAD probe for %s: %w", target, err)
	}
	ns := &ndp.NeighborSolicitation{TargetAddress: target, Options: []ndp.Option{nonce}}
	msg, err := ndp.MarshalMessageChecksum(ns, netip.IPv6Unspecified(), group)
	if err != nil {
		return nil, group, nil, fmt.Errorf("DAD probe for %s: %w", target, err)
	}
	return ipv6Packet(netip.IPv6Unspecified(), group, msg), group, &packet.Addr{HardwareAddr: multicastMAC(group)}, nil
}

// ipv6Packet prepends an IPv6 header for an ICMPv6 payload with the hop
// limit NDP needs (255).
func ipv6Packet(src, dst netip.Addr, payload []byte) []byte {
	b := make([]byte, ipv6.HeaderLen, ipv6.HeaderLen+len(payload))
	b[0] = 6 << 4 // version; traffic class and flow label 0
	binary.BigEndian.PutUint16(b[4:6], uint16(len(payload)))
	b[6] = unix.IPPROTO_ICMPV6
	b[7] = ndp.HopLimit
	s, d := src.As16(), dst.As16()
	copy(b[8:24], s[:])
	copy(b[24:40], d[:])
	return append(b, payload...)
}

// multicastMAC is the Ethernet address of an IPv6 multicast group
// (RFC 2464 section 7): 33:33 and the group's last 32 bits.
func multicastMAC(group netip.Addr) net.HardwareAddr {
	a := group.As16()
	return net.HardwareAddr{0x33, 0x33, a[12], a[13], a[14], a[15]}
}

// parseNDP decodes an IPv6 packet carrying an NDP message with hop limit
// 255 (RFC 4861 section 7.1.1) and no extension headers; anything else is
// not ok. It returns the message and the packet's source address.
func parseNDP(b []byte) (ndp.Message, netip.Addr, bool) {
	h, err := ipv6.ParseHeader(b)
	if err != nil || h.Version != 6 || h.NextHeader != unix.IPPROTO_ICMPV6 || h.HopLimit != ndp.HopLimit ||
		ipv6.HeaderLen+h.PayloadLen > len(b) {
		return nil, netip.Addr{}, false
	}
	m, err := ndp.ParseMessage(b[ipv6.HeaderLen : ipv6.HeaderLen+h.PayloadLen])
	src, _ := netip.AddrFromSlice(h.Src)
	return m, src, err == nil
}
