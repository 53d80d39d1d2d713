package nsattach

import (
	"fmt"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// preflightShim checks --host-access before any change: the shim's name
// is free or lanattach's shim of this parent, the --shim-ip addresses pass
// the host check, and each family of the slave has a source address for
// the host's routes: --shim-ip, else the shim's own, else the parent's
// (borrowed: for IPv6 the shim then answers for it by proxy NDP).
func (r *attachRun) preflightShim() error {
	if !r.spec.HostAccess {
		return nil
	}
	p := r.spec.Parent.Name()
	r.ha.name = link.ShimName(p)
	l, err := link.FindShim(r.host, "--host-access", p, r.ha.name)
	if err != nil {
		return asInput(err)
	}
	if l != nil {
		r.ha.name = l.Attrs().Name
	}
	if err := hostCheckShimIPs(r.host, r.parent.Link, l, r.spec.ShimIPs); err != nil {
		return err
	}
	v4, v6 := r.spec.Addrs.families()
	if v4 {
		r.ha.src4, _, err = r.shimSource(l, netlink.FAMILY_V4)
	}
	if v6 && err == nil {
		var borrowed bool
		if r.ha.src6, borrowed, err = r.shimSource(l, netlink.FAMILY_V6); borrowed {
			r.ha.borrowed = append(r.ha.borrowed, r.ha.src6)
		}
	}
	return err
}

// shimSource is the source of the host's routes of family fam to the
// slave, and whether it is borrowed from the parent.
func (r *attachRun) shimSource(l netlink.Link, fam int) (netip.Addr, bool, error) {
	for _, p := range r.spec.ShimIPs {
		if p.Addr().Is4() == (fam == netlink.FAMILY_V4) {
			return p.Addr(), false, nil
		}
	}
	if l != nil {
		if ip, err := globalAddr(r.host, l, fam); err != nil || ip.IsValid() {
			return ip, false, err
		}
	}
	what := map[int]string{netlink.FAMILY_V4: "IPv4", netlink.FAMILY_V6: "IPv6"}[fam]
	if r.parent.Link == nil {
		return netip.Addr{}, false, Inputf("--host-access", "parent %s is still to be made and has no %s address to borrow; give --shim-ip", r.spec.Parent.Name(), what)
	}
	ip, err := globalAddr(r.host, r.parent.Link, fam)
	if err == nil && !ip.IsValid() {
		err = Inputf("--host-access", "parent %s has no global %s address for the host to talk from; add one or give --shim-ip ADDR/PREFIX", r.spec.Parent.Name(), what)
	}
	return ip, true, err
}

// globalAddr is the first global address of family fam on l, if any.
func globalAddr(h netlinksafe.Handle, l netlink.Link, fam int) (netip.Addr, error) {
	addrs, err := h.AddrList(l, fam)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("reading the addresses of %s: %w", l.Attrs().Name, err)
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && a.Scope == int(netlink.SCOPE_UNIVERSE) {
			return ip.Unmap(), nil
		}
	}
	return netip.Addr{}, nil
}

// hostCheckShimIPs runs the host check on the addresses ips the shim l
// (nil: still to be made) of parent does not have yet: no host interface
// and no slave of parent may hold them. (They get no LAN probe.)
func hostCheckShimIPs(h netlinksafe.Handle, parent, l netlink.Link, ips []netip.Prefix) error {
	var fresh []netip.Addr
	for _, p := range ips {
		if l == nil || !hasAddr(h, l, p.Addr()) {
			fresh = append(fresh, p.Addr())
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	var sibs []arpcheck.Holder
	if parent != nil {
		var err error
		if sibs, err = Siblings(parent.Attrs().Index); err != nil {
			return fmt.Errorf("listing sibling slaves of %s: %w", parent.Attrs().Name, err)
		}
	}
	cs, err := arpcheck.HostConflicts(h, fresh, nil, sibs)
	if err != nil {
		return fmt.Errorf("checking host addresses: %w", err)
	}
	return conflictErr(cs)
}

// hasAddr reports whether link l has address ip.
func hasAddr(h netlinksafe.Handle, l netlink.Link, ip netip.Addr) bool {
	as, err := h.AddrList(l, netlink.FAMILY_ALL)
	for _, a := range as {
		if got, ok := netip.AddrFromSlice(a.IP); err == nil && ok && got.Unmap() == ip {
			return true
		}
	}
	return false
}
