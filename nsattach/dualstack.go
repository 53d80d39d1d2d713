package nsattach

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/vishvananda/netns"
)

// famResult is what the LAN checks of one address family found.
type famResult struct {
	addrs  []netip.Prefix // checked and picked addresses, to claim
	checks []AddrCheck
	cs     []arpcheck.Conflict
	err    error
}

// checkBoth runs the checks of both families side by side, so that the
// ARP probe and the IPv6 DAD probe share one window. Each uses its own
// socket, opened beforehand (openProbes); the goroutine only reads and
// writes sockets and netlink, and never switches namespaces.
func (r *attachRun) checkBoth(ctx context.Context) (v4, v6 famResult) {
	var wg sync.WaitGroup
	wg.Go(func() { v4 = r.checkFamily(ctx, true) })
	v6 = r.checkFamily(ctx, false)
	wg.Wait()
	return v4, v6
}

// checkFamily probes the static addresses of one family (IPv4: ARP, IPv6:
// lanattach's RFC 4862 DAD probe, unless the kernel's DAD checks them)
// and then picks its --ip auto address. A panic becomes its error, so
// that the attach is still rolled back.
func (r *attachRun) checkFamily(ctx context.Context, is4 bool) (res famResult) {
	defer func() {
		if p := recover(); p != nil {
			res.err = fmt.Errorf("internal error: %v", p)
		}
	}()
	probe, pick, check := r.ndpConflicts, r.hostAndNDP, "ndp"
	static := family(r.spec.Addrs.Static, is4)
	if is4 {
		probe, pick, check = r.lanConflicts, r.hostAndLAN, "arp"
	} else if r.kernelV6 {
		static = nil // claimed already (startKernelDAD)
	}
	start := time.Now()
	if res.cs, res.err = probe(ctx, staticIPs(static)); res.err != nil || len(res.cs) > 0 {
		return res
	}
	res.addrs = static
	res.checks = r.checksOf(static, check, time.Since(start))
	for _, p := range r.spec.Addrs.Auto {
		if p.Subnet.Addr().Is4() != is4 {
			continue
		}
		start := time.Now()
		ip, err := arpcheck.Pick(ctx, p, autoBatch, pick)
		if err != nil {
			res.err = fmt.Errorf("--ip auto: %w", err)
			return res
		}
		pf := netip.PrefixFrom(ip, p.Subnet.Bits())
		res.addrs = append(res.addrs, pf)
		res.checks = append(res.checks, r.checksOf([]netip.Prefix{pf}, check, time.Since(start))...)
	}
	return res
}

// openProbes opens the probe sockets the checks need. They are opened here
// and not by the checks: the checks run side by side, and a socket is
// made on a thread switched into the target's netns, where no goroutine
// may start.
func (r *attachRun) openProbes() error {
	if r.spec.Probe.Mode == arpcheck.ModeOff {
		return nil
	}
	v4, v6 := r.spec.Addrs.families()
	if v4 {
		if err := r.openConn(); err != nil {
			return err
		}
	}
	if v6 {
		return r.openNDP()
	}
	return nil
}

// startKernelDAD leaves the static IPv6 addresses to the kernel's DAD in
// rfc mode, when the kernel runs DAD on the slave: they are claimed at
// once, so that its DAD (1 to 2 s) runs while the ARP probe does, and
// watched until step dad. In fast mode, and where the kernel runs no DAD,
// lanattach's own probe checks them instead (see addrFlags).
func (r *attachRun) startKernelDAD(ctx context.Context) error {
	if r.spec.Probe.Mode != arpcheck.ModeRFC {
		return nil
	}
	on, err := r.kernelDAD()
	if _, v6 := r.spec.Addrs.families(); err != nil || !on || !v6 {
		return err
	}
	r.kernelV6 = true
	w, err := arpcheck.WatchDAD(netns.NsHandle(r.target.NS.Fd()), r.slave.Attrs().Index)
	if err != nil {
		return fmt.Errorf("watching IPv6 DAD on %s in %s: %w", r.name, r.target, err)
	}
	r.dad = w
	static := family(r.spec.Addrs.Static, false)
	if len(static) == 0 {
		return nil
	}
	r.v6 = static
	r.res.Probe.Checks = append(r.res.Probe.Checks, r.checksOf(static, "kernel-dad", 0)...)
	return r.claim(ctx, static)
}

// startGuard keeps listening on the DAD probe's socket for the IPv6
// addresses lanattach's probe passed, until step guard: they are assigned
// with IFA_F_NODAD, so the kernel no longer looks for duplicates, and one
// that shows up while lanattach runs still fails the attach.
func (r *attachRun) startGuard(v6 []netip.Prefix) error {
	if r.ndp == nil || r.kernelV6 || len(v6) == 0 {
		return nil
	}
	g, err := arpcheck.GuardNDP(r.ndp, r.ndpIfi.HardwareAddr, staticIPs(v6))
	if err != nil {
		return fmt.Errorf("watching for duplicates of %v on %s: %w", v6, r.probeIface(), err)
	}
	r.guard = g
	return nil
}

// endGuard stops the guard and fails the attach with what it saw: another
// node advertising one of the IPv6 addresses since the probe passed.
func (r *attachRun) endGuard(context.Context) error {
	if r.guard == nil {
		return nil
	}
	cs, err := r.guard.Stop()
	if err != nil {
		return fmt.Errorf("watching for duplicates of the IPv6 addresses on %s: %w", r.probeIface(), err)
	}
	return conflictErr(cs)
}
