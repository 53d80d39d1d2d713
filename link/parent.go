package link

import (
	"strconv"
	"strings"
)

// MaxNameLen is the longest interface name the kernel accepts (IFNAMSIZ-1).
const MaxNameLen = 15

// Parent names the link a slave is made off: Base itself, or its 802.1q
// sub-interface VID when VID is not zero.
type Parent struct {
	Base string
	VID  int
}

// Name is the interface name of the parent: Base, or "Base.VID".
func (p Parent) Name() string {
	if p.VID == 0 {
		return p.Base
	}
	return p.Base + "." + strconv.Itoa(p.VID)
}

// ParseParent reads --parent ("eth0" or "eth0.50") and --vlan (0 = none).
func ParseParent(parent string, vlan int) (Parent, error) {
	if parent == "" {
		return Parent{}, invalid("--parent is required (an interface in this netns, e.g. eth0 or eth0.50)")
	}
	p := Parent{Base: parent}
	if i := strings.LastIndexByte(parent, '.'); i > 0 {
		if vid, err := strconv.Atoi(parent[i+1:]); err == nil {
			p = Parent{Base: parent[:i], VID: vid}
			if err := checkVID("--parent", vid); err != nil {
				return Parent{}, err
			}
		}
	}
	if vlan != 0 {
		if p.VID != 0 && p.VID != vlan {
			return Parent{}, invalid("--vlan %d contradicts --parent %s", vlan, parent)
		}
		if err := checkVID("--vlan", vlan); err != nil {
			return Parent{}, err
		}
		p.VID = vlan
	}
	if err := CheckName("--parent", p.Name()); err != nil {
		return Parent{}, err
	}
	return p, nil
}

// checkVID refuses VLAN IDs outside 1–4094.
func checkVID(flag string, vid int) error {
	if vid < 1 || vid > 4094 {
		return invalid("%s: VLAN ID %d out of range 1-4094", flag, vid)
	}
	return nil
}

// CheckName refuses interface names the kernel would refuse.
func CheckName(flag, name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return invalid("%s: %q is not an interface name", flag, name)
	case len(name) > MaxNameLen:
		return invalid("%s: interface name %q is longer than %d bytes", flag, name, MaxNameLen)
	case strings.ContainsAny(name, "/:%"):
		return invalid("%s: interface name %q contains '/', ':' or '%%' (the kernel reads %%d as a number to fill in)", flag, name)
	case !Printable(name):
		return invalid("%s: interface name %q contains white space or a non-printable byte", flag, name)
	}
	return nil
}

// Printable reports whether every byte of s is printable ASCII other than
// space: all that lanattach accepts in interface and netns names.
func Printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
