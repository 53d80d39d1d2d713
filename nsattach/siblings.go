package nsattach

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
)

// Siblings returns the addresses held by slaves whose lower device is the
// interface with index parent in the namespace lanattach runs in, for the
// host check (probes cannot always see them): those the record names (its
// slaves, wherever their namespace is) and those the kernel shows (made by
// lanattach or not) in the other namespaces reachable through /run/netns
// and /proc.
func Siblings(parent int) ([]arpcheck.Holder, error) {
	out, err := recordSiblings(parent, nil)
	if err != nil {
		return nil, err
	}
	ks, err := kernelSiblings(parent, nil)
	return append(out, ks...), err
}

// recordSiblings returns the addresses of the live slaves the record
// names on the interface with index parent (recordHolders); with only
// set, of those that hold one of its addresses. Records it cannot read are
// left out.
func recordSiblings(parent int, only []netip.Addr) ([]arpcheck.Holder, error) {
	led, err := openLedger()
	if err != nil {
		return nil, err
	}
	recs, err := led.ListFunc(onParentFunc(parent, only))
	if recs == nil {
		return nil, fmt.Errorf("reading the record: %w", err)
	}
	return recordHolders(inspectAlive(led, recs)), nil
}

// onParentFunc reports whether a record is of a slave on the interface
// with index parent (with only set, one that holds one of its addresses).
func onParentFunc(parent int, only []netip.Addr) func(*ledger.Record) bool {
	return func(rec *ledger.Record) bool {
		return rec.ParentIndex == parent && (only == nil || slices.ContainsFunc(rec.Addresses, func(a string) bool {
			p, err := netip.ParsePrefix(a)
			return err == nil && slices.Contains(only, p.Addr())
		}))
	}
}

// recordHolders returns the addresses of the records whose slave may be in
// use: those of runs still going, of attachments whose slave lives
// (wherever its namespace is), and of those the kernel could not be asked
// about.
func recordHolders(views []recView) []arpcheck.Holder {
	var out []arpcheck.Holder
	for _, v := range views {
		if !v.alive() {
			continue
		}
		mac, _ := net.ParseMAC(v.MAC)
		for _, a := range v.Addresses {
			if p, err := netip.ParsePrefix(a); err == nil {
				out = append(out, arpcheck.Holder{IP: p.Addr(), MAC: mac,
					Detail: v.Name + " in " + v.Target.Path + " (record " + v.ID + ")"})
			}
		}
	}
	return out
}

// kernelSiblings returns the addresses of the slaves on parent that the
// kernel shows in the namespaces census c leaves to read (all of them
// without one), those the record names included: a namespace lanattach
// attached to may hold a slave on the same parent that lanattach did not
// make.
func kernelSiblings(parent int, c *census) ([]arpcheck.Holder, error) {
	var out []arpcheck.Holder
	_, err := c.walk(nil, func(v *nsView) error {
		for _, l := range v.Links {
			if _, isSlave := link.TypeOf(l); !isSlave {
				continue
			}
			if idx, ok := v.hostLower(l); !ok || idx != parent {
				continue
			}
			for _, p := range v.addrsOf(l) {
				out = append(out, arpcheck.Holder{IP: p.Addr(), MAC: l.Attrs().HardwareAddr,
					Detail: l.Attrs().Name + " in " + describe(v.Info)})
			}
		}
		return nil
	}, parent)
	return out, err
}

// loadSiblings reads the addresses of the other slaves on the parent for
// the host check (the final one under the lock): those the record names
// (only the records that hold a static address, when there is no --ip
// auto) and, from the background scan, those the kernel shows in the
// other namespaces. A VLAN parent not created yet has none.
func (r *attachRun) loadSiblings() error {
	r.siblings = nil
	if r.parent.Link == nil {
		return nil
	}
	idx := r.parent.Link.Attrs().Index
	var only []netip.Addr
	if len(r.spec.Addrs.Auto) == 0 {
		only = staticIPs(r.spec.Addrs.Static)
	}
	var err error
	if r.siblings, err = recordSiblings(idx, only); err != nil {
		return err
	}
	ks, err := r.scan.result(idx)
	if err != nil {
		return fmt.Errorf("listing sibling slaves of %s: %w", r.spec.Parent.Name(), err)
	}
	r.siblings = append(r.siblings, ks...)
	return nil
}

// startScan starts the kernel's part of the sibling check in the
// background, once.
func (r *attachRun) startScan() {
	if r.scan == nil && r.parent.Link != nil {
		r.scan = startSiblingScan(r.parent.Link.Attrs().Index, r.spec.Type.Kind == "macvlan")
	}
}

// siblingScan is the kernel's part of the sibling check, run in the
// background from the preflight on while the attach makes its slave: on a
// busy host it is the slowest check, and it needs nothing the attach
// makes.
type siblingScan struct {
	parent  int
	macvlan bool
	done    chan struct{}
	holders []arpcheck.Holder
	err     error
}

// startSiblingScan starts the kernel's sibling scan of the interface with
// index parent for a slave of type macvlan or not (siblingCensus). The
// scan reads the record itself, off the attach's path: on a busy host
// that is most of its time.
func startSiblingScan(parent int, macvlan bool) *siblingScan {
	s := &siblingScan{parent: parent, macvlan: macvlan, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer func() {
			if p := recover(); p != nil {
				s.err = fmt.Errorf("internal error: %v", p)
			}
		}()
		led, err := openLedger()
		if err == nil {
			led.Preload() // for this scan's listing and the claim's under the lock, which would otherwise decode the index
		}
		s.holders, s.err = kernelSiblings(parent, siblingCensus(parent, macvlan, led))
	}()
	return s
}

// result waits for the scan; a scan of another parent (a VLAN made since)
// or none started runs now.
func (s *siblingScan) result(parent int) ([]arpcheck.Holder, error) {
	if s == nil || s.parent != parent {
		return kernelSiblings(parent, nil)
	}
	<-s.done
	return s.holders, s.err
}

// close waits for the scan, so that it does not outlive a failed attach.
func (s *siblingScan) close() {
	if s != nil {
		<-s.done
	}
}

// siblingCensus returns the census the kernel's part of the sibling check
// of parent reads with: one taken with the record when the slave to come
// is a macvlan (a link carries macvlans or ipvlans, never both); nil, so
// that every namespace is read, for an ipvlan or when the census or the
// record led (nil: not opened) cannot be read; entries it could not read
// are left out when some could be. A macvlan slave made by hand that is
// down stays out of sight of the census: it cannot clash on the LAN until
// it comes up. The kernel is asked first, while the attach writes its
// record, and the record read after.
func siblingCensus(parent int, macvlan bool, led *ledger.Ledger) *census {
	if !macvlan || led == nil {
		return nil
	}
	c, err := readFilters(parent)
	if err != nil {
		slog.Debug("no census", "err", err)
		return nil
	}
	recs, err := led.List()
	if err != nil && len(recs) == 0 {
		slog.Debug("no census", "err", err)
		return nil
	}
	c.account(recs)
	return c
}
