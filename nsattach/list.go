package nsattach

import (
	"errors"
	"fmt"
	"net/netip"

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
	for _, p := range globalAddrs(v, l) {
		a.Addresses = append(a.Addresses, p.String())
	}
	return a, true
}

// globalAddrs returns l's addresses other than link-local ones.
func globalAddrs(v *nsView, l netlink.Link) []netip.Prefix {
	addrs, err := v.Handle.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return nil
	}
	var out []netip.Prefix
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok || ip.IsLinkLocalUnicast() {
			continue
		}
		ones, _ := a.Mask.Size()
		out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
	}
	return out
}

// Siblings returns the addresses held by slaves (made by lanattach or
// not, in any namespace) whose lower device is the interface called parent
// in the namespace lanattach runs in, for the host check: probes cannot
// always see them. A parent that does not exist yet has none.
func Siblings(parent string) ([]arpcheck.Holder, error) {
	idx, err := hostIndex(parent)
	if err != nil || idx == 0 {
		return nil, err
	}
	var out []arpcheck.Holder
	err = eachNamespace(func(v *nsView) error {
		for _, l := range v.Links {
			if _, isSlave := link.TypeOf(l); !isSlave || !v.lowerIsHost(l, idx) {
				continue
			}
			for _, p := range globalAddrs(v, l) {
				out = append(out, arpcheck.Holder{IP: p.Addr(), MAC: l.Attrs().HardwareAddr,
					Detail: l.Attrs().Name + " in " + describe(v.Info)})
			}
		}
		return nil
	})
	return out, err
}

// hostIndex returns the index of the interface called name in the
// namespace lanattach runs in, 0 if there is none.
func hostIndex(name string) (int, error) {
	h, err := HostHandle()
	if err != nil {
		return 0, err
	}
	defer h.Close()
	l, err := h.LinkByName(name)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("looking up %s: %w", name, err)
	}
	return l.Attrs().Index, nil
}

// describe names a namespace for messages.
func describe(ti TargetInfo) string {
	switch {
	case ti.Name != "":
		return "netns " + ti.Name
	case ti.PID != 0:
		return "the netns of pid " + itoa(ti.PID)
	default:
		return ti.Path
	}
}
