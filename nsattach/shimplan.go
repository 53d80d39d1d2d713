package nsattach

import (
	"fmt"
	"net/netip"

	"github.com/lanattach/lanattach/link"
)

// ShimPlan checks spec like `lanattach shim` does before its first change
// and returns the plan as equivalent ip(8) and sysctl(8) commands.
func ShimPlan(spec ShimSpec) ([]string, error) {
	h, _, l, err := findShimOf(spec)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	p, name := spec.Parent.Name(), spec.shimName()
	if spec.Remove {
		if l == nil {
			return []string{"# no shim of " + p}, nil
		}
		return []string{"# unless an attachment still uses it:", "ip link del " + l.Attrs().Name}, nil
	}
	if l != nil {
		name = l.Attrs().Name
	}
	return shimCommands(p, name, l == nil, true, spec.IPs, nil), nil
}

// planShim renders the host-access part of an attach.
func (r *attachRun) planShim() []string {
	if !r.spec.HostAccess {
		return nil
	}
	p := r.spec.Parent.Name()
	l, _ := link.FindShim(r.host, "--host-access", p, r.ha.name)
	out := shimCommands(p, r.ha.name, l == nil, false, r.spec.ShimIPs, r.ha.borrowed)
	dst := func(ip netip.Addr) string { return netip.PrefixFrom(ip, ip.BitLen()).String() }
	for _, a := range r.spec.Addrs.Static {
		src := r.ha.src4
		if a.Addr().Is6() {
			src = r.ha.src6
		}
		out = append(out, fmt.Sprintf("ip route add %s dev %s src %s", dst(a.Addr()), r.ha.name, src))
	}
	for range r.spec.Addrs.Auto {
		out = append(out, fmt.Sprintf("ip route add <auto>/32 (/128) dev %s src <host address>", r.ha.name))
	}
	return out
}

// shimCommands renders making (when create) and setting up a shim.
func shimCommands(parent, name string, create, kept bool, ips []netip.Prefix, proxies []netip.Addr) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if create {
		add("ip link add link %s name %s type macvlan mode bridge", parent, name)
		add("ip link set %s alias %q", name, link.ShimMark(parent, kept))
	}
	add("sysctl -qw net/ipv4/conf/%s/arp_filter=1", name)
	add("# when net/ipv4/conf/all/rp_filter or net/ipv4/conf/%s/rp_filter is 1 (strict):", name)
	add("sysctl -qw net/ipv4/conf/%s/rp_filter=2", name)
	add("sysctl -qw net/ipv6/conf/%s/proxy_ndp=1 net/ipv6/conf/%s/forwarding=1", name, name)
	for _, p := range ips {
		nodad := ""
		if p.Addr().Is6() {
			nodad = " nodad"
		}
		add("ip addr add %s dev %s noprefixroute%s", p, name, nodad)
	}
	add("ip link set %s up", name)
	for _, ip := range proxies {
		add("ip -6 neigh add proxy %s dev %s", ip, name)
	}
	return out
}
