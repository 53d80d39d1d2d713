package nsattach

import (
	"strconv"

	"github.com/lanattach/lanattach/arpcheck"
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
}

// List returns every slave made by lanattach in every network namespace
// reachable through /run/netns and /proc.
func List() ([]Attachment, error) {
	var out []Attachment
	err := eachNamespace(func(v *nsView) error {
		for _, l := range v.Links {
			if a, ok := attachmentOf(v, l); ok {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// attachmentOf describes l if it is a slave made by lanattach.
func attachmentOf(v *nsView, l netlink.Link) (Attachment, bool) {
	parent, ok := link.SlaveParent(l.Attrs().Alias)
	t, isSlave := link.TypeOf(l)
	if !ok || !isSlave {
		return Attachment{}, false
	}
	a := Attachment{Target: v.Info, Interface: l.Attrs().Name, Parent: parent, Type: t,
		MAC: l.Attrs().HardwareAddr.String(), Addresses: []string{}}
	for _, p := range v.addrsOf(l) {
		a.Addresses = append(a.Addresses, p.String())
	}
	return a, true
}

// Siblings returns the addresses held by slaves (made by lanattach or
// not, in any namespace) whose lower device is the interface with index
// parent in the namespace lanattach runs in, for the host check: probes
// cannot always see them.
func Siblings(parent int) ([]arpcheck.Holder, error) {
	var out []arpcheck.Holder
	err := eachNamespace(func(v *nsView) error {
		for _, l := range v.Links {
			if _, isSlave := link.TypeOf(l); !isSlave {
				continue
			}
			if idx, ok := v.hostLower(l); !ok || idx != parent {
				continue
			}
			for _, p := range v.addrsOf(l) {
				out = append(out, arpcheck.Holder{IP: p.Addr(), MAC: l.Attrs().HardwareAddr,
					Detail: l.Attrs().Name + " in " + describe(v.Info)})
			}
		}
		return nil
	})
	return out, err
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
