package nsattach

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The shim's own settings. They live in the shim's own sysctl directory
// and go with it; the parent's and the host's (all, default) are only read.
//   - arp_filter=1: the shim answers ARP for the host's addresses only to
//     those it routes to (the slaves), never to LAN peers, which keep
//     talking to the parent.
//   - rp_filter: loose (2) when the effective mode, the larger of all and
//     the shim's own, would be strict (1).
//   - IPv6: proxy_ndp=1 and forwarding=1, so that the shim answers a
//     slave's neighbour solicitations for the borrowed host address.

// shimSysctl is the path of a per-interface setting of the shim.
func shimSysctl(family, name, key string) string {
	return filepath.Join("/proc/sys/net", family, "conf", name, key)
}

// readSysctl reads a setting, trimmed.
func readSysctl(path string) (string, error) {
	b, err := os.ReadFile(path)
	return strings.TrimSpace(string(b)), err
}

// setShimSysctl sets one setting of the shim to val, pushing an undo that
// restores the old value when it changed it.
func setShimSysctl(u *undoStack, family, name, key, val string) error {
	p := shimSysctl(family, name, key)
	old, err := readSysctl(p)
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if old == val {
		return nil
	}
	if err := os.WriteFile(p, []byte(val), 0o644); err != nil {
		return fmt.Errorf("setting %s to %s: %w", p, val, err)
	}
	u.push("shim-sysctl", "set "+p, func() error { return os.WriteFile(p, []byte(old), 0o644) })
	return nil
}

// configureShim gives the shim its settings, the --shim-ip addresses (no
// prefix route: the parent keeps the LAN's connected route) and brings it
// up; it returns how the reverse-path filter treats the shim now.
func configureShim(h netlinksafe.Handle, u *undoStack, l netlink.Link, ips []netip.Prefix) (string, error) {
	name := l.Attrs().Name
	if err := setShimSysctl(u, "ipv4", name, "arp_filter", "1"); err != nil {
		return "", err
	}
	rp, err := shimRPFilter(u, name)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(shimSysctl("ipv6", name, "")); err == nil {
		for _, key := range []string{"proxy_ndp", "forwarding"} {
			if err := setShimSysctl(u, "ipv6", name, key, "1"); err != nil {
				return "", err
			}
		}
	}
	for _, p := range ips {
		a := &netlink.Addr{IPNet: prefixNet(p), Flags: unix.IFA_F_NOPREFIXROUTE}
		if p.Addr().Is6() {
			a.Flags |= unix.IFA_F_NODAD
		}
		err := h.AddrAdd(l, a)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("--shim-ip %s on %s: %w", p, name, err)
		}
		u.push("shim-addr", "address "+p.String()+" on "+name, func() error { return h.AddrDel(l, a) })
	}
	if err := h.LinkSetUp(l); err != nil {
		return "", fmt.Errorf("bringing shim %s up: %w", name, err)
	}
	return rp, nil
}

// shimRPFilter sets the shim's reverse-path filter to loose where the
// effective mode would be strict, and says what it is now.
func shimRPFilter(u *undoStack, name string) (string, error) {
	all, err := readSysctl(shimSysctl("ipv4", "all", "rp_filter"))
	if err != nil {
		return "", fmt.Errorf("reading rp_filter: %w", err)
	}
	own, err := readSysctl(shimSysctl("ipv4", name, "rp_filter"))
	if err != nil {
		return "", fmt.Errorf("reading rp_filter of %s: %w", name, err)
	}
	switch max(all, own) {
	case "0":
		return "off", nil
	case "2":
		return "loose", nil
	}
	if err := setShimSysctl(u, "ipv4", name, "rp_filter", "2"); err != nil {
		return "", err
	}
	return "loose (set on " + name + ": strict mode would drop replies arriving on it)", nil
}

// addProxies makes the shim answer neighbour solicitations for the
// borrowed IPv6 addresses.
func addProxies(h netlinksafe.Handle, u *undoStack, l netlink.Link, ips []netip.Addr) error {
	for _, ip := range ips {
		n := &netlink.Neigh{LinkIndex: l.Attrs().Index, Family: netlink.FAMILY_V6, Flags: netlink.NTF_PROXY, IP: ip.AsSlice()}
		err := h.NeighAdd(n)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return fmt.Errorf("proxy NDP for %s on %s: %w", ip, l.Attrs().Name, err)
		}
		u.push("shim-proxy", "proxy NDP "+ip.String(), func() error { return h.NeighDel(n) })
	}
	return nil
}

// shimRoute is the host route to a slave's address ip through the shim,
// from src.
func shimRoute(l netlink.Link, ip, src netip.Addr) *netlink.Route {
	r := &netlink.Route{LinkIndex: l.Attrs().Index, Dst: prefixNet(netip.PrefixFrom(ip, ip.BitLen())),
		Scope: netlink.SCOPE_LINK}
	if ip.Is6() {
		r.Scope = netlink.SCOPE_UNIVERSE
	}
	if src.IsValid() {
		r.Src = src.AsSlice()
	}
	return r
}

// delShimRoutes removes the host routes through the shim to ips, those
// already gone aside.
func delShimRoutes(h netlinksafe.Handle, l netlink.Link, ips []netip.Addr) error {
	var errs []error
	for _, ip := range ips {
		err := h.RouteDel(shimRoute(l, ip, netip.Addr{}))
		if err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("removing route to %s via %s: %w", ip, l.Attrs().Name, err))
		}
	}
	return errors.Join(errs...)
}
