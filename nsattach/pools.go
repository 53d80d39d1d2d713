package nsattach

import (
	"net/netip"

	"github.com/lanattach/lanattach/arpcheck"
)

// parsePools reads --subnet, --ip-range and --exclude for --ip auto: one
// pool per subnet, at most one subnet and one range per family.
func parsePools(f Flags, gateways []netip.Addr) ([]arpcheck.Pool, error) {
	subnets, err := parsePrefixes("--subnet", f.Subnets)
	if err != nil {
		return nil, err
	}
	if len(subnets) == 0 {
		return nil, Inputf("--ip", "auto needs --subnet (the LAN's subnet, like 198.51.100.0/24)")
	}
	ranges, err := parsePrefixes("--ip-range", f.Ranges)
	if err != nil {
		return nil, err
	}
	var excl []netip.Addr
	for _, s := range f.Excludes {
		ip, err := ParseAddr("--exclude", s)
		if err != nil {
			return nil, err
		}
		excl = append(excl, ip)
	}
	var pools []arpcheck.Pool
	for _, sn := range subnets {
		p := arpcheck.Pool{Subnet: sn, Range: sameFamily(ranges, sn.Addr())}
		p.Exclude = filterFamily(excl, sn.Addr())
		p.Reserved = filterFamily(gateways, sn.Addr())
		if err := p.Validate(); err != nil {
			return nil, Inputf("--ip-range", "%v", err)
		}
		pools = append(pools, p)
	}
	for _, r := range ranges {
		if sameFamily(subnets, r.Addr()) == (netip.Prefix{}) {
			return nil, Inputf("--ip-range", "%s: no --subnet of that address family", r)
		}
	}
	return pools, nil
}

// parsePrefixes reads CIDR values of flag, at most one per family.
func parsePrefixes(flag string, vals []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range vals {
		p, err := ParsePrefix(flag, s)
		if err != nil {
			return nil, err
		}
		p = p.Masked()
		if sameFamily(out, p.Addr()).IsValid() {
			return nil, Inputf(flag, "%s: one per address family", s)
		}
		out = append(out, p)
	}
	return out, nil
}

// sameFamily returns the prefix of ip's family in ps, or the zero prefix.
func sameFamily(ps []netip.Prefix, ip netip.Addr) netip.Prefix {
	for _, p := range ps {
		if p.Addr().Is4() == ip.Is4() {
			return p
		}
	}
	return netip.Prefix{}
}

// filterFamily returns the addresses of ip's family.
func filterFamily(ips []netip.Addr, ip netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range ips {
		if a.Is4() == ip.Is4() {
			out = append(out, a)
		}
	}
	return out
}
