package nsattach

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/lanattach/lanattach/internal/linkdel"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// Detached is what Detach removed.
type Detached struct {
	Target       TargetInfo `json:"target"`
	Interfaces   []string   `json:"interfaces"`
	RolledBack   []string   `json:"rolled_back"`
	VLANsDeleted []string   `json:"vlans_deleted"`
	VLANsKept    []string   `json:"vlans_kept"`
	ShimsDeleted []string   `json:"shims_deleted"`
	ShimsKept    []string   `json:"shims_kept"`
}

// Detach deletes the slaves lanattach made in the target (only name, when
// not empty) and their records, finishes the rollback of attaches into the
// target whose run was killed, then deletes every VLAN lanattach made that
// those slaves sat on once nothing uses it. A name that is not a lanattach
// slave is bad input; no slave at all is not an error. On failure the
// result still says what was removed.
func Detach(ctx context.Context, spec TargetSpec, name string) (*Detached, error) {
	defer linkdel.Prestart()() // the delete's child starts while the slaves are looked up
	t, err := OpenTarget(spec)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	th, err := t.Handle()
	if err != nil {
		return nil, err
	}
	defer th.Close()
	led, unlock, err := lockedLedger(ctx) // another detach, or gc, waits: they work on the same records
	if err != nil {
		return nil, err
	}
	defer unlock()
	slaves, err := markedSlaves(th, t, name)
	if err != nil {
		return nil, err
	}
	views, err := targetViews(led, t, slaves)
	if err != nil {
		return nil, err
	}
	addrs, err := addrsByIndex(th, t, len(slaves))
	if err != nil {
		return nil, err
	}
	d := &Detached{Target: t.Info(), Interfaces: []string{}, RolledBack: []string{}, VLANsDeleted: []string{}, VLANsKept: []string{},
		ShimsDeleted: []string{}, ShimsKept: []string{}}
	parents := map[string]bool{}
	if err := d.rollBackInterrupted(led, views, t, parents); err != nil {
		return d, err
	}
	for _, l := range slaves {
		if err := d.remove(th, t, led, views, l, addrs[l.Attrs().Index], parents); err != nil {
			return d, err
		}
	}
	if len(parents) == 0 {
		return d, nil
	}
	pick := func(parent, _ string) bool { return parents[parent] }
	if d.ShimsDeleted, d.ShimsKept, err = deleteUnusedShims(led, pick, "", seen{}); err != nil {
		return d, err
	}
	d.VLANsDeleted, d.VLANsKept, err = deleteUnusedVLANs(led, func(name string) bool { return parents[name] }, seen{})
	return d, err
}

// rollBackInterrupted finishes the rollback of the attaches into t whose
// run is gone.
func (d *Detached) rollBackInterrupted(led *ledger.Ledger, views []recView, t *Target, parents map[string]bool) error {
	for _, v := range views {
		if v.Target.Inode != t.Inode || !v.interrupted() || v.Err != nil {
			continue
		}
		if err := rollbackRecord(led, v); err != nil {
			return err
		}
		d.RolledBack = append(d.RolledBack, v.ID)
		parents[v.Parent] = true
	}
	return nil
}

// remove deletes slave l and its record; a slave whose attach is still
// running, or that an interrupted attach made (rolled back already), is
// left to that.
func (d *Detached) remove(th netlinksafe.Handle, t *Target, led *ledger.Ledger, views []recView, l netlink.Link, have []netip.Addr, parents map[string]bool) error {
	id := link.SlaveID(l.Attrs().Alias)
	var rec *recView
	for i := range views {
		if id != "" && views[i].ID == id {
			rec = &views[i]
		}
	}
	if rec != nil && (rec.Running || rec.interrupted()) {
		return nil
	}
	if rec != nil {
		if err := endLease(t, l.Attrs().Name, rec.Record); err != nil {
			return err
		}
		rec.State = ledger.Detaching
		if err := led.Put(&rec.Record); err != nil {
			return err
		}
	}
	p, _ := link.SlaveParent(l.Attrs().Alias)
	if err := deleteInTarget(t, th, l); err != nil {
		return fmt.Errorf("deleting %s in %s: %w", l.Attrs().Name, t, err)
	}
	d.Interfaces = append(d.Interfaces, l.Attrs().Name)
	if err := dropShimRoutes(shimRecord(rec, p), have); err != nil {
		return err
	}
	parents[p] = true
	if rec != nil {
		if err := led.Remove(id); err != nil {
			return err
		}
	}
	return failpoint.Hit("detach.removed")
}

// targetViews reads the records of attachments into t, and those the
// marks of slaves name, and reconciles them with the kernel: the other
// records do not matter to this detach.
func targetViews(led *ledger.Ledger, t *Target, slaves []netlink.Link) ([]recView, error) {
	ids := map[string]bool{}
	for _, l := range slaves {
		ids[link.SlaveID(l.Attrs().Alias)] = true
	}
	recs, err := led.ListWhere(func(data []byte) bool { // decode only the records of t and of its slaves
		if ledger.HasField(data, "inode", t.Inode) {
			return true
		}
		for id := range ids {
			if ledger.HasField(data, "id", id) {
				return true
			}
		}
		return false
	})
	if err != nil && len(recs) == 0 {
		return nil, err
	}
	recs = slices.DeleteFunc(recs, func(rec ledger.Record) bool { return rec.Target.Inode != t.Inode && !ids[rec.ID] })
	return inspectRecords(led, recs), err
}

// markedSlaves returns the lanattach slaves in the target, only the one
// called name when name is set.
func markedSlaves(th netlinksafe.Handle, t *Target, name string) ([]netlink.Link, error) {
	if name != "" {
		l, err := th.LinkByName(name)
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, Inputf("--name", "no interface %s in %s", name, t)
		}
		if err != nil {
			return nil, fmt.Errorf("looking up %s in %s: %w", name, t, err)
		}
		if _, ok := link.SlaveParent(l.Attrs().Alias); !ok {
			return nil, Inputf("--name", "%s in %s was not made by lanattach; not deleting it", name, t)
		}
		return []netlink.Link{l}, nil
	}
	links, err := th.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links in %s: %w", t, err)
	}
	var out []netlink.Link
	for _, l := range links {
		if _, ok := link.SlaveParent(l.Attrs().Alias); ok {
			out = append(out, l)
		}
	}
	return out, nil
}
