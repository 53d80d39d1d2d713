// Package link manages the host-side links of lanattach: it checks the
// kernel for the link types it needs, finds or creates the parent (an
// existing interface or an 802.1q sub-interface it makes), and builds
// macvlan/ipvlan slaves. Every link it creates carries a mark in its
// interface alias, and only marked links are ever deleted.
package link

import (
	"errors"
	"fmt"
)

// ErrNotSupported is wrapped by errors for a link type the running kernel
// lacks (no ipvlan or 8021q module).
var ErrNotSupported = errors.New("not supported by this kernel")

// ErrInvalid is wrapped by errors about bad input found while checking the
// parent, VLAN or slave settings; nothing has been changed then.
var ErrInvalid = errors.New("invalid")

// invalidError is bad input found by this package; it matches ErrInvalid.
type invalidError struct{ msg string }

// Error returns the message.
func (e *invalidError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// invalid formats bad input as an error matching ErrInvalid.
func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}
