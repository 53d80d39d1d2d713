package link

import (
	"errors"
	"fmt"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// noSuchIndex is an interface index no netns uses; creating a link on it
// fails with ENODEV when the kernel knows the link type.
const noSuchIndex = 1<<31 - 1

// Supported reports whether the kernel can create links of kind ("macvlan",
// "ipvlan" or "vlan"). It asks the kernel to create one on a parent index
// that does not exist: a kernel with the type (or able to load its module)
// answers ENODEV, one without answers EOPNOTSUPP. Nothing is created.
func Supported(h netlinksafe.Handle, kind string) error {
	attrs := netlink.LinkAttrs{Name: "lanattach-chk", ParentIndex: noSuchIndex}
	var l netlink.Link
	switch kind {
	case "macvlan":
		l = &netlink.Macvlan{LinkAttrs: attrs}
	case "ipvlan":
		l = &netlink.IPVlan{LinkAttrs: attrs}
	case "vlan":
		l = &netlink.Vlan{LinkAttrs: attrs, VlanId: 1}
	default:
		return invalid("unknown link type %q", kind)
	}
	err := h.LinkAdd(l)
	switch {
	case errors.Is(err, unix.ENODEV):
		return nil
	case errors.Is(err, unix.EOPNOTSUPP):
		name, mod := kind, kind
		if kind == "vlan" {
			name, mod = "802.1q VLAN", "8021q"
		}
		return fmt.Errorf("%s: %w (modprobe %s)", name, ErrNotSupported, mod)
	case err == nil:
		// Cannot happen with a missing parent; undo it all the same.
		_ = h.LinkDel(l)
		return nil
	default:
		return fmt.Errorf("checking kernel support for %s: %w", kind, err)
	}
}
