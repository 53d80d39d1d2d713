package nsattach

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// autoBatch is how many --ip auto candidates one probe window checks.
const autoBatch = 16

// probe checks the addresses on the LAN and picks --ip auto ones. IPv6
// addresses are claimed first so that the kernel's DAD runs while the
// IPv4 probe does. --ip auto holds the host-wide lock from its first pick
// until its addresses are assigned and recorded (step addr).
func (r *attachRun) probe(ctx context.Context) error {
	start := time.Now()
	if len(r.spec.Addrs.Auto) > 0 {
		if err := r.holdLock(ctx); err != nil {
			return fmt.Errorf("--ip auto: %w", err)
		}
		if err := r.loadSiblings(true); err != nil {
			return err
		}
	}
	if err := r.startV6(ctx); err != nil {
		return err
	}
	v4, err := r.checkV4(ctx)
	if err != nil {
		return err
	}
	r.v4 = v4
	if err := r.obtainLease(ctx); err != nil {
		return err
	}
	switch {
	case r.spec.Probe.Mode == arpcheck.ModeOff:
	case len(r.v4)+len(r.v6) == 0:
		r.res.Probe.Result = "no addresses"
	default:
		r.res.Probe.Result = "free"
	}
	r.probeStart = start
	r.res.Probe.DurationMS = elapsedMS(start)
	return nil
}

// startV6 checks and claims the IPv6 addresses: --ip auto ones are picked
// by the host check and a DAD probe; static ones get lanattach's own DAD
// probe where the kernel will run none (ipvlan l3/l3s, or DAD turned off
// in the target), and the kernel's DAD otherwise, which starts as they are
// assigned.
func (r *attachRun) startV6(ctx context.Context) error {
	v6 := family(r.spec.Addrs.Static, false)
	kernelDAD, err := r.kernelDAD()
	if err != nil {
		return err
	}
	if !kernelDAD {
		if cs, err := r.ndpConflicts(ctx, staticIPs(v6)); err != nil || len(cs) > 0 {
			return firstErr(err, conflictErr(cs))
		}
	}
	r.noteChecks(v6, map[bool]string{true: "kernel-dad", false: "ndp"}[kernelDAD])
	for _, p := range r.spec.Addrs.Auto {
		if p.Subnet.Addr().Is6() {
			ip, err := arpcheck.Pick(ctx, p, autoBatch, r.hostAndNDP)
			if err != nil {
				return fmt.Errorf("--ip auto: %w", err)
			}
			pick := netip.PrefixFrom(ip, p.Subnet.Bits())
			v6 = append(v6, pick)
			r.noteChecks([]netip.Prefix{pick}, "ndp")
		}
	}
	if len(v6) == 0 {
		return nil
	}
	if kernelDAD && r.spec.Probe.Mode != arpcheck.ModeOff {
		w, err := arpcheck.WatchDAD(netns.NsHandle(r.target.NS.Fd()), r.slave.Attrs().Index)
		if err != nil {
			return fmt.Errorf("watching IPv6 DAD on %s in %s: %w", r.name, r.target, err)
		}
		r.dad = w
	}
	r.v6 = v6
	return r.claim(ctx, v6)
}

// checkV4 probes the static IPv4 addresses and picks --ip auto ones.
func (r *attachRun) checkV4(ctx context.Context) ([]netip.Prefix, error) {
	v4 := family(r.spec.Addrs.Static, true)
	if cs, err := r.lanConflicts(ctx, staticIPs(v4)); err != nil || len(cs) > 0 {
		return nil, firstErr(err, conflictErr(cs))
	}
	r.noteChecks(v4, "arp")
	for _, p := range r.spec.Addrs.Auto {
		if p.Subnet.Addr().Is4() {
			ip, err := arpcheck.Pick(ctx, p, autoBatch, r.hostAndLAN)
			if err != nil {
				return nil, fmt.Errorf("--ip auto: %w", err)
			}
			pick := netip.PrefixFrom(ip, p.Subnet.Bits())
			v4 = append(v4, pick)
			r.noteChecks([]netip.Prefix{pick}, "arp")
		}
	}
	return v4, nil
}

// hostOnly is the host check: the host's own addresses, the gateways and
// the addresses of sibling slaves on the parent.
func (r *attachRun) hostOnly(_ context.Context, ips []netip.Addr) ([]arpcheck.Conflict, error) {
	cs, err := arpcheck.HostConflicts(r.host, ips, r.spec.Addrs.Gateways, r.siblings)
	if err != nil {
		return nil, fmt.Errorf("checking host addresses: %w", err)
	}
	return cs, nil
}

