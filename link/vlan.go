package link

import (
	"errors"
	"fmt"
	"net"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/vishvananda/netlink"
)

// Resolved is a parent as found in the host netns before any change.
type Resolved struct {
	Parent Parent
	// Base is the interface named by Parent.Base.
	Base netlink.Link
	// Link is the link slaves are made off: Base, or the existing VLAN
	// sub-interface; nil when the VLAN must be created.
	Link netlink.Link
}

// MTU is the MTU a slave may use at most.
func (r Resolved) MTU() int {
	if r.Link != nil {
		return r.Link.Attrs().MTU
	}
	return r.Base.Attrs().MTU
}

// Resolve finds p in the netns of h and checks it without changing
// anything: the base interface must exist, be Ethernet and be up, an existing
// sub-interface of the same name must be the VLAN VID of Base, and a
// missing one needs a kernel with 802.1q.
func Resolve(h netlinksafe.Handle, p Parent) (Resolved, error) {
	base, err := byName(h, p.Base)
	if err != nil {
		return Resolved{}, err
	}
	if err := checkEthernet(base); err != nil {
		return Resolved{}, err
	}
	r := Resolved{Parent: p, Base: base, Link: base}
	if p.VID != 0 {
		if r.Link, err = existingVLAN(h, p, base); err != nil {
			return Resolved{}, err
		}
		if r.Link == nil {
			if err := Supported(h, "vlan"); err != nil {
				return Resolved{}, fmt.Errorf("--parent %s: %w", p.Name(), err)
			}
		}
	}
	for _, l := range []netlink.Link{base, r.Link} {
		if l != nil && l.Attrs().Flags&net.FlagUp == 0 {
			return Resolved{}, invalid("--parent: interface %s is down; bring it up first (ip link set %s up)", l.Attrs().Name, l.Attrs().Name)
		}
	}
	return r, nil
}

// byName looks up a parent interface, as bad input when it is missing.
func byName(h netlinksafe.Handle, name string) (netlink.Link, error) {
	l, err := h.LinkByName(name)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return nil, invalid("--parent: no interface %s in this netns (see ip link)", name)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up parent %s: %w", name, err)
	}
	return l, nil
}

// existingVLAN returns the link named p.Name() if it is the VLAN p.VID of
// base, nil if there is none, and bad input if the name is taken otherwise.
func existingVLAN(h netlinksafe.Handle, p Parent, base netlink.Link) (netlink.Link, error) {
	l, err := h.LinkByName(p.Name())
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", p.Name(), err)
	}
	v, ok := l.(*netlink.Vlan)
	if !ok || v.ParentIndex != base.Attrs().Index || v.VlanId != p.VID {
		return nil, invalid("--parent: %s exists but is not VLAN %d of %s; remove or rename it, or pick another VID",
			p.Name(), p.VID, p.Base)
	}
	return l, nil
}

// CreateVLAN creates the sub-interface of r under the temporary name tmp,
// marks it as made by lanattach, renames it to its name and brings it up.
// The kernel takes no alias in a create request, so until it is marked
// only tmp (random, recorded by the caller beforehand) tells it is
// lanattach's. On failure it removes what it made.
func CreateVLAN(h netlinksafe.Handle, r Resolved, tmp string) (netlink.Link, error) {
	name := r.Parent.Name()
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.ParentIndex = tmp, r.Base.Attrs().Index
	v := &netlink.Vlan{LinkAttrs: attrs, VlanId: r.Parent.VID}
	if err := h.LinkAdd(v); err != nil {
		return nil, fmt.Errorf("creating VLAN %s: %w", name, err)
	}
	err := failpoint.Hit("vlan.made")
	var l netlink.Link
	if err == nil {
		l, err = h.LinkByName(tmp)
	}
	if err == nil {
		err = h.LinkSetAlias(l, MarkVLAN)
	}
	if err == nil {
		err = failpoint.Hit("vlan.marked")
	}
	if err == nil {
		err = h.LinkSetName(l, name)
	}
	if err == nil {
		err = h.LinkSetUp(l)
	}
	if err == nil {
		l, err = h.LinkByName(name)
	}
	if err != nil {
		_ = h.LinkDel(v)
		return nil, fmt.Errorf("setting up VLAN %s: %w", name, err)
	}
	return l, nil
}
