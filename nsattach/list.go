package nsattach

import (
	"cmp"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Attachment is one slave made by lanattach, as `list` shows it.
type Attachment struct {
	Target    TargetInfo `json:"target"`
	Interface string     `json:"interface"`
	Parent    string     `json:"parent"`
	link.Type
	MAC       string   `json:"mac"`
	Addresses []string `json:"addresses"`
	// State is "ok", "gone" (recorded, but the kernel no longer has
	// it: its container died), "leftover" (an interrupted run's, for gc)
	// or "attaching" (a run is making it now).
	State  string `json:"state"`
	Record string `json:"record,omitempty"`
	// Extra is the record's Spec.Extra; MarshalJSON shows it by group.
	Extra map[string]string `json:"-"`
	// Lease is the DHCP lease (--ip dhcp) and when it expires.
	Lease *LeaseInfo `json:"lease,omitempty"`
	// Shim is the host-side shim the host reaches the slave through
	// (--host-access).
	Shim string `json:"shim,omitempty"`
}

// List returns every slave lanattach made off a parent in the namespace it
// runs in: those in the record, found by their mark wherever their
// namespace is, and those the kernel shows in the namespaces reachable
// through /run/netns and /proc (a slave whose record was deleted is still
// listed). A namespace a record names is read through its nsid, not
// entered. With a record, when a census (takeCensus) accounts for
// every slave up on the links of the namespace lanattach runs in, no other
// namespace is searched for slaves the record lacks, and a record whose
// slave it saw up is shown as the record has it.
func List() ([]Attachment, error) {
	led, err := openLedger()
	if err != nil {
		return nil, err
	}
	recs, err := led.List()
	if err != nil {
		return nil, err
	}
	var c *census
	if len(recs) > 0 { // with none (deleted by hand), the scan finds slaves that are down too
		c = censusOf(recs, 0)
	}
	views, dumps := inspectDumps(led, recs, c)
	known := map[uint64]int{}
	for _, v := range views {
		if _, ok := dumps[v.Target.NSID]; ok {
			known[v.Target.Inode] = v.Target.NSID
		}
	}
	var out []Attachment
	skipped, err := c.walk(known, func(v *nsView) error {
		for _, l := range v.Links {
			if a, ok := attachmentOf(v, l); ok {
				out = append(out, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out, err = appendDumped(out, skipped, dumps); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Attachment) int { return cmp.Compare(a.Target.Inode, b.Target.Inode) })
	return mergeRecords(out, views), nil
}

// appendDumped adds the attachments in the namespaces left to the record
// (skipped, by nsid), from their link dumps; their addresses are asked
// for on one goroutine per CPU, each with its own socket.
func appendDumped(out []Attachment, skipped map[int]TargetInfo, dumps map[int][]netlink.Link) ([]Attachment, error) {
	if len(skipped) == 0 {
		return out, nil
	}
	selfID, err := selfNSID()
	if err != nil {
		return out, err
	}
	nsids := slices.Collect(maps.Keys(skipped))
	found, errs := make([][]Attachment, len(nsids)), make([]error, len(nsids))
	shareOut(len(nsids), 32, func(lo, hi int) {
		d, err := newNSDumper()
		if err == nil {
			defer d.close()
		}
		for i := lo; i < hi && err == nil; i++ {
			found[i], errs[i] = dumpedAttachments(d, skipped[nsids[i]], nsids[i], selfID, dumps[nsids[i]])
		}
		if err != nil {
			errs[lo] = err
		}
	})
	if err := errors.Join(errs...); err != nil {
		return out, err
	}
	return append(out, slices.Concat(found...)...), nil
}

// mergeRecords gives the attachments found their record's state and adds
// the records whose slave no reachable namespace shows.
func mergeRecords(out []Attachment, views []recView) []Attachment {
	seen := map[string]int{} // record id -> index in out
	for i, a := range out {
		if a.Record != "" {
			seen[a.Record] = i
		}
	}
	for _, v := range views {
		if i, ok := seen[v.ID]; ok {
			out[i].State, out[i].Extra, out[i].Lease, out[i].Shim = stateOf(v), v.Extra, leaseInfo(dhcpOf(v.Extra)), v.Extra[extraShim]
			continue
		}
		a := recordedAttachment(v)
		a.Lease = leaseInfo(dhcpOf(v.Extra))
		out = append(out, a)
	}
	return out
}

// stateOf is the list state of a record.
func stateOf(v recView) string {
	switch {
	case v.Running:
		return "attaching"
	case v.interrupted():
		return "leftover"
	case v.gone():
		return "gone"
	}
	return "ok"
}

// recordedAttachment describes a record whose slave no reachable
// namespace shows: from the kernel when its mark was found through the
// nsid, from the record otherwise.
func recordedAttachment(v recView) Attachment {
	a := Attachment{Target: recordTarget(v.Target), Interface: v.Name, Parent: v.Parent, Type: link.Type{Kind: v.Kind, Mode: v.Mode, Flag: v.Flag},
		MAC: v.MAC, Addresses: append([]string{}, v.Addresses...), State: stateOf(v), Record: v.ID, Extra: v.Extra,
		Shim: v.Extra[extraShim]}
	if v.Slave != nil {
		a.Interface, a.MAC = v.Slave.Attrs().Name, v.Slave.Attrs().HardwareAddr.String()
	}
	return a
}

// recordTarget describes a record's target as a scan of the namespaces
// would: with its name when the record has none but its path is a
// /run/netns entry, with its pid when the path is a process's, each only
// while the path still leads to the namespace the record names.
func recordTarget(t ledger.Target) TargetInfo {
	ti := TargetInfo{PID: t.PID, Name: t.Name, Path: t.Path, Inode: t.Inode}
	var st unix.Stat_t
	if ti.Name != "" || ti.PID != 0 || unix.Stat(t.Path, &st) != nil || st.Ino != t.Inode {
		return ti
	}
	if dir, name := filepath.Split(t.Path); filepath.Clean(dir) == NetnsDir {
		ti.Name = name
	} else if rest, ok := strings.CutPrefix(t.Path, "/proc/"); ok {
		if pid, ok := strings.CutSuffix(rest, "/ns/net"); ok {
			ti.PID, _ = strconv.Atoi(pid)
		}
	}
	return ti
}

// attachmentOf describes l if it is a slave made by lanattach.
func attachmentOf(v *nsView, l netlink.Link) (Attachment, bool) {
	parent, ok := link.SlaveParent(l.Attrs().Alias)
	t, isSlave := link.TypeOf(l)
	if _, here := v.hostLower(l); !ok || !isSlave || !here {
		return Attachment{}, false // not a slave, or made from another netns
	}
	a := Attachment{Target: v.Info, Interface: l.Attrs().Name, Parent: parent, Type: t,
		MAC: l.Attrs().HardwareAddr.String(), Addresses: []string{}, State: "ok",
		Record: link.SlaveID(l.Attrs().Alias)}
	for _, p := range v.addrsOf(l) {
		a.Addresses = append(a.Addresses, p.String())
	}
	return a, true
}

// describe names a namespace for messages.
func describe(ti TargetInfo) string {
	switch {
	case ti.Name != "":
		return "netns " + ti.Name
	case ti.PID != 0:
		return "the netns of pid " + strconv.Itoa(ti.PID)
	case ti.Path == SelfNS:
		return "the netns lanattach runs in"
	default:
		return ti.Path
	}
}
