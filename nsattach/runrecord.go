package nsattach

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lanattach/lanattach/ledger"
)

// begin writes the attach's record before its first change: who runs it,
// the target (with the nsid by which gc finds it later), the parent, and
// the temporary and final names of the slave. The run lock taken first
// tells other runs that this one is alive.
func (r *attachRun) begin() error {
	var err error
	if r.led, err = openLedger(); err != nil {
		return err
	}
	id, err := ledger.NewID()
	if err != nil {
		return err
	}
	tmp, err := tempName("lat")
	if err != nil {
		return err
	}
	nsid, err := targetNSID(r.host, int(r.target.NS.Fd()))
	if err != nil {
		return fmt.Errorf("%s: %w", r.target, err)
	}
	if r.runLock, err = r.led.Claim(id); err != nil {
		return err
	}
	t := r.spec.Type
	r.rec = ledger.Record{ID: id, State: ledger.Pending, PID: os.Getpid(), Created: time.Now().UTC(),
		Target: ledger.Target{Path: r.target.Spec.NSPath(), Name: r.target.Spec.Name, PID: r.target.Spec.PID,
			Inode: r.target.Inode, NSID: nsid},
		Parent: r.spec.Parent.Name(), TempName: tmp, Name: r.name,
		Kind: t.Kind, Mode: t.Mode, Flag: t.Flag, Addresses: []string{}, Extra: r.spec.Extra}
	if r.parent.Link != nil {
		r.rec.ParentIndex = r.parent.Link.Attrs().Index
	}
	if r.spec.MAC != nil {
		r.rec.MAC = r.spec.MAC.String()
	}
	r.recordPlanned()
	r.res.Record = id
	return r.save()
}

// recordPlanned names the static addresses in the record as planned: runs
// picking an address (--ip auto) leave them alone.
func (r *attachRun) recordPlanned() {
	r.rec.Planned = nil
	for _, p := range r.spec.Addrs.Static {
		r.rec.Planned = append(r.rec.Planned, p.String())
	}
}

// save writes the record as it stands.
func (r *attachRun) save() error {
	if err := r.led.Put(&r.rec); err != nil {
		return fmt.Errorf("recording the attach in %s: %w", r.led.Dir(), err)
	}
	return nil
}

// recordAddrs adds ps to the record: called under the host-wide lock right
// after they are assigned, before the lock is released.
func (r *attachRun) recordAddrs() error {
	r.rec.Addresses = append([]string{}, r.res.Addresses...)
	return r.save()
}

// finish marks the record done with what the attach made.
func (r *attachRun) finish(context.Context) error {
	r.rec.State = ledger.Done
	r.rec.Name = r.name
	r.rec.MAC = r.res.MAC
	r.rec.ParentIndex = r.parent.Link.Attrs().Index
	r.rec.Addresses = append([]string{}, r.res.Addresses...)
	return r.save()
}

// checkAlive fails the attach when a --pid target exited meanwhile: its
// namespace lived on only because lanattach held it open.
func (r *attachRun) checkAlive(context.Context) error {
	if r.spec.Target.PID == 0 {
		return nil
	}
	start, err := procStart(r.spec.Target.PID)
	if err != nil || start != r.pidStart {
		return fmt.Errorf("--pid %d exited during the attach; nothing is left attached", r.spec.Target.PID)
	}
	return nil
}
