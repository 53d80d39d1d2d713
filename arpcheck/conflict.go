// Package arpcheck finds address clashes before a container uses an
// address: against the host's own addresses, against other slaves made by
// lanattach, and on the LAN with RFC 5227 ARP probes and IPv6 DAD. It also
// announces addresses, scans subnets and picks free addresses.
package arpcheck

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Where says who holds a conflicting address.
type Where string

// The places a conflicting address can be held.
const (
	WhereHost    Where = "host"    // an interface of the host netns
	WhereLAN     Where = "lan"     // another machine answered an ARP probe
	WhereSibling Where = "sibling" // another slave made by lanattach
	WhereDAD     Where = "dad"     // IPv6 duplicate address detection failed
)

// Conflict is one address found in use.
type Conflict struct {
	IP    netip.Addr       `json:"ip"`
	MAC   net.HardwareAddr `json:"-"`
	Where Where            `json:"where"`
	// Detail names the holder for people, e.g. "host interface eth0".
	Detail string `json:"-"`
}

// String describes the conflict in one line.
func (c Conflict) String() string {
	s := c.IP.String() + " is in use (" + string(c.Where)
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	if len(c.MAC) > 0 {
		s += ", MAC " + c.MAC.String()
	}
	return s + ")"
}

// ConflictError reports addresses found in use. The command maps it to
// exit code 3.
type ConflictError struct {
	Conflicts []Conflict
}

// Error lists every conflict.
func (e *ConflictError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		parts[i] = c.String()
	}
	return "address clash: " + strings.Join(parts, "; ") + "; pick another address"
}

// ErrNoFreeAddress is returned when --ip auto finds no free address in the
// range; the error wrapping it names the range.
var ErrNoFreeAddress = errors.New("no free address")

// noFree wraps ErrNoFreeAddress with the range searched.
func noFree(r netip.Prefix) error {
	return fmt.Errorf("%w in %s: every candidate is taken, excluded or reserved; widen --ip-range or free an address", ErrNoFreeAddress, r)
}
