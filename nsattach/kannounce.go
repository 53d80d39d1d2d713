package nsattach

import (
	"fmt"
	"log/slog"
	"slices"

	"github.com/lanattach/lanattach/arpcheck"
)

// With --probe off an attach must not wait, yet RFC 5227 (section 2.3)
// wants at least two announcements. A packet socket would cost a wait of
// its own (the kernel waits for an RCU grace period when one is closed),
// so the kernel sends them: the macvlan slave comes up only once its
// addresses are assigned, and with arp_notify (and ndisc_notify) on the
// kernel announces them as it comes up; setting the slave's MAC to what
// it is makes the kernel announce them once more.

// kernelAnnounces says the kernel sends this attach's IPv4 announcements:
// with --probe off nothing needs the slave up before it has its
// addresses. A passthru slave shares its parent's MAC (setting it would
// reach the parent), and ipvlan announces from the parent.
func (r *attachRun) kernelAnnounces() bool {
	t := r.spec.Type
	return r.spec.Announce && r.spec.Probe.Mode == arpcheck.ModeOff &&
		t.Kind == "macvlan" && t.Mode != "passthru" && r.wantsV4()
}

// wantsV4 says the attach assigns IPv4 addresses, static or picked.
func (r *attachRun) wantsV4() bool {
	return len(family(r.spec.Addrs.Static, true)) > 0 ||
		slices.ContainsFunc(r.spec.Addrs.Auto, func(p arpcheck.Pool) bool { return p.Subnet.Addr().Is4() })
}

// setUp brings the slave up.
func (r *attachRun) setUp() error {
	if err := r.th.LinkSetUp(r.slave); err != nil {
		return fmt.Errorf("bringing %s up in %s: %w", r.name, r.target, err)
	}
	return r.refresh()
}

// kernelAnnounceAgain makes the kernel announce the addresses once more
// by setting the slave's MAC to what it is. A kernel that refuses reports
// false: then the announcement goes out of a packet socket.
func (r *attachRun) kernelAnnounceAgain() bool {
	if err := r.th.LinkSetHardwareAddr(r.slave, r.slave.Attrs().HardwareAddr); err != nil {
		slog.Debug("kernel announcement", "iface", r.name, "err", err)
		return false
	}
	return true
}
