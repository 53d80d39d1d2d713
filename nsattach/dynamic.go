package nsattach

import (
	"fmt"
	"net/netip"
	"time"
)

// Dynamic are the parts of an attach that the LAN decides: a DHCP lease,
// SLAAC, and a MAC derived from a seed.
type Dynamic struct {
	// DHCPTimeout bounds each wait for a DHCP offer and ack.
	DHCPTimeout time.Duration
	// RATimeout bounds the wait for a SLAAC address (--ip slaac).
	RATimeout time.Duration
	// MACSeed (--mac stable --mac-seed) derives the slave's MAC from the
	// parent's; empty: no stable MAC.
	MACSeed string
	// ResolvConf is where to write the lease's DNS servers; empty: nowhere.
	ResolvConf string
}

// DefaultDynamicTimeout is the default of --dhcp-timeout and --ra-timeout.
const DefaultDynamicTimeout = 10 * time.Second

// maxDynamicTimeout bounds --dhcp-timeout and --ra-timeout.
const maxDynamicTimeout = 10 * time.Minute

// setDynamic notes --ip dhcp or --ip slaac, each at most once.
func (a *Addrs) setDynamic(s string) error {
	p := map[string]*bool{"dhcp": &a.DHCP, "slaac": &a.SLAAC}[s]
	if *p {
		return Inputf("--ip", "%s given twice", s)
	}
	*p = true
	return nil
}

// parseDynamic reads --ip dhcp/slaac against the other address flags,
// --dhcp-timeout, --ra-timeout, --mac stable, --mac-seed and
// --resolv-conf.
func parseDynamic(f Flags, s Spec) (Dynamic, error) {
	d := Dynamic{DHCPTimeout: DefaultDynamicTimeout, RATimeout: DefaultDynamicTimeout, ResolvConf: f.ResolvConf}
	for flag, v := range map[string]*time.Duration{"--dhcp-timeout": &f.DHCPTimeout, "--ra-timeout": &f.RATimeout} {
		if *v != 0 && (*v < 100*time.Millisecond || *v > maxDynamicTimeout) {
			return d, Inputf(flag, "%s is out of range 100ms-%s", *v, maxDynamicTimeout)
		}
	}
	if f.DHCPTimeout != 0 {
		d.DHCPTimeout = f.DHCPTimeout
	}
	if f.RATimeout != 0 {
		d.RATimeout = f.RATimeout
	}
	if err := checkDHCP(f, s); err != nil {
		return d, err
	}
	if f.ResolvConf != "" && !s.Addrs.DHCP {
		return d, Inputf("--resolv-conf", "%s: only a DHCP lease (--ip dhcp) gives DNS servers to write", f.ResolvConf)
	}
	switch {
	case f.MAC == "stable" && f.MACSeed == "":
		return d, Inputf("--mac", "stable needs --mac-seed NAME (like the container's name), from which the MAC is derived")
	case f.MAC == "stable" && s.Type.Kind != "macvlan":
		return d, Inputf("--mac", "stable: only macvlan slaves have their own MAC; ipvlan slaves use the parent's")
	case f.MACSeed != "" && f.MAC != "stable":
		return d, Inputf("--mac-seed", "%q is used only with --mac stable", f.MACSeed)
	}
	d.MACSeed = f.MACSeed
	return d, nil
}

// checkDHCP refuses IPv4 flags that contradict --ip dhcp: the lease gives
// the address, the subnet and the router.
func checkDHCP(f Flags, s Spec) error {
	a := s.Addrs
	if !a.DHCP {
		return nil
	}
	if s.Type.Kind == "ipvlan" && s.Type.Mode != "l2" {
		return Inputf("--ip", "dhcp needs --ipvlan-mode l2: ipvlan %s slaves get no broadcast replies", s.Type.Mode)
	}
	for _, p := range a.Static {
		if p.Addr().Is4() {
			return Inputf("--ip", "dhcp and %s: give one source of IPv4 addresses", p)
		}
	}
	for _, p := range a.Auto {
		if p.Subnet.Addr().Is4() {
			return Inputf("--ip", "dhcp and auto for IPv4 (--subnet %s): give one source of IPv4 addresses", p.Subnet)
		}
	}
	for _, sn := range f.Subnets {
		if p, err := netip.ParsePrefix(sn); err == nil && p.Addr().Is4() {
			return Inputf("--subnet", "%s: with --ip dhcp the lease gives the IPv4 subnet", sn)
		}
	}
	for _, gw := range a.Gateways {
		if gw.Is4() {
			return Inputf("--gateway", "%s: with --ip dhcp the lease gives the IPv4 router", gw)
		}
	}
	return nil
}

// planRA renders the router advertisement sysctls, set with arp_notify.
func (r *attachRun) planRA() string {
	accept, autoconf := "0", "0"
	if r.spec.Addrs.SLAAC {
		accept, autoconf = "2", "1"
	}
	return fmt.Sprintf("%s sysctl -qw net.ipv6.conf.%s.accept_ra=%s net.ipv6.conf.%s.autoconf=%s",
		r.nsenter(), r.name, accept, r.name, autoconf)
}

// planDynamic renders --ip dhcp and --ip slaac for --dry-run.
func (r *attachRun) planDynamic() []string {
	var out []string
	a, d := r.spec.Addrs, r.spec.Dynamic
	if a.DHCP {
		out = append(out, fmt.Sprintf("# --ip dhcp: DHCP on %s within %s; the leased address is probed (DECLINE on a clash),"+
			" added with the lease's lifetime, the default route goes via the lease's router", r.name, d.DHCPTimeout),
			fmt.Sprintf("# --ip dhcp: `lanattach --log-level info %s --record RECORD-ID` keeps the lease until detach,"+
				" logging to RECORD-ID.log next to the record", KeeperCommand))
	}
	if a.SLAAC {
		out = append(out, fmt.Sprintf("# --ip slaac: wait up to %s for a global address from router advertisements", d.RATimeout))
	}
	if d.ResolvConf != "" {
		out = append(out, "# --resolv-conf: write the lease's DNS servers to "+d.ResolvConf)
	}
	return out
}
