package nsattach

import (
	"context"
	"errors"
	"fmt"
	"github.com/lanattach/lanattach/internal/linkdel"

	"github.com/lanattach/lanattach/ledger"
)

// ErrAttaching says an attach is still making the attachment a caller
// wants removed: its run is alive.
var ErrAttaching = errors.New("an attach is still running")

// Records returns the records whose Extra holds every key and value of
// match (all records for an empty match): how a front door that keeps its
// own ids in Spec.Extra finds its attachments again.
func Records(match map[string]string) ([]ledger.Record, error) {
	led, err := openLedger()
	if err != nil {
		return nil, err
	}
	recs, err := led.ListWhere(func(data []byte) bool { // decode only the candidates
		for k, v := range match {
			if !ledger.HasField(data, k, v) {
				return false
			}
		}
		return true
	})
	var out []ledger.Record
	for _, r := range recs {
		if extraMatches(r.Extra, match) {
			out = append(out, r)
		}
	}
	return out, err
}

// extraMatches reports whether extra holds every pair of match.
func extraMatches(extra, match map[string]string) bool {
	for k, v := range match {
		if got, ok := extra[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// DetachRecord removes the attachment record id describes, wherever its
// namespace is now (the path it was made through may be gone): its slave,
// found by its mark through the target's nsid, or what an interrupted
// attach left; then the record, and the VLAN it sat on once nothing uses
// it (as Detach does). A record that is gone, or whose namespace or slave
// is gone, is no error. A run still attaching is ErrAttaching.
func DetachRecord(ctx context.Context, id string) (*Detached, error) {
	defer linkdel.Prestart()()            // the delete's child starts while the record is read
	led, unlock, err := lockedLedger(ctx) // another detach, or gc, waits: they work on the same records
	if err != nil {
		return nil, err
	}
	defer unlock()
	d := &Detached{Interfaces: []string{}, RolledBack: []string{}, VLANsDeleted: []string{}, VLANsKept: []string{}}
	rec, err := led.Get(id)
	if errors.Is(err, ledger.ErrNoRecord) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	v := &inspectRecords(led, []ledger.Record{rec})[0]
	t := v.Target
	d.Target = TargetInfo{PID: t.PID, Name: t.Name, Path: t.Path, Inode: t.Inode}
	if err := d.removeRecorded(led, v); err != nil {
		return d, err
	}
	d.VLANsDeleted, d.VLANsKept, err = deleteUnusedVLANs(led, func(name string) bool { return name == v.Parent }, seen{})
	return d, err
}

// removeRecorded deletes the slave of v, or rolls back its interrupted
// attach, then removes its record.
func (d *Detached) removeRecorded(led *ledger.Ledger, v *recView) error {
	switch {
	case v.Err != nil:
		return fmt.Errorf("record %s: cannot read the links of %s: %w", v.ID, v.Target.Path, v.Err)
	case v.Running:
		return fmt.Errorf("record %s (lanattach run %d): %w", v.ID, v.PID, ErrAttaching)
	case v.interrupted():
		d.RolledBack = append(d.RolledBack, v.ID)
		return rollbackRecord(led, *v)
	}
	if v.Slave != nil {
		v.State = ledger.Detaching
		if err := led.Put(&v.Record); err != nil {
			return err
		}
		if err := deleteByNSID(v.Target.NSID, v.Slave.Attrs().Index); err != nil {
			return fmt.Errorf("deleting %s in %s: %w", v.Slave.Attrs().Name, v.Target.Path, err)
		}
		d.Interfaces = append(d.Interfaces, v.Slave.Attrs().Name)
	}
	return led.Remove(v.ID)
}
