package nsattach

import (
	"context"
	"errors"
	"fmt"
	"github.com/containernetworking/plugins/pkg/netlinksafe"

	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// GCResult is what GC did, and what it kept and why.
type GCResult struct {
	// RolledBack are the records of interrupted attaches whose changes
	// GC undid.
	RolledBack []string `json:"rolled_back"`
	// Forgotten are the records of attachments that are gone (their
	// container died), now removed.
	Forgotten []string `json:"records_removed"`
	// VLANsDeleted are the VLANs lanattach made that nothing used.
	VLANsDeleted []string `json:"vlans_deleted"`
	// Kept are VLANs lanattach made that GC left alone, each with why.
	Kept []string `json:"kept"`
	// ShimsDeleted are the shims of --host-access that nothing used;
	// ShimsKept those in use, each with why.
	ShimsDeleted []string `json:"shims_deleted"`
	ShimsKept    []string `json:"shims_kept"`
}

// GC finishes the rollback of every attach whose run is gone, forgets the
// records of attachments that are gone, and deletes the VLANs lanattach
// made that nothing uses any more, all under the host-wide lock.
func GC(ctx context.Context) (*GCResult, error) {
	led, unlock, err := lockedLedger(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	res := &GCResult{RolledBack: []string{}, Forgotten: []string{}, VLANsDeleted: []string{}, Kept: []string{}, ShimsDeleted: []string{}, ShimsKept: []string{}}
	views, c, err := inspectCensus(led)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, v := range views {
		switch {
		case v.Err != nil || v.Running:
		case v.interrupted():
			errs = append(errs, rollbackRecord(led, v))
			res.RolledBack = append(res.RolledBack, v.ID)
		case v.gone():
			errs = append(errs, stopRecordKeeper(v.Record), dropShimRoutes(v.Record, nil), led.Remove(v.ID))
			res.Forgotten = append(res.Forgotten, v.ID)
		}
	}
	errs = append(errs, led.Sweep())
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	var s seen // what gc read, while no rollback changed it
	if len(res.RolledBack) == 0 {
		s.views = views
		if c != nil {
			s.links = c.host
		}
	}
	if res.ShimsDeleted, res.ShimsKept, err = deleteUnusedShims(led, func(_, _ string) bool { return true }, "", s); err != nil {
		return res, err
	}
	res.VLANsDeleted, res.Kept, err = deleteUnusedVLANs(led, func(string) bool { return true }, s)
	return res, err
}

// seen is what a caller read under the host-wide lock and may hand on:
// the links of the namespace lanattach runs in, and the record reconciled
// with the kernel (records found gone count as gone). A nil field is read
// again when needed.
type seen struct {
	links []netlink.Link
	views []recView
}

// recordViews returns s.views, or reads them.
func (s seen) recordViews(led *ledger.Ledger) ([]recView, error) {
	if s.views != nil {
		return s.views, nil
	}
	return inspect(led)
}

// rollbackRecord undoes what an interrupted attach made: its slave, found
// by its mark in the target's namespace whatever path leads there, and lo
// if it brought lo up. Then it removes the record.
func rollbackRecord(led *ledger.Ledger, v recView) error {
	if err := stopRecordKeeper(v.Record); err != nil {
		return err
	}
	if v.Slave != nil {
		if err := deleteByNSID(v.Target.NSID, v.Slave.Attrs().Index); err != nil {
			return fmt.Errorf("rolling back record %s: %w", v.ID, err)
		}
	}
	if v.LoUp { // also when the slave went already (an undo of lo failed)
		if err := loDownAt(v.Target.Path, v.Target.Inode); err != nil {
			return fmt.Errorf("rolling back record %s: lo in %s: %w", v.ID, v.Target.Path, err)
		}
	}
	if err := dropShimRoutes(v.Record, nil); err != nil {
		return fmt.Errorf("rolling back record %s: %w", v.ID, err)
	}
	if err := deleteTempVLAN(v.VLANTemp); err != nil {
		return fmt.Errorf("rolling back record %s: %w", v.ID, err)
	}
	return led.Remove(v.ID)
}

// deleteTempVLAN deletes the VLAN an interrupted attach made under the
// random name tmp and never renamed, if there is one.
func deleteTempVLAN(tmp string) error {
	if tmp == "" {
		return nil
	}
	h, err := HostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	return deleteTempLink(h, tmp, "vlan")
}

// deleteTempLink deletes the link of type kind ("vlan", "macvlan") that an
// interrupted run made under the random name tmp and never renamed, if
// there is one.
func deleteTempLink(h netlinksafe.Handle, tmp, kind string) error {
	l, err := h.LinkByName(tmp)
	var nf netlink.LinkNotFoundError
	switch {
	case errors.As(err, &nf):
		return nil
	case err != nil:
		return fmt.Errorf("looking up %s %s: %w", kind, tmp, err)
	}
	if l.Type() != kind {
		return fmt.Errorf("%s is not a %s; not deleting it", tmp, kind)
	}
	return h.LinkDel(l)
}

// deleteUnusedVLANs deletes the VLANs lanattach made in the namespace it
// runs in whose name pick accepts, when both the kernel and the record say
// that nothing uses them, and returns their names and those it kept, with
// why, from what the caller has seen and what it has not. Call it under
// the host-wide lock. One scan of the namespaces serves every VLAN;
// without a VLAN to check there is none.
func deleteUnusedVLANs(led *ledger.Ledger, pick func(name string) bool, s seen) (deleted, kept []string, err error) {
	deleted, kept = []string{}, []string{}
	links, err := candidates(s.links, func(l netlink.Link) bool {
		a := l.Attrs()
		_, isVLAN := l.(*netlink.Vlan)
		return isVLAN && link.IsVLANMark(a.Alias) && a.MasterIndex == 0 && pick(a.Name)
	})
	if err != nil || len(links) == 0 {
		return deleted, kept, err // no candidate: no need to scan the namespaces
	}
	h, err := HostHandle()
	if err != nil {
		return deleted, kept, err
	}
	defer h.Close()
	used, err := lowersInUse()
	if err != nil {
		return deleted, kept, err
	}
	views, err := s.recordViews(led)
	if err != nil {
		return deleted, kept, err
	}
	for _, l := range links {
		a := l.Attrs()
		why := recordUse(views, a.Name)
		if used[a.Index] && why == "" {
			why = "a link in some namespace sits on it"
		}
		if why != "" {
			kept = append(kept, a.Name+": "+why)
			continue
		}
		if err := deleteHere(h, l); err != nil {
			return deleted, kept, fmt.Errorf("deleting unused VLAN %s: %w", a.Name, err)
		}
		deleted = append(deleted, a.Name)
	}
	return deleted, kept, nil
}

// recordUse says why the record holds VLAN name as in use, or "".
func recordUse(views []recView, name string) string {
	for _, v := range views {
		if v.Parent != name {
			continue
		}
		name, lives := v.slaveName()
		switch {
		case v.Running:
			return fmt.Sprintf("lanattach run %d is attaching to it (record %s)", v.PID, v.ID)
		case v.Err != nil:
			return fmt.Sprintf("cannot check %s of record %s (%v); kept to be safe", v.Target.Path, v.ID, v.Err)
		case lives:
			return fmt.Sprintf("slave %s in %s sits on it (record %s)", name, v.Target.Path, v.ID)
		}
	}
	return ""
}
