package nsattach

import (
	"context"
	"fmt"
	"strconv"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// itoa formats an int.
func itoa(i int) string { return strconv.Itoa(i) }

// GC deletes the VLAN sub-interfaces lanattach made in the namespace it
// runs in that no link uses any more, and returns their names.
func GC(ctx context.Context) ([]string, error) {
	unlock, err := hostLock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, err := HostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links: %w", err)
	}
	var deleted []string
	for _, l := range links {
		ok, err := deleteUnusedVLAN(h, l)
		if err != nil {
			return deleted, err
		}
		if ok {
			deleted = append(deleted, l.Attrs().Name)
		}
	}
	return deleted, nil
}

// deleteUnusedVLAN deletes l if it is a VLAN lanattach made and nothing
// uses it, and reports whether it did.
func deleteUnusedVLAN(h netlinksafe.Handle, l netlink.Link) (bool, error) {
	if _, isVLAN := l.(*netlink.Vlan); !isVLAN || !link.IsVLANMark(l.Attrs().Alias) || l.Attrs().MasterIndex != 0 {
		return false, nil
	}
	used, err := hasUppers(l.Attrs().Index)
	if err != nil || used {
		return false, err
	}
	if err := h.LinkDel(l); err != nil {
		return false, fmt.Errorf("deleting unused VLAN %s: %w", l.Attrs().Name, err)
	}
	return true, nil
}

// hasUppers reports whether any link in any namespace sits on the
// interface with index idx in the namespace lanattach runs in.
func hasUppers(idx int) (bool, error) {
	used := false
	err := eachNamespace(func(v *nsView) error {
		for _, l := range v.Links {
			if v.lowerIsHost(l, idx) {
				used = true
			}
		}
		return nil
	})
	return used, err
}
