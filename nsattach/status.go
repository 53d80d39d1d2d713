package nsattach

import "github.com/lanattach/lanattach/link"

// CheckParent checks, changing nothing, that parent can take slaves of
// kind (macvlan or ipvlan) in the namespace lanattach runs in: its base
// interface exists, is Ethernet and up, a VLAN parent exists or can be
// made, and the kernel has the slave type.
func CheckParent(parent link.Parent, kind string) error {
	h, err := HostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	if _, err := link.Resolve(h, parent); err != nil {
		return err
	}
	return kernelSupports(h, kind)
}
