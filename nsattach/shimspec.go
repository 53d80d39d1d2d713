package nsattach

import (
	"net/netip"

	"github.com/lanattach/lanattach/link"
)

// parseHostAccess reads --host-access and --shim-ip (one per family). The
// shim is a macvlan in bridge mode: it reaches macvlan slaves in bridge
// mode only. ipvlan slaves are refused: a macvlan shim cannot share their
// parent, and an ipvlan l2 shim is not offered (l3/l3s slaves need a host
// route instead; see README).
func parseHostAccess(f Flags, t link.Type, a Addrs) (bool, []netip.Prefix, error) {
	if !f.HostAccess {
		if len(f.ShimIPs) > 0 {
			return false, nil, Inputf("--shim-ip", "needs --host-access (the shim's address is only for the host's routes to the slave)")
		}
		return false, nil, nil
	}
	switch {
	case t.Kind == "ipvlan":
		return false, nil, Inputf("--host-access", "not offered for ipvlan slaves (%s): the host-side shim is a macvlan, which cannot share a parent with ipvlan; use --mode macvlan, or route to the slave yourself (see README)", t.Mode)
	case t.Mode != "bridge":
		return false, nil, Inputf("--host-access", "needs --macvlan-mode bridge: the shim cannot reach a slave in %s mode", t.Mode)
	}
	ips, err := ParseShimIPs(f.ShimIPs)
	if err != nil {
		return false, nil, err
	}
	for _, p := range ips {
		for _, s := range a.Static {
			if s.Addr() == p.Addr() {
				return false, nil, Inputf("--shim-ip", "%s is also given to the slave with --ip", p.Addr())
			}
		}
	}
	return true, ips, nil
}

// ParseShimIPs reads --shim-ip values: unicast ADDR/PREFIX, at most one
// per family.
func ParseShimIPs(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, Inputf("--shim-ip", "%q is not ADDR/PREFIX (like 198.51.100.9/24 or 2001:db8::9/64)", s)
		}
		if err := plainAddr("--shim-ip", s, p.Addr()); err != nil {
			return nil, err
		}
		ip := p.Addr()
		if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || netOrBroadcast(ip, p) {
			return nil, Inputf("--shim-ip", "%s is not a unicast host address of its subnet", p)
		}
		for _, o := range out {
			if o.Addr().Is4() == ip.Is4() {
				return nil, Inputf("--shim-ip", "%s and %s: one shim address per family", o, p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// ShimFlags are the flags of `lanattach shim` as given.
type ShimFlags struct {
	Parent, Name   string
	NameSet        bool
	IPs            []string
	Remove, DryRun bool
}

// ParseShim checks f and returns the request it describes.
func ParseShim(f ShimFlags) (ShimSpec, error) {
	var s ShimSpec
	var err error
	if s.Parent, err = link.ParseParent(f.Parent, 0); err != nil {
		return s, asInput(err)
	}
	if f.NameSet {
		if err := link.CheckName("--name", f.Name); err != nil {
			return s, asInput(err)
		}
	}
	if f.Remove && len(f.IPs) > 0 {
		return s, Inputf("--shim-ip", "not with --remove")
	}
	if s.IPs, err = ParseShimIPs(f.IPs); err != nil {
		return s, err
	}
	s.Name, s.Remove, s.DryRun = f.Name, f.Remove, f.DryRun
	return s, nil
}
