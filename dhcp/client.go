package dhcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// Options shape the client's messages.
type Options struct {
	// ClientID is sent as option 61 when set (ipvlan slaves share the
	// parent's MAC, so the MAC alone does not tell them apart).
	ClientID []byte
	// Broadcast asks the server to broadcast its replies (ipvlan: a
	// unicast reply to the shared MAC may reach the wrong slave).
	Broadcast bool
}

// Client is a DHCPv4 client on one interface of a target netns.
type Client struct {
	nc     *nclient4.Client
	raw    net.PacketConn // the packet socket under conn
	conn   net.PacketConn
	hw     net.HardwareAddr
	ifname string
	mods   []dhcpv4.Modifier
}

// retryEvery is the first retransmission interval of a request.
const retryEvery = time.Second

// Open opens a client on ifname inside netNS (nil: the current netns).
// The raw socket is made on a locked thread switched into netNS (no
// goroutine starts there); the client's receive loop starts afterwards.
func Open(netNS ns.NetNS, ifname string, o Options) (*Client, error) {
	var raw *packet.Conn
	var ifi *net.Interface
	err := inNS(netNS, func() error {
		var err error
		if ifi, err = net.InterfaceByName(ifname); err != nil {
			return fmt.Errorf("interface %s: %w", ifname, err)
		}
		if raw, err = packet.Listen(ifi, packet.Datagram, unix.ETH_P_IP, nil); err != nil {
			return fmt.Errorf("opening a DHCP socket on %s (needs CAP_NET_RAW): %w", ifname, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	conn := nclient4.NewBroadcastUDPConn(raw, &net.UDPAddr{Port: nclient4.ClientPort})
	nc, err := nclient4.NewWithConn(conn, ifi.HardwareAddr, nclient4.WithTimeout(retryEvery), nclient4.WithRetry(-1))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("DHCP client on %s: %w", ifname, err)
	}
	c := &Client{nc: nc, raw: raw, conn: conn, hw: ifi.HardwareAddr, ifname: ifname}
	if o.ClientID != nil {
		c.mods = append(c.mods, dhcpv4.WithOption(dhcpv4.OptClientIdentifier(o.ClientID)))
	}
	if o.Broadcast {
		c.mods = append(c.mods, dhcpv4.WithBroadcast(true))
	}
	return c, nil
}

// inNS runs fn in netNS on a locked thread, or right here when netNS is nil.
func inNS(netNS ns.NetNS, fn func() error) error {
	if netNS == nil {
		return fn()
	}
	return netNS.Do(func(ns.NetNS) error { return fn() })
}

// Close closes the socket and stops the receive loop.
func (c *Client) Close() error { return c.nc.Close() }

// ErrNoOffer is returned when no server offered an address in time.
var ErrNoOffer = errors.New("no DHCP offer")

// maxDeclines bounds how many offered addresses Obtain declines.
const maxDeclines = 4

// Check says whether an acknowledged lease may be used: clash true means
// someone on the LAN or the host holds its address (it is declined).
type Check func(ctx context.Context, l *Lease) (clash bool, err error)

// Obtain runs DISCOVER/OFFER/REQUEST/ACK, each exchange within wait, and
// checks the acknowledged address with check (RFC 2131 §4.4.1); on a
// clash it sends DHCPDECLINE and starts again, a few times at most.
func (c *Client) Obtain(ctx context.Context, wait time.Duration, check Check) (*Lease, error) {
	for declined := 0; ; declined++ {
		l, err := c.exchange(ctx, wait)
		if err != nil {
			return nil, err
		}
		clash, err := check(ctx, l)
		if err != nil || !clash {
			if err != nil {
				c.Release(l)
			}
			return l, err
		}
		if err := c.Decline(l); err != nil {
			return nil, err
		}
		if declined+1 == maxDeclines {
			return nil, fmt.Errorf("DHCP on %s: declined %d offered addresses, each in use on the LAN", c.ifname, maxDeclines)
		}
	}
}

// exchange gets one acknowledged lease.
func (c *Client) exchange(parent context.Context, wait time.Duration) (*Lease, error) {
	ctx, cancel := context.WithTimeout(parent, wait)
	defer cancel()
	offer, err := c.nc.DiscoverOffer(ctx, c.mods...)
	if err == nil {
		var nl *nclient4.Lease
		if nl, err = c.nc.RequestFromOffer(ctx, offer, c.mods...); err == nil {
			return fromNC(nl)
		}
	}
	switch {
	case parent.Err() != nil:
		return nil, fmt.Errorf("DHCP on %s stopped: %w", c.ifname, parent.Err())
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%w on %s within --dhcp-timeout %s", ErrNoOffer, c.ifname, wait)
	}
	return nil, fmt.Errorf("DHCP on %s: %w", c.ifname, err)
}

// Decline tells the server l's address is in use (DHCPDECLINE).
func (c *Client) Decline(l *Lease) error {
	ack, err := dhcpv4.FromBytes(l.ACK)
	if err != nil {
		return fmt.Errorf("recorded DHCP ack: %w", err)
	}
	m, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithMessageType(dhcpv4.MessageTypeDecline),
		dhcpv4.WithHwAddr(c.hw), dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(l.Addr.Addr().AsSlice())),
		dhcpv4.WithOptionCopied(ack, dhcpv4.OptionServerIdentifier)}, c.mods...)...)
	if err != nil {
		return fmt.Errorf("building DHCPDECLINE: %w", err)
	}
	if _, err := c.conn.WriteTo(m.ToBytes(), nclient4.DefaultServers); err != nil {
		return fmt.Errorf("sending DHCPDECLINE for %s on %s: %w", l.Addr.Addr(), c.ifname, err)
	}
	return nil
}

