package nsattach

import (
	"context"
	"net/netip"

	"github.com/lanattach/lanattach/arpcheck"
)

// noteChecks records in the result which LAN check the addresses got.
func (r *attachRun) noteChecks(ps []netip.Prefix, check string) {
	if r.spec.Probe.Mode == arpcheck.ModeOff {
		check = "none"
	}
	for _, p := range ps {
		r.res.Probe.Checks = append(r.res.Probe.Checks, AddrCheck{IP: p.Addr(), Check: check})
	}
}

// claim makes ps the slave's: under the host-wide lock it runs the final
// host and sibling check (the record and every namespace the kernel
// shows), assigns them and records them, so that no concurrent run can
// hand out the same address.
func (r *attachRun) claim(ctx context.Context, ps []netip.Prefix) error {
	return r.locked(ctx, func() error {
		if r.unlock == nil { // else --ip auto loaded them when it took the lock
			if err := r.loadSiblings(true); err != nil {
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
