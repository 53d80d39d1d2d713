package arpcheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// Pool is where --ip auto picks an address from.
type Pool struct {
	Subnet netip.Prefix // the LAN's subnet (--subnet)
	Range  netip.Prefix // restricts the picks (--ip-range); zero means Subnet
	// Exclude (--exclude) and Reserved (gateways) are never picked.
	Exclude, Reserved []netip.Addr
}

// rng returns the range picks come from, masked.
func (p Pool) rng() netip.Prefix {
	if p.Range.IsValid() {
		return p.Range.Masked()
	}
	return p.Subnet.Masked()
}

// Validate checks that the subnet is set and the range lies inside it.
func (p Pool) Validate() error {
	s, r := p.Subnet.Masked(), p.rng()
	switch {
	case !s.IsValid():
		return errors.New("no subnet: --ip auto needs --subnet CIDR")
	case r.Addr().Is4() != s.Addr().Is4():
		return fmt.Errorf("range %s and subnet %s are of different address families", r, s)
	case r.Bits() < s.Bits() || !s.Contains(r.Addr()):
		return fmt.Errorf("range %s is not inside subnet %s", r, s)
	}
	return nil
}

// hostBounds returns the first and last address of s a host may use: not
// the IPv4 network and broadcast addresses (except in /31 and /32), not the
// IPv6 subnet-router anycast address (except in /127 and /128).
func hostBounds(s netip.Prefix) (first, last netip.Addr) {
	first, last = s.Addr(), lastAddr(s)
	if s.Addr().BitLen()-s.Bits() >= 2 {
		first = first.Next()
		if s.Addr().Is4() {
			last = last.Prev()
		}
	}
	return first, last
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// candidates returns the lowest usable addresses of p from `from` on, at
// most n of them, and where to continue (invalid when done).
func (p Pool) candidates(from netip.Addr, n int, skip map[netip.Addr]bool) ([]netip.Addr, netip.Addr) {
	_, last := hostBounds(p.Subnet.Masked())
	if rl := lastAddr(p.rng()); rl.Less(last) {
		last = rl
	}
	var out []netip.Addr
	a := from
	for ; a.IsValid() && !last.Less(a) && len(out) < n; a = a.Next() {
		if !skip[a] {
			out = append(out, a)
		}
	}
	if !a.IsValid() || last.Less(a) {
		a = netip.Addr{}
	}
	return out, a
}

// Pick returns the lowest address of p that is not reserved or excluded and
// for which check reports no conflict. check gets candidates in batches of
// up to batch, so that one probe window covers many. When no candidate is
// free, the error wraps ErrNoFreeAddress and names the range.
func Pick(ctx context.Context, p Pool, batch int, check func(context.Context, []netip.Addr) ([]Conflict, error)) (netip.Addr, error) {
	if err := p.Validate(); err != nil {
		return netip.Addr{}, err
	}
	skip := map[netip.Addr]bool{}
	for _, a := range append(append([]netip.Addr(nil), p.Exclude...), p.Reserved...) {
		skip[a.Unmap()] = true
	}
	first, _ := hostBounds(p.Subnet.Masked())
	if r := p.rng().Addr(); first.Less(r) {
		first = r
	}
	for next := first; next.IsValid(); {
		var cands []netip.Addr
		cands, next = p.candidates(next, max(batch, 1), skip)
		if len(cands) == 0 {
			break
		}
		cs, err := check(ctx, cands)
		if err != nil {
			return netip.Addr{}, err
		}
		taken := map[netip.Addr]bool{}
		for _, c := range cs {
			taken[c.IP] = true
		}
		for _, a := range cands {
			if !taken[a] {
				return a, nil
			}
		}
	}
	return netip.Addr{}, noFree(p.rng())
}
