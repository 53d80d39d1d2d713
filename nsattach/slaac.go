package nsattach

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// raSysctls sets how the slave takes router advertisements, before it
// comes up: with --ip slaac it accepts them (even if the target forwards)
// and configures addresses from them; without, it ignores them, so no
// unexpected global address or route appears. Runs inside the target,
// with its sysctls s.
func (r *attachRun) raSysctls(s netSysctls) error {
	accept, autoconf := "0", "0"
	if r.spec.Addrs.SLAAC {
		accept, autoconf = "2", "1"
	}
	dir := "ipv6/conf/" + r.name + "/"
	err := s.set(dir+"accept_ra", accept)
	if err == nil {
		err = s.set(dir+"autoconf", autoconf)
	}
	if os.IsNotExist(err) && !r.spec.Addrs.SLAAC {
		return nil // IPv6 is off in the target
	}
	if err != nil {
		return fmt.Errorf("setting accept_ra on %s in %s (--ip slaac needs IPv6 on): %w", r.name, r.target, err)
	}
	return nil
}

// slaacPoll is how often waitSLAAC looks at the slave's addresses.
const slaacPoll = 100 * time.Millisecond

// waitSLAAC waits, within --ra-timeout, for a global IPv6 address from a
// router advertisement to pass the kernel's DAD.
func (r *attachRun) waitSLAAC(ctx context.Context) error {
	if !r.spec.Addrs.SLAAC {
		return nil
	}
	wait := r.spec.Dynamic.RATimeout
	deadline := time.Now().Add(wait)
	for {
		addrs, err := r.th.AddrList(r.slave, netlink.FAMILY_V6)
		if err != nil {
			return fmt.Errorf("reading addresses of %s in %s: %w", r.name, r.target, err)
		}
		for _, a := range addrs {
			if slaacDone(a) {
				r.res.Addresses = append(r.res.Addresses, a.IPNet.String())
				r.res.Probe.Checks = append(r.res.Probe.Checks, AddrCheck{IP: addrOf(a), Check: "kernel-dad"})
				return r.recordAddrs()
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("--ip slaac: no router advertisement gave %s in %s a global IPv6 address within --ra-timeout %s",
				r.name, r.target, wait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("--ip slaac: %w", ctx.Err())
		case <-time.After(slaacPoll):
		}
	}
}

// addrOf is a's IP as a netip.Addr.
func addrOf(a netlink.Addr) netip.Addr {
	ip, _ := netip.AddrFromSlice(a.IP)
	return ip.Unmap()
}

// slaacDone reports whether a is a global address the kernel made from a
// router advertisement and that passed DAD.
func slaacDone(a netlink.Addr) bool {
	bad := unix.IFA_F_TENTATIVE | unix.IFA_F_DADFAILED | unix.IFA_F_PERMANENT
	return a.Scope == unix.RT_SCOPE_UNIVERSE && a.Flags&bad == 0 && a.IP.To4() == nil
}
