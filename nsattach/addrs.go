package nsattach

import (
	"net/netip"
	"strings"

	"github.com/lanattach/lanattach/arpcheck"
)

// Route is an extra route through the slave: Dst (zero: default) via Via
// (zero: directly on the link).
type Route struct {
	Dst netip.Prefix
	Via netip.Addr
}

// String renders r like ip(8) does.
func (r Route) String() string {
	s := "default"
	if r.Dst.IsValid() {
		s = r.Dst.String()
	}
	if r.Via.IsValid() {
		s += " via " + r.Via.String()
	}
	return s
}

// Addrs are the addresses and routes a slave gets.
type Addrs struct {
	DHCP     bool // --ip dhcp: IPv4 from the LAN's DHCP server
	SLAAC    bool // --ip slaac: IPv6 from router advertisements
	Static   []netip.Prefix
	Auto     []arpcheck.Pool // one per family, for --ip auto
	Gateways []netip.Addr    // at most one per family
	Routes   []Route
}

// families reports which address families the slave will have.
func (a Addrs) families() (v4, v6 bool) {
	v4, v6 = a.DHCP, a.SLAAC
	for _, p := range a.Static {
		v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
	}
	for _, p := range a.Auto {
		v4, v6 = v4 || p.Subnet.Addr().Is4(), v6 || p.Subnet.Addr().Is6()
	}
	return v4, v6
}

// hasFamily reports whether the slave gets an address of ip's family.
func (a Addrs) hasFamily(ip netip.Addr) bool {
	v4, v6 := a.families()
	return (ip.Is4() && v4) || (ip.Is6() && v6)
}

// parseAddrs reads --ip, --subnet, --ip-range, --exclude, --gateway and
// --route.
func parseAddrs(f Flags) (Addrs, error) {
	var a Addrs
	auto, err := parseStatic(&a, f.IPs)
	if err != nil {
		return a, err
	}
	if a.Gateways, err = parseGateways(f.Gateways); err != nil {
		return a, err
	}
	if auto {
		if a.Auto, err = parsePools(f, a.Gateways); err != nil {
			return a, err
		}
		for i, p := range a.Auto { // never pick an address given statically
			for _, st := range a.Static {
				if p.Subnet.Contains(st.Addr()) {
					a.Auto[i].Exclude = append(a.Auto[i].Exclude, st.Addr())
				}
			}
		}
	}
	for _, gw := range a.Gateways {
		if !a.hasFamily(gw) {
			return a, Inputf("--gateway", "%s: no --ip of that address family to reach it from", gw)
		}
	}
	for _, r := range f.Routes {
		rt, err := parseRoute(r)
		if err != nil {
			return a, err
		}
		if fam := routeFamily(rt); !a.hasFamily(fam) {
			return a, Inputf("--route", "%q: no --ip of that address family", r)
		}
		a.Routes = append(a.Routes, rt)
	}
	return a, checkRoutes(a)
}

// parseStatic reads the --ip values into a.Static and reports whether
// "auto" was among them.
func parseStatic(a *Addrs, ips []string) (auto bool, err error) {
	seen := map[netip.Addr]bool{}
	for _, s := range ips {
		if s == "auto" {
			auto = true
			continue
		}
		if s == "dhcp" || s == "slaac" {
			if err := a.setDynamic(s); err != nil {
				return false, err
			}
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return false, Inputf("--ip", "%q is not ADDR/PREFIX (like 198.51.100.50/24 or 2001:db8::50/64) or auto", s)
		}
		if err := plainAddr("--ip", s, p.Addr()); err != nil {
			return false, err
		}
		if err := checkHostAddr(p); err != nil {
			return false, err
		}
		if seen[p.Addr()] {
			return false, Inputf("--ip", "%s given twice", p.Addr())
		}
		seen[p.Addr()] = true
		a.Static = append(a.Static, p)
	}
	return auto, nil
}

// checkHostAddr refuses addresses no interface should have.
func checkHostAddr(p netip.Prefix) error {
	ip := p.Addr()
	switch {
	case ip.IsUnspecified() || ip.IsMulticast() || ip.IsLoopback():
		return Inputf("--ip", "%s is not a unicast host address", p)
	}
	if netOrBroadcast(ip, p) {
		return Inputf("--ip", "%s is the network or broadcast address of %s", ip, p.Masked())
	}
	return nil
}

// parseGateways reads --gateway, at most one per family.
func parseGateways(gws []string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range gws {
		ip, err := ParseAddr("--gateway", s)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.Is4() == ip.Is4() {
				return nil, Inputf("--gateway", "%s and %s: one gateway per address family", o, ip)
			}
		}
		out = append(out, ip)
	}
	return out, nil
}

// parseRoute reads one --route: "DEST" or "DEST via GW", DEST a prefix or
// "default".
func parseRoute(s string) (Route, error) {
	fields := strings.Fields(s)
	bad := Inputf("--route", "%q is not DEST or \"DEST via GW\" (like 203.0.113.0/24 via 198.51.100.1)", s)
	if len(fields) != 1 && (len(fields) != 3 || fields[1] != "via") {
		return Route{}, bad
	}
	var r Route
	if fields[0] != "default" {
		p, err := netip.ParsePrefix(fields[0])
		if err != nil {
			return Route{}, bad
		}
		if err := plainAddr("--route", s, p.Addr()); err != nil {
			return Route{}, err
		}
		r.Dst = p.Masked()
	}
	if len(fields) == 3 {
		gw, err := netip.ParseAddr(fields[2])
		if err != nil {
			return Route{}, bad
		}
		if err := plainAddr("--route", s, gw); err != nil {
			return Route{}, err
		}
		r.Via = gw
	}
	if !r.Dst.IsValid() && !r.Via.IsValid() {
		return Route{}, Inputf("--route", "%q: a default route needs \"via GW\" (or use --gateway)", s)
	}
	if r.Dst.IsValid() && r.Via.IsValid() && r.Dst.Addr().Is4() != r.Via.Is4() {
		return Route{}, Inputf("--route", "%q mixes IPv4 and IPv6", s)
	}
	return r, nil
}

// routeFamily returns an address of the family of r.
func routeFamily(r Route) netip.Addr {
	if r.Dst.IsValid() {
		return r.Dst.Addr()
	}
	return r.Via
}
