package nsattach

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/vishvananda/netlink"
)

// autoBatch is how many --ip auto candidates one probe window checks.
const autoBatch = 16

// probe takes the addresses of a spec.Late on the link first (takeLate),
// then checks the addresses on the LAN and picks --ip auto ones, both
// families in one window (checkBoth). --ip auto holds the host-wide lock
// from its first pick until its addresses are assigned and recorded (step
// addr), where the other addresses are claimed too.
func (r *attachRun) probe(ctx context.Context) error {
	if err := r.takeLate(ctx, true); err != nil {
		return err
	}
	r.probeStart = time.Now()
	if len(r.spec.Addrs.Auto) > 0 {
		if err := r.holdLock(ctx); err != nil {
			return fmt.Errorf("--ip auto: %w", err)
		}
		if err := r.loadSiblings(); err != nil {
			return err
		}
	}
	if err := r.startKernelDAD(ctx); err != nil {
		return err
	}
	if err := r.openProbes(); err != nil {
		return err
	}
	v4, v6 := r.checkBoth(ctx)
	r.res.Probe.Checks = append(append(r.res.Probe.Checks, v4.checks...), v6.checks...)
	if err := firstErr(v4.err, v6.err, conflictErr(append(v4.cs, v6.cs...))); err != nil {
		return err
	}
	r.v4, r.v6 = v4.addrs, append(r.v6, v6.addrs...)
	r.unclaimed = append(v4.addrs, v6.addrs...)
	if err := r.startGuard(v6.addrs); err != nil {
		return err
	}
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
	r.res.Probe.DurationMS = elapsedMS(r.probeStart)
	return nil
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
// RFC 4862 DAD probe of the candidates.
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
	if err := r.openNDP(); err != nil {
		return nil, err
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

// openNDP opens the DAD probe sockets, where the ARP socket goes.
func (r *attachRun) openNDP() error {
	if r.ndp != nil {
		return nil
	}
	var err error
	if r.ndp, r.ndpIfi, err = arpcheck.OpenNDP(r.probeAt()); err != nil {
		return fmt.Errorf("opening DAD probe sockets on %s: %w", r.probeIface(), err)
	}
	return nil
}

// openConn opens the ARP socket.
func (r *attachRun) openConn() error {
	if r.conn != nil {
		return nil
	}
	var err error
	if r.conn, r.hwIface, err = arpcheck.Open(r.probeAt()); err != nil {
		return fmt.Errorf("opening ARP socket on %s: %w", r.probeIface(), err)
	}
	r.hw = r.hwIface.HardwareAddr
	return nil
}

// probeAt is where the probe sockets are opened: on the slave for
// macvlan, on the parent (in this netns: nil) for ipvlan, whose l3 modes
// cannot ARP and whose slaves share the parent's MAC.
func (r *attachRun) probeAt() (ns.NetNS, string) {
	if r.spec.Type.Kind == "ipvlan" {
		return nil, r.spec.Parent.Name()
	}
	return r.target.NS, r.name
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
	for i, p := range ps {
		if i == 1 {
			if err := failpoint.Hit("addr.second"); err != nil {
				return err
			}
		}
		a := &netlink.Addr{IPNet: prefixNet(p), Flags: r.addrFlags(p)}
		r.leaseLifetimes(a, p)
		if err := r.th.AddrAdd(r.slave, a); err != nil {
			return fmt.Errorf("adding %s to %s in %s: %w", p, r.name, r.target, err)
		}
		r.res.Addresses = append(r.res.Addresses, p.String())
	}
	return nil
}
