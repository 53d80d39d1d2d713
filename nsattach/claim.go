package nsattach

import (
	"context"
	"net/netip"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"golang.org/x/sys/unix"
)

// checksOf says which LAN check the addresses of ps got and how long it
// took ("none" with --probe off).
func (r *attachRun) checksOf(ps []netip.Prefix, check string, took time.Duration) []AddrCheck {
	if r.spec.Probe.Mode == arpcheck.ModeOff {
		check, took = "none", 0
	}
	var out []AddrCheck
	for _, p := range ps {
		out = append(out, AddrCheck{IP: p.Addr(), Check: check, DurationMS: took.Milliseconds()})
	}
	return out
}

// addrFlags are the flags an address is added with. IPv6 addresses get
// IFA_F_NODAD unless the kernel's DAD is their check (rfc mode): with
// --probe off nothing is to wait for, and otherwise lanattach's own RFC
// 4862 probe has just checked them, in the ARP probe's window. Without
// NODAD the kernel would hold them tentative (unusable) for another 1 to
// 2 s of its own DAD. Optimistic DAD (RFC 4429) was the other choice: the
// address is usable at once, but only where the kernel is built with it,
// and its DAD would end after lanattach has returned, so a duplicate it
// finds would be reported to nobody. With NODAD, the NDP guard
// (arpcheck.NDPGuard, steps probe to guard) reports a duplicate that shows
// up while lanattach runs instead, and the attach is undone.
func (r *attachRun) addrFlags(p netip.Prefix) int {
	if p.Addr().Is4() || r.kernelV6 {
		return 0
	}
	return unix.IFA_F_NODAD
}

// claim makes ps the slave's: under the host-wide lock it runs the final
// host and sibling check (the record and every namespace the kernel
// shows), assigns them and records them, so that no concurrent run can
// hand out the same address.
func (r *attachRun) claim(ctx context.Context, ps []netip.Prefix) error {
	return r.locked(ctx, func() error {
		if r.unlock == nil { // else --ip auto loaded them when it took the lock
			if err := r.loadSiblings(); err != nil {
				return err
			}
		}
		cs, err := r.hostOnly(ctx, staticIPs(ps))
		if err != nil || len(cs) > 0 {
			return firstErr(err, conflictErr(cs))
		}
		if err := r.assign(ps); err != nil {
			return err
		}
		return r.recordAddrs()
	})
}
