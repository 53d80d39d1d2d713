package nsattach

import (
	"context"
	"fmt"
)

// LateAddrs is an address source that needs the slave itself, such as the
// CNI dhcp IPAM plugin, whose DHCP client runs on the container's
// interface. Acquire runs once the slave is up under its final name in the
// target, before any address check; its addresses then get every check a
// static address gets. On rollback Release runs while the slave still
// exists, so that a DHCP release still reaches the server.
type LateAddrs interface {
	// Acquire returns the addresses, default gateways and routes, as the
	// IPs, Gateways and Routes of Flags (--ip, --gateway, --route) take
	// them; the other fields are ignored.
	Acquire(ctx context.Context) (Flags, error)
	// Release gives back what Acquire got.
	Release(ctx context.Context) error
}

// lateAddrs runs spec.Late: its addresses join the static ones, are
// planned in the record and get the host and sibling check here; the
// probe and the claim follow as for any static address.
func (r *attachRun) lateAddrs(ctx context.Context) error {
	late := r.spec.Late
	if late == nil {
		return nil
	}
	f, err := late.Acquire(ctx)
	if err != nil {
		return err
	}
	r.undo.push("late", "the addresses of "+r.name, func() error { return late.Release(context.Background()) })
	a, err := parseAddrs(Flags{IPs: f.IPs, Gateways: f.Gateways, Routes: f.Routes}) // "auto" fails: no subnet
	if err != nil {
		return fmt.Errorf("addresses of %s: %w", r.name, err)
	}
	s := &r.spec.Addrs
	s.Static, s.Gateways, s.Routes = append(s.Static, a.Static...), append(s.Gateways, a.Gateways...), append(s.Routes, a.Routes...)
	for _, p := range a.Static {
		r.rec.Planned = append(r.rec.Planned, p.String())
	}
	if err := r.save(); err != nil {
		return err
	}
	if err := r.loadSiblings(false); err != nil {
		return err
	}
	cs, err := r.hostOnly(ctx, staticIPs(s.Static))
	return firstErr(err, conflictErr(cs))
}