// hostAndNDP is the --ip auto check for IPv6: the host check, then an
// RFC 4862 DAD probe of the candidates. The kernel's own DAD still runs
// once the address is assigned.
func (r *attachRun) hostAndNDP(ctx context.Context, ips []netip.Addr) ([]arpcheck.Conflict, error) {
	cs, err := r.hostOnly(ctx, ips)
	if err != nil {
		return nil, err
	}
	cs = append(cs, r.plannedConflicts(ips)...)
	lan, err := r.ndpConflicts(ctx, ips)
	return append(cs, lan...), err
}

// ndpConflicts DAD-probes ips (IPv6 only) unless probing is off, sent
// like the ARP probes: from the slave for macvlan, from the parent for
// ipvlan.
func (r *attachRun) ndpConflicts(ctx context.Context, ips []netip.Addr) ([]arpcheck.Conflict, error) {
	if len(ips) == 0 || r.spec.Probe.Mode == arpcheck.ModeOff {
		return nil, nil
	}
	if r.ndp == nil {
		var err error
		if r.spec.Type.Kind == "ipvlan" {
			r.ndp, r.ndpIfi, err = arpcheck.OpenNDP(nil, r.spec.Parent.Name())
		} else {
			r.ndp, r.ndpIfi, err = arpcheck.OpenNDP(r.target.NS, r.name)
		}
		if err != nil {
			return nil, fmt.Errorf("opening DAD probe sockets on %s: %w", r.probeIface(), err)
		}
	}
	cs, err := arpcheck.ProbeNDP(ctx, r.ndp, r.ndpIfi.HardwareAddr, ips, r.probeConfig())
	if err != nil {
		return nil, fmt.Errorf("IPv6 DAD probe on %s: %w", r.probeIface(), err)
	}
	return cs, nil
}

// hostAndLAN is the --ip auto check for IPv4: the host check, then a probe
// of the candidates that passed it.
func (r *attachRun) hostAndLAN(ctx context.Context, ips []netip.Addr) ([]arpcheck.Conflict, error) {
	cs, err := r.hostOnly(ctx, ips)
	if err != nil {
		return nil, err
	}
	cs = append(cs, r.plannedConflicts(ips)...)
	taken := map[netip.Addr]bool{}
	for _, c := range cs {
		taken[c.IP] = true
	}
	var rest []netip.Addr
	for _, ip := range ips {
		if !taken[ip] {
			rest = append(rest, ip)
		}
	}
	lan, err := r.lanConflicts(ctx, rest)
	return append(cs, lan...), err
}

// lanConflicts ARP-probes ips (IPv4 only) unless probing is off.
func (r *attachRun) lanConflicts(ctx context.Context, ips []netip.Addr) ([]arpcheck.Conflict, error) {
	if len(ips) == 0 || r.spec.Probe.Mode == arpcheck.ModeOff {
		return nil, nil
	}
	if err := r.openConn(); err != nil {
		return nil, err
	}
	cs, err := arpcheck.Probe(ctx, r.conn, r.hw, ips, r.probeConfig())
	if err != nil {
		return nil, fmt.Errorf("ARP probe on %s: %w", r.probeIface(), err)
	}
	return cs, nil
}

// openConn opens the ARP socket: on the slave for macvlan, on the parent
// for ipvlan (whose l3 modes cannot ARP, and whose slaves share the
// parent's MAC).
func (r *attachRun) openConn() error {
	if r.conn != nil {
		return nil
	}
	var err error
	if r.spec.Type.Kind == "ipvlan" {
		r.conn, r.hwIface, err = arpcheck.Open(nil, r.spec.Parent.Name())
	} else {
		r.conn, r.hwIface, err = arpcheck.Open(r.target.NS, r.name)
	}
	if err != nil {
		return fmt.Errorf("opening ARP socket on %s: %w", r.probeIface(), err)
	}
	r.hw = r.hwIface.HardwareAddr
	return nil
}

// probeIface names the interface probes go out of.
func (r *attachRun) probeIface() string {
	if r.spec.Type.Kind == "ipvlan" {
		return r.spec.Parent.Name()
	}
	return r.name + " in " + r.target.String()
}

// family returns the prefixes of one address family.
func family(ps []netip.Prefix, v4 bool) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps {
		if p.Addr().Is4() == v4 {
			out = append(out, p)
		}
	}
	return out
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// assign adds addresses to the slave. Rollback needs no undo of its own
// for them: deleting the slave removes them.
func (r *attachRun) assign(ps []netip.Prefix) error {
	for _, p := range ps {
		a := &netlink.Addr{IPNet: prefixNet(p)}
		r.leaseLifetimes(a, p)
		if err := r.th.AddrAdd(r.slave, a); err != nil {
			return fmt.Errorf("adding %s to %s in %s: %w", p, r.name, r.target, err)
		}
		r.res.Addresses = append(r.res.Addresses, p.String())
	}
	return nil
}
