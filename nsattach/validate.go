package nsattach

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/lanattach/lanattach/link"
)

// limitedBroadcast is 255.255.255.255, never a host or a gateway.
var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// ParseAddr reads an IP address given to flag. IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d) and zones (%eth0) are refused: the first would be read
// as IPv4 or not at all, the second names an interface of another netns.
func ParseAddr(flag, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, Inputf(flag, "%q is not an IP address (like 198.51.100.10 or 2001:db8::10)", s)
	}
	return a, plainAddr(flag, s, a)
}

// ParsePrefix reads ADDR/PREFIX (or a CIDR) given to flag, refusing
// IPv4-mapped IPv6 like ParseAddr.
func ParsePrefix(flag, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, Inputf(flag, "%q is not ADDR/PREFIX (like 198.51.100.0/24 or 2001:db8::/64)", s)
	}
	return p, plainAddr(flag, s, p.Addr())
}

// plainAddr refuses an IPv4-mapped IPv6 address or one with a zone.
func plainAddr(flag, s string, a netip.Addr) error {
	switch {
	case a.Is4In6():
		return Inputf(flag, "%q is an IPv4-mapped IPv6 address: give %s itself", s, a.Unmap())
	case a.Zone() != "":
		return Inputf(flag, "%q has a zone: give the address without %%%s", s, a.Zone())
	}
	return nil
}

// checkRoutes checks the gateways and the routes' via addresses against
// the slave's addresses: each must be a unicast address on one of its
// subnets (IPv6 link-local ones are on every link), none may be the
// slave's own, and each family has at most one default route.
func checkRoutes(a Addrs) error {
	defaults := map[bool]string{}
	for _, gw := range a.Gateways {
		if err := checkVia("--gateway", "", gw, a); err != nil {
			return err
		}
		defaults[gw.Is4()] = "--gateway " + gw.String()
	}
	for _, r := range a.Routes {
		if r.Via.IsValid() {
			if err := checkVia("--route", strconv.Quote(r.String())+": ", r.Via, a); err != nil {
				return err
			}
		}
		if r.Dst.IsValid() && r.Dst.Bits() > 0 {
			continue
		}
		fam := routeFamily(r).Is4()
		if d, ok := defaults[fam]; ok {
			return Inputf("--route", "%q is a second default route next to %s: give one per address family", r, d)
		}
		defaults[fam] = "--route " + r.String()
	}
	return nil
}

// checkVia checks one gateway gw given to flag; what starts the message.
func checkVia(flag, what string, gw netip.Addr, a Addrs) error {
	switch {
	case gw.IsUnspecified(), gw.IsMulticast(), gw.IsLoopback(), gw == limitedBroadcast:
		return Inputf(flag, "%s%s is not a unicast router address", what, gw)
	case gw.Is6() && gw.IsLinkLocalUnicast():
		return nil
	}
	for _, p := range a.Static {
		if p.Addr() == gw {
			return Inputf(flag, "%s%s is the slave's own address (--ip), not a router", what, gw)
		}
	}
	if a.DHCP && gw.Is4() && flag == "--route" {
		return nil // on the leased subnet, known only once leased
	}
	for _, s := range a.subnets() {
		if !s.Contains(gw) {
			continue
		}
		if netOrBroadcast(gw, s) {
			return Inputf(flag, "%s%s is the network or broadcast address of %s", what, gw, s)
		}
		return nil
	}
	return Inputf(flag, "%s%s is in no subnet of the slave's addresses (%s); a gateway must be on the link",
		what, gw, strings.Join(prefixStrings(a.subnets()), ", "))
}

// subnets returns the subnets the slave will be on: those of its static
// addresses and of its --ip auto pools, masked.
func (a Addrs) subnets() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range a.Static {
		out = append(out, p.Masked())
	}
	for _, p := range a.Auto {
		out = append(out, p.Subnet.Masked())
	}
	return out
}

// netOrBroadcast reports whether ip is the network or broadcast address
// of the IPv4 subnet of p (/30 or larger), which no host may hold.
func netOrBroadcast(ip netip.Addr, p netip.Prefix) bool {
	first, last := arpcheck.Hosts(p)
	return ip.Is4() && p.Bits() <= 30 && (ip.Less(first) || last.Less(ip))
}

// prefixStrings renders prefixes.
func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// kernelSupports checks that the kernel can make slaves of kind (macvlan
// or ipvlan); a kernel without it is bad input naming --mode.
func kernelSupports(h netlinksafe.Handle, kind string) error {
	var err error
	if failpoint.Hit("unsupported-"+kind) != nil { // a kernel without kind, for tests
		err = fmt.Errorf("%s: %w (failpoint)", kind, link.ErrNotSupported)
	} else {
		err = link.Supported(h, kind)
	}
	if errors.Is(err, link.ErrNotSupported) {
		return &InputError{Flag: "--mode", Err: err}
	}
	return err
}
