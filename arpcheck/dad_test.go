package arpcheck

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func TestDADOutcome(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8::a"), netip.MustParseAddr("2001:db8::b")
	ev := func(ip netip.Addr, idx, flags int, isNew bool) netlink.AddrUpdate {
		return netlink.AddrUpdate{LinkAddress: net.IPNet{IP: ip.AsSlice(), Mask: net.CIDRMask(64, 128)}, LinkIndex: idx, Flags: flags, NewAddr: isNew}
	}
	tests := []struct {
		name     string
		events   []netlink.AddrUpdate
		pending  int
		conflict []netip.Addr
		err      string
	}{
		{name: "nothing seen", pending: 2},
		{name: "tentative", events: []netlink.AddrUpdate{ev(a, 7, unix.IFA_F_TENTATIVE, true)}, pending: 2},
		{name: "both done", events: []netlink.AddrUpdate{ev(a, 7, unix.IFA_F_TENTATIVE, true), ev(a, 7, 0, true), ev(b, 7, unix.IFA_F_PERMANENT, true)}},
		{name: "dadfailed", events: []netlink.AddrUpdate{ev(a, 7, unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED, true), ev(b, 7, 0, true)}, conflict: []netip.Addr{a}},
		{name: "other interface ignored", events: []netlink.AddrUpdate{ev(a, 8, 0, true), ev(b, 8, 0, true)}, pending: 2},
		{name: "deleted", events: []netlink.AddrUpdate{ev(a, 7, unix.IFA_F_TENTATIVE, false)}, err: "removed during IPv6 DAD"},
		{name: "deleted after failing", events: []netlink.AddrUpdate{ev(a, 7, unix.IFA_F_DADFAILED, false), ev(b, 7, 0, true)}, conflict: []netip.Addr{a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &DADWatch{ifindex: 7, flags: map[netip.Addr]int{}}
			for _, e := range tt.events {
				w.record(e)
			}
			pending, cs, err := w.outcome([]netip.Addr{a, b, netip.MustParseAddr("203.0.113.1")})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(pending) != tt.pending || len(cs) != len(tt.conflict) {
				t.Fatalf("pending %v, conflicts %v, err %v; want %d pending, conflicts %v", pending, cs, err, tt.pending, tt.conflict)
			}
			for i, c := range cs {
				if c.IP != tt.conflict[i] || c.Where != WhereDAD {
					t.Errorf("conflict %v, want %s where dad", c, tt.conflict[i])
				}
			}
		})
	}
}