// Release gives l back to its server (DHCPRELEASE), unicast from the
// leased address: a server's kernel drops a unicast packet from 0.0.0.0.
func (c *Client) Release(l *Lease) error {
	nl, err := l.nc()
	if err != nil {
		return err
	}
	m, err := dhcpv4.NewReleaseFromACK(nl.ACK, c.mods...)
	if err != nil {
		return fmt.Errorf("building DHCPRELEASE: %w", err)
	}
	from := nclient4.NewBroadcastUDPConn(c.raw, &net.UDPAddr{IP: l.Addr.Addr().AsSlice(), Port: nclient4.ClientPort})
	to := &net.UDPAddr{IP: l.Server.AsSlice(), Port: nclient4.ServerPort}
	if _, err := from.WriteTo(m.ToBytes(), to); err != nil {
		return fmt.Errorf("sending DHCPRELEASE for %s on %s: %w", l.Addr.Addr(), c.ifname, err)
	}
	return nil
}

// Renew asks l's server to extend it (RENEWING, from T1).
func (c *Client) Renew(ctx context.Context, l *Lease) (*Lease, error) {
	nl, err := l.nc()
	if err != nil {
		return nil, err
	}
	got, err := c.nc.Renew(ctx, nl, c.mods...)
	if err != nil {
		return nil, fmt.Errorf("renewing %s on %s: %w", l.Addr.Addr(), c.ifname, err)
	}
	return fromNC(got)
}

// Rebind asks any server to extend l (REBINDING, from T2): the request
// names no server.
func (c *Client) Rebind(ctx context.Context, l *Lease) (*Lease, error) {
	nl, err := l.nc()
	if err != nil {
		return nil, err
	}
	req, err := dhcpv4.NewRenewFromAck(nl.ACK, append([]dhcpv4.Modifier{
		dhcpv4.WithoutOption(dhcpv4.OptionServerIdentifier)}, c.mods...)...)
	if err != nil {
		return nil, fmt.Errorf("building rebind request: %w", err)
	}
	ack, err := c.nc.SendAndRead(ctx, nclient4.DefaultServers, req,
		nclient4.IsMessageType(dhcpv4.MessageTypeAck, dhcpv4.MessageTypeNak))
	if err != nil {
		return nil, fmt.Errorf("rebinding %s on %s: %w", l.Addr.Addr(), c.ifname, err)
	}
	if ack.MessageType() == dhcpv4.MessageTypeNak {
		return nil, fmt.Errorf("rebinding %s on %s: %w", l.Addr.Addr(), c.ifname, &nclient4.ErrNak{Offer: nl.Offer, Nak: ack})
	}
	return fromNC(&nclient4.Lease{Offer: nl.Offer, ACK: ack, CreationTime: time.Now()})
}
