package arpcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// Conn is an ARP datagram socket: ReadFrom returns one ARP payload and the
// sender's link-layer address, WriteTo sends one to a link-layer address.
// *packet.Conn opened by Open satisfies it; tests inject fakes.
type Conn interface {
	ReadFrom([]byte) (int, net.Addr, error)
	WriteTo([]byte, net.Addr) (int, error)
	SetReadDeadline(time.Time) error
	Close() error
}

// broadcast is the Ethernet broadcast address every probe goes to.
var broadcast = &packet.Addr{HardwareAddr: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}

// Open opens an AF_PACKET ARP socket on ifname inside netNS (nil: the
// current netns). The socket is made on a locked thread switched into
// netNS and is usable from any thread afterwards.
func Open(netNS ns.NetNS, ifname string) (Conn, *net.Interface, error) {
	var c *packet.Conn
	var ifi *net.Interface
	err := inNS(netNS, func() error {
		var err error
		if ifi, err = interfaceByName(ifname); err != nil {
			return err
		}
		if c, err = packet.Listen(ifi, packet.Datagram, unix.ETH_P_ARP, nil); err != nil {
			return fmt.Errorf("opening an ARP socket on %s (needs CAP_NET_RAW): %w", ifname, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return c, ifi, nil
}

// ErrNoInterface says the interface to probe from does not exist.
var ErrNoInterface = errors.New("no such interface")

// interfaceByName is net.InterfaceByName that reports a missing interface
// as ErrNoInterface (net keeps its own error unexported): the kernel's
// index lookup (SIOCGIFINDEX) says ENODEV.
func interfaceByName(name string) (*net.Interface, error) {
	ifi, err := net.InterfaceByName(name)
	if err == nil {
		return ifi, nil
	}
	if missingInterface(name) {
		return nil, fmt.Errorf("interface %s: %w", name, ErrNoInterface)
	}
	return nil, fmt.Errorf("interface %s: %w", name, err)
}

// missingInterface asks the kernel whether name names no interface in the
// current netns.
func missingInterface(name string) bool {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return true // not a valid interface name at all
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	return errors.Is(unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr), unix.ENODEV)
}

// inNS runs fn in netNS on a locked thread thrown away if switching back
// fails (ns.NetNS.Do), or right here when netNS is nil. fn must not start
// goroutines.
func inNS(netNS ns.NetNS, fn func() error) error {
	if netNS == nil {
		return fn()
	}
	return netNS.Do(func(ns.NetNS) error { return fn() })
}

// parseARP decodes an Ethernet/IPv4 ARP payload; anything else is not ok.
func parseARP(b []byte) (*arp.Packet, bool) {
	var p arp.Packet
	if err := p.UnmarshalBinary(b); err != nil {
		return nil, false
	}
	ok := p.HardwareType == 1 && p.ProtocolType == unix.ETH_P_IP &&
		p.HardwareAddrLength == 6 && p.IPLength == 4
	return &p, ok
}

// request builds an ARP request from hw/sender for target with a zero
// target MAC: a probe when sender is 0.0.0.0, an announcement when sender
// equals target.
func request(hw net.HardwareAddr, sender, target netip.Addr) ([]byte, error) {
	p, err := arp.NewPacket(arp.OperationRequest, hw, sender, make(net.HardwareAddr, len(hw)), target)
	if err != nil {
		return nil, fmt.Errorf("building ARP request for %s from MAC %s: %w", target, hw, err)
	}
	return p.MarshalBinary()
}

// send broadcasts one ARP payload.
func send(c Conn, b []byte) error {
	if _, err := c.WriteTo(b, broadcast); err != nil {
		return fmt.Errorf("sending ARP: %w", err)
	}
	return nil
}

// stepFunc sends whatever is due at now and returns when it wants to be
// called next; more is false after its last send.
type stepFunc func(now time.Time) (next time.Time, more bool, err error)

// rounds returns a stepFunc that calls send at each offset of at from
// start and is done after the last one.
func rounds(start time.Time, at []time.Duration, send func() error) stepFunc {
	sent := 0
	return func(time.Time) (time.Time, bool, error) {
		if err := send(); err != nil {
			return time.Time{}, false, err
		}
		if sent++; sent == len(at) {
			return time.Time{}, false, nil
		}
		return start.Add(at[sent]), true, nil
	}
}

// recvFunc handles one received payload; it returns true to end the
// exchange early.
type recvFunc func(b []byte, from net.Addr) (done bool)

// exchange drives one send/listen session on c: it calls step at first and
// then whenever step asked to be called, passes every payload read to recv,
// and keeps listening for linger after the last send. It returns ctx's
// error when ctx ends first. It starts no goroutine that outlives it.
func exchange(ctx context.Context, c Conn, first time.Time, linger time.Duration, step stepFunc, recv recvFunc) error {
	stop := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Now()) })
	defer stop()
	next, end := first, time.Time{}
	buf := make([]byte, 1500)
	for {
		now := time.Now()
		if end.IsZero() && !now.Before(next) {
			n, more, err := step(now)
			if err != nil {
				return err
			}
			if next = n; !more {
				end = now.Add(linger)
			}
			continue
		}
		deadline := next
		if !end.IsZero() {
			if !now.Before(end) {
				return nil
			}
			deadline = end
		}
		if err := c.SetReadDeadline(deadline); err != nil {
			return fmt.Errorf("setting ARP read deadline: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n, from, err := c.ReadFrom(buf)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
		case err != nil:
			return fmt.Errorf("reading ARP: %w", err)
		case recv(buf[:n], from):
			return nil
		}
	}
}
