package arpcheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// DADWatch follows the kernel's IPv6 duplicate address detection on one
// interface by netlink address events.
type DADWatch struct {
	ifindex int
	ch      chan netlink.AddrUpdate
	done    chan struct{}
	flags   map[netip.Addr]int // last flags seen per address; -1: deleted
	mu      sync.Mutex
	err     error // the subscription's first error
	closing sync.Once
}

// WatchDAD subscribes to address events of interface ifindex in the netns
// nsh. Call it before adding the IPv6 addresses, then Wait; Close it when
// done.
func WatchDAD(nsh netns.NsHandle, ifindex int) (*DADWatch, error) {
	w := &DADWatch{ifindex: ifindex, ch: make(chan netlink.AddrUpdate, 64), done: make(chan struct{}), flags: map[netip.Addr]int{}}
	err := netlink.AddrSubscribeWithOptions(w.ch, w.done, netlink.AddrSubscribeOptions{
		Namespace: &nsh, ErrorCallback: w.fail, ListExisting: true,
	})
	if err != nil {
		close(w.done)
		return nil, fmt.Errorf("subscribing to address events: %w", err)
	}
	return w, nil
}

// fail keeps the subscription's first error.
func (w *DADWatch) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// Wait returns when every IPv6 address of ips (others are ignored) has left
// the tentative state, with a Conflict (WhereDAD) for each one whose DAD
// failed. It fails when ctx ends first or an address is deleted meanwhile.
func (w *DADWatch) Wait(ctx context.Context, ips []netip.Addr) ([]Conflict, error) {
	for {
		pending, cs, err := w.outcome(ips)
		if err != nil || len(pending) == 0 {
			return cs, err
		}
		select {
		case <-ctx.Done():
			return cs, fmt.Errorf("IPv6 DAD of %v still running: %w", pending, ctx.Err())
		case u, ok := <-w.ch:
			if !ok {
				w.mu.Lock()
				defer w.mu.Unlock()
				return cs, fmt.Errorf("address events ended during IPv6 DAD of %v: %w", pending, errors.Join(w.err, errors.New("subscription closed")))
			}
			w.record(u)
		}
	}
}

// record keeps the flags of an event on the watched interface.
func (w *DADWatch) record(u netlink.AddrUpdate) {
	ip, ok := netip.AddrFromSlice(u.LinkAddress.IP)
	if !ok || u.LinkIndex != w.ifindex {
		return
	}
	f := u.Flags
	if !u.NewAddr && f&unix.IFA_F_DADFAILED == 0 {
		f = -1
	}
	w.flags[ip.Unmap()] = f
}

// outcome sorts the IPv6 addresses of ips by what was seen of them.
func (w *DADWatch) outcome(ips []netip.Addr) (pending []netip.Addr, cs []Conflict, err error) {
	for _, ip := range ips {
		if !ip.Is6() || ip.Is4In6() {
			continue
		}
		f, seen := w.flags[ip]
		switch {
		case !seen:
			pending = append(pending, ip)
		case f == -1:
			return nil, nil, fmt.Errorf("%s was removed during IPv6 DAD", ip)
		case f&unix.IFA_F_DADFAILED != 0:
			cs = append(cs, Conflict{IP: ip, Where: WhereDAD, Detail: "IPv6 duplicate address detection failed: another node uses it"})
		case f&unix.IFA_F_TENTATIVE != 0:
			pending = append(pending, ip)
		}
	}
	return pending, cs, nil
}

// Close ends the subscription; calling it again does nothing.
func (w *DADWatch) Close() {
	w.closing.Do(func() {
		close(w.done)
		for range w.ch { // let the receiver goroutine finish
		}
	})
}
