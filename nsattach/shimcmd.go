package nsattach

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// ShimSpec is a checked `lanattach shim` request.
type ShimSpec struct {
	Parent link.Parent
	Name   string // "" for PARENT-shim
	IPs    []netip.Prefix
	Remove bool
	DryRun bool
}

// ShimInfo describes a shim: what `lanattach shim` did, and what `list`
// shows.
type ShimInfo struct {
	Name      string   `json:"name"`
	Parent    string   `json:"parent"`
	Kept      bool     `json:"kept"` // made or kept by `lanattach shim`
	Addresses []string `json:"addresses"`
	Serves    []string `json:"serves"`
	Created   bool     `json:"created,omitempty"`
	Deleted   bool     `json:"deleted,omitempty"`
	RPFilter  string   `json:"rp_filter,omitempty"`
	// Why says why a shim to remove stays (it goes with its last user).
	Why string `json:"why,omitempty"`
}

// shimName is the name the shim of s gets.
func (s ShimSpec) shimName() string {
	if s.Name != "" {
		return s.Name
	}
	return link.ShimName(s.Parent.Name())
}

// PrepareShim makes the shim of a parent that --host-access uses (or keeps
// the one there is), marked as kept: it stays until `lanattach shim
// --remove`. The record names it before it is made, so that gc removes it
// if the run is killed before it is marked.
func PrepareShim(ctx context.Context, s ShimSpec) (*ShimInfo, error) {
	h, par, l, err := findShimOf(s)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	if err := hostCheckShimIPs(h, par.Link, l, s.IPs); err != nil {
		return nil, err
	}
	led, unlock, err := lockedLedger(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	info := &ShimInfo{Parent: s.Parent.Name(), Kept: true, Addresses: []string{}, Serves: []string{}}
	var u undoStack
	if l == nil {
		if l, err = createKeptShim(h, led, par, s.shimName()); err != nil {
			return nil, err
		}
		u.push("shim", "create shim "+l.Attrs().Name, func() error { return h.LinkDel(l) })
		info.Created = true
	} else if err := h.LinkSetAlias(l, link.ShimMark(s.Parent.Name(), true)); err != nil {
		return nil, fmt.Errorf("marking shim %s as kept: %w", l.Attrs().Name, err)
	}
	info.Name = l.Attrs().Name
	if info.RPFilter, err = configureShim(h, &u, l, s.IPs); err != nil {
		return nil, errors.Join(err, u.run())
	}
	info.Addresses = shimAddrs(h, l)
	return info, nil
}

// findShimOf resolves the parent of s and finds its shim (nil if none).
func findShimOf(s ShimSpec) (netlinksafe.Handle, link.Resolved, netlink.Link, error) {
	h, err := HostHandle()
	if err != nil {
		return h, link.Resolved{}, nil, err
	}
	par, err := link.Resolve(h, s.Parent)
	if err == nil && par.Link == nil {
		err = Inputf("--parent", "%s does not exist; attach makes VLANs, `lanattach shim` does not", s.Parent.Name())
	}
	var l netlink.Link
	if err == nil {
		flag := "--parent"
		if s.Name != "" {
			flag = "--name"
		}
		l, err = link.FindShim(h, flag, s.Parent.Name(), s.shimName())
	}
	if err != nil {
		h.Close()
		return h, par, nil, asInput(err)
	}
	return h, par, l, nil
}

// createKeptShim makes a kept shim under a record that names its temporary
// name first; the record goes once the shim is marked and renamed.
func createKeptShim(h netlinksafe.Handle, led *ledger.Ledger, par link.Resolved, name string) (netlink.Link, error) {
	id, err := ledger.NewID()
	if err != nil {
		return nil, err
	}
	tmp, err := tempName("las")
	if err != nil {
		return nil, err
	}
	lock, err := led.Claim(id)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	rec := ledger.Record{ID: id, State: ledger.Pending, PID: os.Getpid(), Created: time.Now().UTC(),
		Target: ledger.Target{Path: "(shim " + name + ")", NSID: noTarget}, Parent: par.Parent.Name(),
		Addresses: []string{}, Extra: map[string]string{extraShim: name, extraShimTemp: tmp}}
	if err := led.Put(&rec); err != nil {
		return nil, fmt.Errorf("recording shim %s: %w", name, err)
	}
	l, err := link.CreateShim(h, par.Link, tmp, name, true)
	return l, errors.Join(err, led.Remove(id))
}

// noTarget is the nsid of a record that has no target: a shim in making.
const noTarget = -1

// RemoveShim takes away the shim of a parent: it is no longer kept, and
// it goes now unless an attachment still uses it (then with the last one,
// and Why says so).
func RemoveShim(ctx context.Context, s ShimSpec) (*ShimInfo, error) {
	h, _, l, err := findShimOf(s)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	info := &ShimInfo{Name: s.shimName(), Parent: s.Parent.Name(), Addresses: []string{}, Serves: []string{}}
	if l == nil {
		info.Why = "no shim of " + s.Parent.Name()
		return info, nil
	}
	info.Name = l.Attrs().Name
	led, unlock, err := lockedLedger(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := h.LinkSetAlias(l, link.ShimMark(s.Parent.Name(), false)); err != nil {
		return nil, fmt.Errorf("unmarking shim %s: %w", info.Name, err)
	}
	deleted, kept, err := deleteUnusedShims(led, func(_, name string) bool { return name == info.Name }, "", seen{})
	info.Deleted = len(deleted) == 1
	if len(kept) == 1 {
		info.Why = kept[0] + "; it goes with its last attachment"
	}
	return info, err
}

// Shims returns the shims lanattach made in the namespace it runs in, each
// with the attachments it serves.
func Shims() ([]ShimInfo, error) {
	h, err := HostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links: %w", err)
	}
	links = slices.DeleteFunc(links, func(l netlink.Link) bool {
		_, _, ok := link.ShimParent(l.Attrs().Alias)
		return !ok
	})
	out := []ShimInfo{}
	if len(links) == 0 {
		return out, nil // no shim: no need to read the record
	}
	led, err := openLedger()
	if err != nil {
		return nil, err
	}
	views, err := inspect(led)
	for _, l := range links {
		p, kept, _ := link.ShimParent(l.Attrs().Alias)
		info := ShimInfo{Name: l.Attrs().Name, Parent: p, Kept: kept, Addresses: shimAddrs(h, l), Serves: []string{}}
		for _, v := range views {
			if v.Extra[extraShim] == info.Name && v.alive() && v.Target.NSID != noTarget {
				info.Serves = append(info.Serves, fmt.Sprintf("%s in %s (record %s)", v.Name, v.Target.Path, v.ID))
			}
		}
		out = append(out, info)
	}
	return out, err
}

// shimAddrs are the global addresses of shim l.
func shimAddrs(h netlinksafe.Handle, l netlink.Link) []string {
	out := []string{}
	as, _ := h.AddrList(l, netlink.FAMILY_ALL)
	for _, a := range as {
		if a.Scope == int(netlink.SCOPE_UNIVERSE) {
			out = append(out, a.IPNet.String())
		}
	}
	return out
}
