package link

import (
	"net"

	"github.com/vishvananda/netlink"
)

// Type is a slave type with its mode: macvlan with Mode bridge, vepa,
// private or passthru; ipvlan with Mode l2, l3 or l3s and Flag bridge,
// private or vepa.
type Type struct {
	Kind string `json:"mode"`
	Mode string `json:"submode"`
	Flag string `json:"flag,omitempty"`
}

var (
	macvlanModes = map[string]netlink.MacvlanMode{
		"bridge": netlink.MACVLAN_MODE_BRIDGE, "vepa": netlink.MACVLAN_MODE_VEPA,
		"private": netlink.MACVLAN_MODE_PRIVATE, "passthru": netlink.MACVLAN_MODE_PASSTHRU,
	}
	ipvlanModes = map[string]netlink.IPVlanMode{
		"l2": netlink.IPVLAN_MODE_L2, "l3": netlink.IPVLAN_MODE_L3, "l3s": netlink.IPVLAN_MODE_L3S,
	}
	ipvlanFlags = map[string]netlink.IPVlanFlag{
		"bridge": netlink.IPVLAN_FLAG_BRIDGE, "private": netlink.IPVLAN_FLAG_PRIVATE, "vepa": netlink.IPVLAN_FLAG_VEPA,
	}
)

// ParseType checks --mode, --macvlan-mode, --ipvlan-mode and --ipvlan-flag.
func ParseType(kind, macvlanMode, ipvlanMode, ipvlanFlag string) (Type, error) {
	switch kind {
	case "macvlan":
		if _, ok := macvlanModes[macvlanMode]; !ok {
			return Type{}, invalid("--macvlan-mode: %q is not bridge, vepa, private or passthru", macvlanMode)
		}
		return Type{Kind: kind, Mode: macvlanMode}, nil
	case "ipvlan":
		if _, ok := ipvlanModes[ipvlanMode]; !ok {
			return Type{}, invalid("--ipvlan-mode: %q is not l2, l3 or l3s", ipvlanMode)
		}
		if _, ok := ipvlanFlags[ipvlanFlag]; !ok {
			return Type{}, invalid("--ipvlan-flag: %q is not bridge, private or vepa", ipvlanFlag)
		}
		return Type{Kind: kind, Mode: ipvlanMode, Flag: ipvlanFlag}, nil
	default:
		return Type{}, invalid("--mode: %q is not macvlan or ipvlan", kind)
	}
}

// NoARP reports whether slaves of this type cannot do ARP themselves
// (ipvlan l3 and l3s).
func (t Type) NoARP() bool { return t.Kind == "ipvlan" && t.Mode != "l2" }

// SlaveAttrs is what a slave gets in the request that creates it.
type SlaveAttrs struct {
	Parent int    // index of the link it is made off
	Name   string // its (temporary) name
	NsFd   int    // the netns it is created in, open as this fd
	Alias  string // its mark
	MAC    net.HardwareAddr
	MTU    int // 0: the parent's
}

// Slave is the netlink description of a slave of type t: everything in one
// create request, so that no half-configured slave ever exists.
func (t Type) Slave(s SlaveAttrs) netlink.Link {
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.ParentIndex, attrs.Namespace = s.Name, s.Parent, netlink.NsFd(s.NsFd)
	attrs.Alias, attrs.HardwareAddr, attrs.MTU = s.Alias, s.MAC, s.MTU
	if t.Kind == "ipvlan" {
		return &netlink.IPVlan{LinkAttrs: attrs, Mode: ipvlanModes[t.Mode], Flag: ipvlanFlags[t.Flag]}
	}
	return &netlink.Macvlan{LinkAttrs: attrs, Mode: macvlanModes[t.Mode]}
}

// TypeOf returns the slave type of l, and false when l is neither a
// macvlan nor an ipvlan.
func TypeOf(l netlink.Link) (Type, bool) {
	switch v := l.(type) {
	case *netlink.Macvlan:
		return Type{Kind: "macvlan", Mode: keyOf(macvlanModes, v.Mode)}, true
	case *netlink.IPVlan:
		return Type{Kind: "ipvlan", Mode: keyOf(ipvlanModes, v.Mode), Flag: keyOf(ipvlanFlags, v.Flag)}, true
	}
	return Type{}, false
}

// keyOf returns the name of v in m.
func keyOf[V comparable](m map[string]V, v V) string {
	for k, x := range m {
		if x == v {
			return k
		}
	}
	return "unknown"
}
