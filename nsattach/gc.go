package nsattach

import (
	"context"
	"fmt"

	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// GC deletes the VLAN sub-interfaces lanattach made in the namespace it
// runs in that no link uses any more, and returns their names.
func GC(ctx context.Context) ([]string, error) {
	return deleteUnusedVLANs(ctx, func(string) bool { return true })
}

// deleteUnusedVLANs deletes, under the host-wide lock, the VLANs lanattach
// made in the namespace it runs in whose name pick accepts and that no
// link in any namespace sits on, and returns their names. One scan of the
// namespaces serves every VLAN.
func deleteUnusedVLANs(ctx context.Context, pick func(name string) bool) ([]string, error) {
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
	used, err := lowersInUse()
	if err != nil {
		return nil, err
	}
	deleted := []string{}
	for _, l := range links {
		a := l.Attrs()
		if _, isVLAN := l.(*netlink.Vlan); !isVLAN || !link.IsVLANMark(a.Alias) || a.MasterIndex != 0 || used[a.Index] || !pick(a.Name) {
			continue
		}
		if err := h.LinkDel(l); err != nil {
			return deleted, fmt.Errorf("deleting unused VLAN %s: %w", a.Name, err)
		}
		deleted = append(deleted, a.Name)
	}
	return deleted, nil
}
