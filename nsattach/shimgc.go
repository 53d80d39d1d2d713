package nsattach

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// deleteUnusedShims deletes the shims lanattach made for attachments (not
// those `lanattach shim` keeps) whose parent and name pick accepts, when both the
// record and the kernel say that nothing uses them: no record but self
// names them with a live, running or unknown attachment, and no host route
// other than the kernel's goes through them. It returns their names and
// those it kept, with why, from what the caller has seen and what it has
// not. Call it under the host-wide lock.
func deleteUnusedShims(led *ledger.Ledger, pick func(parent, name string) bool, self string, s seen) (deleted, kept []string, err error) {
	deleted, kept = []string{}, []string{}
	links, err := candidates(s.links, func(l netlink.Link) bool {
		_, isMacvlan := l.(*netlink.Macvlan)
		p, pinned, ok := link.ShimParent(l.Attrs().Alias)
		return ok && isMacvlan && !pinned && pick(p, l.Attrs().Name)
	})
	if err != nil || len(links) == 0 {
		return deleted, kept, err // no candidate: no need to read the record
	}
	h, err := HostHandle()
	if err != nil {
		return deleted, kept, err
	}
	defer h.Close()
	views, err := s.recordViews(led)
	if err != nil {
		return deleted, kept, err
	}
	for _, l := range links {
		a := l.Attrs()
		why := shimUse(views, a.Name, self)
		if why == "" {
			why, err = shimRoutesLeft(h, l)
			if err != nil {
				return deleted, kept, err
			}
		}
		if why != "" {
			kept = append(kept, a.Name+": "+why)
			continue
		}
		if err := deleteHere(h, l); err != nil {
			return deleted, kept, fmt.Errorf("deleting unused shim %s: %w", a.Name, err)
		}
		deleted = append(deleted, a.Name)
	}
	return deleted, kept, nil
}

// shimUse says why the record holds shim name as in use, or "".
func shimUse(views []recView, name, self string) string {
	for _, v := range views {
		if v.Extra[extraShim] != name || v.ID == self {
			continue
		}
		name, lives := v.slaveName()
		switch {
		case v.Running:
			return fmt.Sprintf("lanattach run %d is attaching through it (record %s)", v.PID, v.ID)
		case v.Err != nil:
			return fmt.Sprintf("cannot check %s of record %s (%v); kept to be safe", v.Target.Path, v.ID, v.Err)
		case lives:
			return fmt.Sprintf("it serves %s in %s (record %s)", name, v.Target.Path, v.ID)
		}
	}
	return ""
}

// shimRoutesLeft says which host route, not the kernel's own, still goes
// through shim l, or "".
func shimRoutesLeft(h netlinksafe.Handle, l netlink.Link) (string, error) {
	rs, err := h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{LinkIndex: l.Attrs().Index, Table: unix.RT_TABLE_MAIN},
		netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	if err != nil {
		return "", fmt.Errorf("listing routes via %s: %w", l.Attrs().Name, err)
	}
	for _, rt := range rs {
		if rt.Protocol != unix.RTPROT_KERNEL && rt.Dst != nil {
			return fmt.Sprintf("a host route to %s still goes through it (a slave lanattach has no record of?)", rt.Dst), nil
		}
	}
	return "", nil
}

// dropShimRoutes removes the host routes through the parent's shim to the
// addresses that record v gave its slave (and that the slave had, when
// known), and deletes the shim it may have left under its temporary name.
func dropShimRoutes(v ledger.Record, have []netip.Addr) error {
	if v.Extra[extraShim] == "" {
		return nil
	}
	h, err := HostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	if err := deleteTempShim(h, v.Extra[extraShimTemp]); err != nil {
		return err
	}
	l, err := h.LinkByName(v.Extra[extraShim])
	var nf netlink.LinkNotFoundError
	switch {
	case errors.As(err, &nf):
		return nil
	case err != nil:
		return fmt.Errorf("looking up shim %s: %w", v.Extra[extraShim], err)
	}
	if _, _, ok := link.ShimParent(l.Attrs().Alias); !ok {
		return nil // not lanattach's: nothing of ours goes through it
	}
	ips := append([]netip.Addr{}, have...)
	for _, s := range v.Addresses {
		if p, err := netip.ParsePrefix(s); err == nil {
			ips = append(ips, p.Addr())
		}
	}
	return delShimRoutes(h, l, ips)
}

// deleteTempShim deletes the shim an interrupted run made under the random
// name tmp and never renamed, if there is one.
func deleteTempShim(h netlinksafe.Handle, tmp string) error {
	if tmp == "" {
		return nil
	}
	return deleteTempLink(h, tmp, "macvlan")
}

// addrsByIndex reads the addresses of every link of the target whose
// handle is th, by ifindex, in one dump; with no slave to remove (slaves
// 0) there is nothing to read. Detach reads them before it deletes a
// slave: the kernel tears a deleted slave's addresses down after it has
// left the table, and that interrupted a later dump of another slave's
// addresses ("results may be incomplete or inconsistent").
func addrsByIndex(th netlinksafe.Handle, t *Target, slaves int) (map[int][]netip.Addr, error) {
	if slaves == 0 {
		return nil, nil
	}
	as, err := th.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("reading the addresses in %s: %w", t, err)
	}
	out := map[int][]netip.Addr{}
	for _, a := range as {
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			out[a.LinkIndex] = append(out[a.LinkIndex], ip.Unmap())
		}
	}
	return out, nil
}

// shimRecord is the record of a slave being detached, for removing its
// host routes: its own record, or, when it has none, one naming the shim
// of its parent (found by its mark) so that routes to its addresses go.
func shimRecord(rec *recView, parent string) ledger.Record {
	if rec != nil && rec.Extra[extraShim] != "" {
		return rec.Record
	}
	h, err := HostHandle()
	if err != nil {
		return ledger.Record{}
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return ledger.Record{}
	}
	if l := link.MarkedShim(links, parent); l != nil {
		return ledger.Record{Extra: map[string]string{extraShim: l.Attrs().Name}}
	}
	return ledger.Record{}
}

// candidates returns the links of host (nil: the links of the namespace
// lanattach runs in, read now) that want accepts.
func candidates(host []netlink.Link, want func(netlink.Link) bool) ([]netlink.Link, error) {
	if host == nil {
		h, err := HostHandle()
		if err != nil {
			return nil, err
		}
		defer h.Close()
		if host, err = h.LinkList(); err != nil {
			return nil, fmt.Errorf("listing links: %w", err)
		}
	}
	var out []netlink.Link
	for _, l := range host {
		if want(l) {
			out = append(out, l)
		}
	}
	return out, nil
}
