package link

import "strings"

// The interface alias marks what lanattach created. A VLAN it made carries
// MarkVLAN; a slave carries MarkSlave followed by its parent's name.
const (
	MarkVLAN  = "lanattach:vlan"
	MarkSlave = "lanattach:slave parent="
)

// SlaveMark is the alias of a slave made off parent.
func SlaveMark(parent string) string { return MarkSlave + parent }

// SlaveParent returns the parent recorded in a slave's alias, and whether
// the alias marks a lanattach slave at all.
func SlaveParent(alias string) (string, bool) {
	p, ok := strings.CutPrefix(alias, MarkSlave)
	return p, ok && p != ""
}

// IsVLANMark reports whether alias marks a VLAN made by lanattach.
func IsVLANMark(alias string) bool { return alias == MarkVLAN }
