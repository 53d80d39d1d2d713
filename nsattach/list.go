package nsattach

import (
	"strconv"

	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
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
}

// List returns every slave lanattach made off a parent in the namespace it
// runs in: those in the record, found by their mark wherever their
// namespace is, and those the kernel shows in the namespaces reachable
// through /run/netns and /proc (a slave whose record was deleted is still
// listed).
func List() ([]Attachment, error) {
	led, err := openLedger()
	if err != nil {
		return nil, err
	}
	views, err := inspect(led)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{} // record id -> index in out
	var out []Attachment
	err = eachNamespace(func(v *nsView) error {
		for _, l := range v.Links {
			if a, ok := attachmentOf(v, l); ok {
				if a.Record != "" {
					seen[a.Record] = len(out)
				}
				out = append(out, a)
			}
		}
		return nil
	})
	for _, v := range views {
		if i, ok := seen[v.ID]; ok {
			out[i].State = stateOf(v)
			continue
		}
		out = append(out, recordedAttachment(v))
	}
	return out, err
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
	a := Attachment{Target: TargetInfo{PID: v.Target.PID, Name: v.Target.Name, Path: v.Target.Path, Inode: v.Target.Inode},
		Interface: v.Name, Parent: v.Parent, Type: link.Type{Kind: v.Kind, Mode: v.Mode, Flag: v.Flag},
		MAC: v.MAC, Addresses: append([]string{}, v.Addresses...), State: stateOf(v), Record: v.ID}
	if v.Slave != nil {
		a.Interface, a.MAC = v.Slave.Attrs().Name, v.Slave.Attrs().HardwareAddr.String()
	}
	return a
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
	default:
		return ti.Path
	}
}
