package dhcp

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// Lease is a DHCPv4 lease as lanattach records it.
type Lease struct {
	Addr   netip.Prefix `json:"address"`
	Router netip.Addr   `json:"router,omitzero"`
	DNS    []netip.Addr `json:"dns,omitempty"`
	Domain string       `json:"domain,omitempty"`
	Server netip.Addr   `json:"server"`
	// Obtained is when the server acknowledged it; Seconds, T1 and T2
	// are its lifetime, renewal and rebinding times from then on.
	Obtained time.Time `json:"obtained"`
	Seconds  uint32    `json:"lease_seconds"`
	T1       uint32    `json:"t1_seconds"`
	T2       uint32    `json:"t2_seconds"`
	// Offer and ACK are the server's messages, for renewing and releasing.
	Offer []byte `json:"offer"`
	ACK   []byte `json:"ack"`
}

// Expires is when the lease ends unless renewed.
func (l *Lease) Expires() time.Time { return l.at(l.Seconds) }

// RenewAt is T1, RebindAt is T2.
func (l *Lease) RenewAt() time.Time { return l.at(l.T1) }

// RebindAt is when the client starts asking any server (T2).
func (l *Lease) RebindAt() time.Time { return l.at(l.T2) }

// at is Obtained plus secs seconds.
func (l *Lease) at(secs uint32) time.Time {
	return l.Obtained.Add(time.Duration(secs) * time.Second)
}

// Remaining is the lease time left at now, in whole seconds (0 when over).
func (l *Lease) Remaining(now time.Time) uint32 {
	d := l.Expires().Sub(now)
	if d <= 0 {
		return 0
	}
	return uint32(d / time.Second)
}

// fromNC turns an nclient4 lease into a Lease.
func fromNC(nl *nclient4.Lease) (*Lease, error) {
	ack := nl.ACK
	ip, ok := netip.AddrFromSlice(ack.YourIPAddr.To4())
	if !ok || !ip.IsGlobalUnicast() {
		return nil, fmt.Errorf("DHCP server %s acknowledged no usable address (%s)", ack.ServerIdentifier(), ack.YourIPAddr)
	}
	bits := 24 // a server that names no subnet mask: assume a /24 LAN
	if m := ack.SubnetMask(); m != nil {
		if ones, size := m.Size(); size == 32 {
			bits = ones
		}
	}
	l := &Lease{Addr: netip.PrefixFrom(ip, bits), Obtained: nl.CreationTime, Offer: nl.Offer.ToBytes(), ACK: ack.ToBytes(),
		Domain: ack.DomainName()}
	l.Server, _ = netip.AddrFromSlice(ack.ServerIdentifier().To4())
	for _, r := range ack.Router() {
		if a, ok := netip.AddrFromSlice(r.To4()); ok && a.IsGlobalUnicast() {
			l.Router = a
			break
		}
	}
	for _, d := range ack.DNS() {
		if a, ok := netip.AddrFromSlice(d.To4()); ok {
			l.DNS = append(l.DNS, a)
		}
	}
	l.setTimes(ack)
	return l, nil
}

// defaultLease is the lease time assumed when a server names none.
const defaultLease = time.Hour

// setTimes reads the lease, T1 and T2 times (RFC 2131 §4.4.5 defaults:
// T1 = 0.5, T2 = 0.875 of the lease).
func (l *Lease) setTimes(ack *dhcpv4.DHCPv4) {
	lt := ack.IPAddressLeaseTime(defaultLease)
	l.Seconds = uint32(lt / time.Second)
	l.T1 = uint32(ack.IPAddressRenewalTime(lt/2) / time.Second)
	l.T2 = uint32(ack.IPAddressRebindingTime(lt*7/8) / time.Second)
	if l.T2 > l.Seconds || l.T2 == 0 {
		l.T2 = l.Seconds * 7 / 8
	}
	if l.T1 > l.T2 || l.T1 == 0 {
		l.T1 = l.T2 / 2
	}
}

// nc rebuilds the nclient4 lease for renewing or releasing.
func (l *Lease) nc() (*nclient4.Lease, error) {
	offer, err := dhcpv4.FromBytes(l.Offer)
	if err != nil {
		return nil, fmt.Errorf("recorded DHCP offer: %w", err)
	}
	ack, err := dhcpv4.FromBytes(l.ACK)
	if err != nil {
		return nil, fmt.Errorf("recorded DHCP ack: %w", err)
	}
	return &nclient4.Lease{Offer: offer, ACK: ack, CreationTime: l.Obtained}, nil
}
