package link

import "strings"

// The interface alias marks what lanattach created. A VLAN it made carries
// MarkVLAN; a slave carries MarkSlave followed by its parent's name and
// the id of the record that describes it ("lanattach:slave parent=eth0
// id=0a1b2c3d4e5f"). The mark goes into the request that creates the link,
// so no link of lanattach's ever exists unmarked.
const (
	MarkVLAN  = "lanattach:vlan"
	MarkSlave = "lanattach:slave parent="
	markID    = " id="
)

// SlaveMark is the alias of a slave made off parent by the run that keeps
// record id.
func SlaveMark(parent, id string) string { return MarkSlave + parent + markID + id }

// SlaveParent returns the parent recorded in a slave's alias, and whether
// the alias marks a lanattach slave at all.
func SlaveParent(alias string) (string, bool) {
	p, ok := strings.CutPrefix(alias, MarkSlave)
	p, _, _ = strings.Cut(p, markID)
	return p, ok && p != ""
}

// SlaveID returns the record id in a slave's alias, "" if it has none (a
// slave made by a lanattach that kept no record).
func SlaveID(alias string) string {
	if _, ok := SlaveParent(alias); !ok {
		return ""
	}
	_, id, _ := strings.Cut(alias, markID)
	return id
}

// IsVLANMark reports whether alias marks a VLAN made by lanattach.
func IsVLANMark(alias string) bool { return alias == MarkVLAN }
