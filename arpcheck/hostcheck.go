package arpcheck

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
)

// Holder is an address held by an interface: a host interface, or a
// sibling slave made by lanattach on the same parent.
type Holder struct {
	IP     netip.Addr
	MAC    net.HardwareAddr
	Detail string // who holds it, for people: "host interface eth0"
}

// dumpAttempts bounds retries of an interrupted netlink address dump.
const dumpAttempts = 5

// HostHeld lists every address on every interface of the netns h is bound
// to, each with its interface's MAC and Detail "host interface NAME".
func HostHeld(h netlinksafe.Handle) ([]Holder, error) {
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing host interfaces: %w", err)
	}
	byIndex := make(map[int]*netlink.LinkAttrs, len(links))
	for _, l := range links {
		byIndex[l.Attrs().Index] = l.Attrs()
	}
	addrs, err := AddrDump(h)
	if err != nil {
		return nil, err
	}
	out := make([]Holder, 0, len(addrs))
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		la := byIndex[a.LinkIndex]
		if !ok || la == nil {
			continue
		}
		out = append(out, Holder{IP: ip.Unmap(), MAC: la.HardwareAddr, Detail: "host interface " + la.Name})
	}
	return out, nil
}

// AddrDump lists all addresses of h's netns in one dump, retrying a dump
// the kernel interrupted: an incomplete list could hide a clash.
func AddrDump(h netlinksafe.Handle) ([]netlink.Addr, error) {
	var err error
	for range dumpAttempts {
		var addrs []netlink.Addr
		addrs, err = h.Handle.AddrList(nil, netlink.FAMILY_ALL)
		if err == nil {
			return addrs, nil
		}
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	return nil, fmt.Errorf("listing addresses: %w", err)
}

// HostConflicts reports the ips that are held by any interface of the
// netns h is bound to (WhereHost), equal to one of gateways (Detail "the
// gateway"), or held by a sibling slave (WhereSibling). It reports at most
// one conflict per address, in that order of precedence, in the order of
// ips.
func HostConflicts(h netlinksafe.Handle, ips, gateways []netip.Addr, siblings []Holder) ([]Conflict, error) {
	host, err := HostHeld(h)
	if err != nil {
		return nil, err
	}
	held := map[netip.Addr]Conflict{}
	add := func(c Conflict) {
		if _, dup := held[c.IP]; !dup {
			held[c.IP] = c
		}
	}
	for _, hh := range host {
		add(Conflict{IP: hh.IP, MAC: hh.MAC, Where: WhereHost, Detail: hh.Detail})
	}
	for _, g := range gateways {
		add(Conflict{IP: g.Unmap(), Where: WhereLAN, Detail: "the gateway"})
	}
	for _, s := range siblings {
		add(Conflict{IP: s.IP.Unmap(), MAC: s.MAC, Where: WhereSibling, Detail: s.Detail})
	}
	var out []Conflict
	seen := map[netip.Addr]bool{}
	for _, ip := range ips {
		c, ok := held[ip.Unmap()]
		if ok && !seen[c.IP] {
			seen[c.IP] = true
			out = append(out, c)
		}
	}
	return out, nil
}
