package nsattach

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/vishvananda/netlink"
)

// dadTimeout bounds the wait for the kernel's IPv6 DAD.
const dadTimeout = 15 * time.Second

// addAddrs claims the checked addresses of both families in one go, then
// lets go of the lock an --ip auto run held since its first pick. When the
// kernel announces the addresses (kernelAnnounces), the slave comes up now
// that it has them.
func (r *attachRun) addAddrs(ctx context.Context) error {
	if len(r.unclaimed) > 0 {
		if err := r.claim(ctx, r.unclaimed); err != nil {
			r.releaseLock()
			return err
		}
	}
	r.releaseLock()
	if r.kernelAnnounces() {
		return r.setUp()
	}
	return nil
}

// waitDAD waits for the kernel's verdict on the IPv6 addresses.
func (r *attachRun) waitDAD(ctx context.Context) error {
	if r.dad == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, dadTimeout)
	defer cancel()
	cs, err := r.dad.Wait(ctx, staticIPs(r.v6))
	r.res.Probe.DurationMS = elapsedMS(r.probeStart)
	for i, c := range r.res.Probe.Checks {
		if c.Check == "kernel-dad" {
			r.res.Probe.Checks[i].DurationMS = r.res.Probe.DurationMS
		}
	}
	if err != nil {
		return fmt.Errorf("waiting for IPv6 DAD on %s in %s: %w", r.name, r.target, err)
	}
	return conflictErr(cs)
}

// addRoutes installs the default routes and the --route routes. Like the
// addresses, they go with the slave on rollback.
func (r *attachRun) addRoutes(context.Context) error {
	routes := r.leaseRoutes()
	for _, gw := range r.spec.Addrs.Gateways {
		routes = append(routes, Route{Via: gw})
	}
	routes = append(routes, r.spec.Addrs.Routes...)
	for i, rt := range routes {
		if i == 1 {
			if err := failpoint.Hit("route.second"); err != nil {
				return err
			}
		}
		nr := &netlink.Route{LinkIndex: r.slave.Attrs().Index}
		if rt.Dst.IsValid() {
			nr.Dst = prefixNet(rt.Dst)
		}
		if rt.Via.IsValid() {
			nr.Gw = rt.Via.AsSlice()
		}
		if err := r.th.RouteAdd(nr); err != nil {
			return fmt.Errorf("adding route %s dev %s in %s: %w", rt, r.name, r.target, err)
		}
		r.res.Routes = append(r.res.Routes, rt.String())
	}
	return nil
}

// announce sends gratuitous ARPs for the IPv4 addresses.
func (r *attachRun) announce(ctx context.Context) error {
	if !r.spec.Announce || len(r.v4) == 0 {
		return nil
	}
	if r.kernelAnnounces() && r.kernelAnnounceAgain() {
		return nil
	}
	if err := r.openConn(); err != nil {
		return err
	}
	if err := arpcheck.Announce(ctx, r.conn, r.hw, staticIPs(r.v4), r.spec.Probe); err != nil {
		return fmt.Errorf("announcing on %s: %w", r.probeIface(), err)
	}
	return nil
}

// prefixNet converts p to the form netlink takes.
func prefixNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
