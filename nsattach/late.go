package nsattach

import (
	"context"
	"fmt"

	"github.com/lanattach/lanattach/arpcheck"
)

// LateAddrs is an address source that answers while the attach runs, such
// as a CNI IPAM plugin: one that needs nothing of the slave runs while the
// slave is made and is asked as the slave is about to come up; one that
// needs the slave itself (OnLink: the dhcp plugin, whose DHCP client runs
// on the container's interface) is asked once the slave is up under its
// final name in the target. Either way its addresses get every check a
// static address gets, and on rollback Release runs while the slave still
// exists, so that a DHCP release still reaches the server.
type LateAddrs interface {
	// Acquire returns the addresses, default gateways and routes, as the
	// IPs, Gateways and Routes of Flags (--ip, --gateway, --route) take
	// them; the other fields are ignored.
	Acquire(ctx context.Context) (Flags, error)
	// Release gives back what Acquire got.
	Release(ctx context.Context) error
	// OnLink says that Acquire needs the slave up.
	OnLink() bool
}

// takeLate runs spec.Late if it is asked at this point (onLink: once the
// slave is up; else before it comes up): its addresses join the static
// ones and are planned in the record; the probe and the claim follow as
// for any static address. Before a probe they get the preflight's host
// and sibling check (a sibling would answer the probe and be taken for a
// LAN host); without one the claim's check, under the lock, comes next.
func (r *attachRun) takeLate(ctx context.Context, onLink bool) error {
	late := r.spec.Late
	if late == nil || late.OnLink() != onLink {
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
	r.recordPlanned()
	if err := r.save(); err != nil || r.spec.Probe.Mode == arpcheck.ModeOff {
		return err
	}
	return r.checkStatic()
}
