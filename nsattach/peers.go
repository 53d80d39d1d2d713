package nsattach

import (
	"log/slog"
	"net"
	"net/netip"

	"github.com/lanattach/lanattach/arpcheck"
)

// peerRuns are the other lanattach runs of this host that are attaching
// now: the MACs of their slaves and the static addresses they are about to
// claim.
type peerRuns struct {
	macs    []net.HardwareAddr
	planned map[netip.Addr]string // address -> who plans it
}

// peers reads the running runs from the record (files only, no kernel
// dump). A record that cannot be read is skipped: the claim under the
// lock is the final arbiter.
func (r *attachRun) peers() peerRuns {
	p := peerRuns{planned: map[netip.Addr]string{}}
	recs, err := r.led.List()
	if err != nil {
		slog.Debug("reading peer runs", "err", err)
	}
	for _, rec := range recs {
		if rec.ID == r.rec.ID {
			continue
		}
		if running, err := r.led.Running(rec.ID); err != nil || !running {
			continue
		}
		if mac, err := net.ParseMAC(rec.MAC); err == nil {
			p.macs = append(p.macs, mac)
		}
		for _, s := range rec.Planned {
			if pf, err := netip.ParsePrefix(s); err == nil {
				p.planned[pf.Addr()] = "planned by lanattach run " + rec.ID
			}
		}
	}
	return p
}

// probeConfig is the probe configuration with the slaves of concurrent
// runs as peers, whose probes are no clash: the claim under the host-wide
// lock decides between lanattach runs, so that none of them fails only
// because another one was probing at the same time.
func (r *attachRun) probeConfig() arpcheck.ProbeConfig {
	cfg := r.spec.Probe
	cfg.Peers = r.peers().macs
	return cfg
}

// plannedConflicts returns the --ip auto candidates that a concurrent run
// is about to claim as a static address.
func (r *attachRun) plannedConflicts(ips []netip.Addr) []arpcheck.Conflict {
	planned := r.peers().planned
	var cs []arpcheck.Conflict
	for _, ip := range ips {
		if who, ok := planned[ip]; ok {
			cs = append(cs, arpcheck.Conflict{IP: ip, Where: arpcheck.WhereSibling, Detail: who})
		}
	}
	return cs
}
