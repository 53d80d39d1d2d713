package link

import (
	"errors"
	"fmt"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/vishvananda/netlink"
)

// A shim is a macvlan in bridge mode that lanattach makes on the host side
// of a parent, so that the host reaches the slaves of that parent (the
// kernel passes no traffic between a macvlan slave and its parent). Its
// alias marks it: MarkShim and the parent's name, and " kept" when it was
// prepared by `lanattach shim` (it then stays until `lanattach shim
// --remove`); without " kept" it goes with the last attachment using it.
const (
	MarkShim = "lanattach:shim parent="
	markKept = " kept"
)

// ShimMark is the alias of the shim of parent; kept for one made by
// `lanattach shim`.
func ShimMark(parent string, kept bool) string {
	if kept {
		return MarkShim + parent + markKept
	}
	return MarkShim + parent
}

// ShimParent returns the parent named in a shim's alias, whether it is
// kept, and whether the alias marks a shim at all.
func ShimParent(alias string) (parent string, kept, ok bool) {
	p, ok := strings.CutPrefix(alias, MarkShim)
	p, kept = strings.CutSuffix(p, markKept)
	return p, kept, ok && p != ""
}

// ShimName is the default name of the shim of parent: PARENT-shim, the
// parent's name cut short to fit the kernel's limit (two parents cut to
// the same name share no shim: the second is refused until its shim is
// prepared under another name with `lanattach shim --name`).
func ShimName(parent string) string {
	const suffix = "-shim"
	if len(parent)+len(suffix) > MaxNameLen {
		parent = strings.TrimRight(parent[:MaxNameLen-len(suffix)], ".-")
	}
	return parent + suffix
}

// FindShim returns the shim of parent in the netns of h: the link marked
// as the shim of parent, else nil when no link is called name; a link
// called name that is not the shim of parent is bad input, blamed on flag.
func FindShim(h netlinksafe.Handle, flag, parent, name string) (netlink.Link, error) {
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links: %w", err)
	}
	if l := MarkedShim(links, parent); l != nil {
		return l, nil
	}
	l, err := h.LinkByName(name)
	var nf netlink.LinkNotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("looking up %s: %w", name, err)
	}
	return nil, invalid("%s: shim name %s is taken by an interface lanattach did not make as the shim of %s (alias %q); remove or rename it, or prepare the shim under another name (lanattach shim --name)",
		flag, name, parent, l.Attrs().Alias)
}

// MarkedShim returns the link of links marked as the shim of parent, or
// nil.
func MarkedShim(links []netlink.Link, parent string) netlink.Link {
	for _, l := range links {
		if p, _, ok := ShimParent(l.Attrs().Alias); ok && p == parent {
			if _, isMacvlan := l.(*netlink.Macvlan); isMacvlan {
				return l
			}
		}
	}
	return nil
}

// CreateShim creates the shim of parent (the link slaves are made off)
// under the temporary name tmp, marks it, renames it to name and brings
// it up. The kernel takes no alias in a create request, so until it is
// marked only tmp (random, recorded by the caller beforehand) tells it is
// lanattach's. On failure it removes what it made.
func CreateShim(h netlinksafe.Handle, parent netlink.Link, tmp, name string, kept bool) (netlink.Link, error) {
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.ParentIndex = tmp, parent.Attrs().Index
	m := &netlink.Macvlan{LinkAttrs: attrs, Mode: netlink.MACVLAN_MODE_BRIDGE}
	if err := h.LinkAdd(m); err != nil {
		return nil, fmt.Errorf("creating shim %s on %s: %w", name, parent.Attrs().Name, err)
	}
	err := failpoint.Hit("shim.made")
	var l netlink.Link
	if err == nil {
		l, err = h.LinkByName(tmp)
	}
	if err == nil {
		err = h.LinkSetAlias(l, ShimMark(parent.Attrs().Name, kept))
	}
	if err == nil {
		err = failpoint.Hit("shim.marked")
	}
	if err == nil {
		err = h.LinkSetName(l, name)
	}
	if err == nil {
		l, err = h.LinkByName(name)
	}
	if err != nil {
		_ = h.LinkDel(m)
		return nil, fmt.Errorf("setting up shim %s on %s: %w", name, parent.Attrs().Name, err)
	}
	return l, nil
}
