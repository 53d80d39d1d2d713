package nsattach

import (
	"encoding/hex"
	"slices"
	"strings"

	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// Stray is a link that a killed lanattach run left behind.
type Stray struct {
	Target    TargetInfo `json:"target"`
	Interface string     `json:"interface"`
	// VLAN says it is a VLAN lanattach made that no link uses (gc deletes
	// it); otherwise it is a slave still under its temporary name.
	VLAN bool `json:"vlan"`
	// Record is the record of an interrupted or gone attachment, which
	// gc rolls back or forgets.
	Record string `json:"record,omitempty"`
	State  string `json:"state,omitempty"`
}

// IsTempName reports whether name has the form of the temporary name an
// attach gives a slave, a VLAN or a shim before renaming it: "lat", "lav"
// or "las" and 10 hex digits.
func IsTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, "lat")
	if !ok {
		rest, ok = strings.CutPrefix(name, "lav")
	}
	if !ok {
		rest, ok = strings.CutPrefix(name, "las")
	}
	if !ok || len(rest) != 10 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// Strays finds, without changing anything, what killed runs and dead
// containers left: the records of interrupted and gone attachments, the
// links under a temporary name in every namespace reachable through
// /run/netns and /proc, and the VLANs lanattach made in the namespace it
// runs in that no link uses.
func Strays() ([]Stray, error) {
	out, err := recordStrays()
	if err != nil {
		return nil, err
	}
	more, err := kernelStrays()
	for _, k := range more {
		if !slices.ContainsFunc(out, func(r Stray) bool { return r.Target.Inode == k.Target.Inode && r.Interface == k.Interface }) {
			out = append(out, k)
		}
	}
	return out, err
}

// recordStrays lists the interrupted and gone attachments of the record.
func recordStrays() ([]Stray, error) {
	as, err := List()
	var out []Stray
	for _, a := range as {
		if a.State == "leftover" || a.State == "gone" {
			out = append(out, Stray{Target: a.Target, Interface: a.Interface, Record: a.Record, State: a.State})
		}
	}
	return out, err
}

// kernelStrays lists temp-named links and unused marked VLANs.
func kernelStrays() ([]Stray, error) {
	var out []Stray
	var vlans []netlink.Link
	var host TargetInfo
	used := map[int]bool{}
	err := eachNamespace(func(v *nsView) error {
		if v.IsHost {
			host = v.Info
		}
		for _, l := range v.Links {
			a := l.Attrs()
			if idx, ok := v.hostLower(l); ok {
				used[idx] = true
			}
			if IsTempName(a.Name) {
				out = append(out, Stray{Target: v.Info, Interface: a.Name})
			}
			if _, isVLAN := l.(*netlink.Vlan); v.IsHost && isVLAN && link.IsVLANMark(a.Alias) && a.MasterIndex == 0 {
				vlans = append(vlans, l)
			}
		}
		return nil
	})
	for _, l := range vlans {
		if !used[l.Attrs().Index] {
			out = append(out, Stray{Target: host, Interface: l.Attrs().Name, VLAN: true})
		}
	}
	return out, err
}
