package arpcheck

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/ndp"
)

func TestGuardNDP(t *testing.T) {
	unspec := netip.IPv6Unspecified()
	tests := []struct {
		name   string
		arrive []arrivalSpec
		want   map[netip.Addr]net.HardwareAddr
	}{
		{name: "quiet"},
		{name: "another node advertises it",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6B, nil), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6B: peerMAC}},
		{name: "MAC from the target link-layer option",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6A, otherMAC), from: peerMAC}},
			want:   map[netip.Addr]net.HardwareAddr{ip6A: otherMAC}},
		{name: "both advertised", arrive: []arrivalSpec{
			{d: 5 * time.Millisecond, pkt: advert(ip6A, nil), from: peerMAC},
			{d: 10 * time.Millisecond, pkt: advert(ip6B, nil), from: otherMAC}},
			want: map[netip.Addr]net.HardwareAddr{ip6A: peerMAC, ip6B: otherMAC}},
		{name: "our own advertisement ignored",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6A, ourMAC), from: ourMAC}}},
		{name: "another node's DAD is no clash: the kernel defends the address",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: solicit(unspec, ip6A, ndp.NewNonce()), from: peerMAC}}},
		{name: "address resolution is no clash",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: solicit(peerLL, ip6A, nil), from: peerMAC}}},
		{name: "another address ignored",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: advert(ip6Other, nil), from: peerMAC}}},
		{name: "hop limit below 255 ignored",
			arrive: []arrivalSpec{{d: 10 * time.Millisecond, pkt: hopLimit(advert(ip6A, nil), 64), from: peerMAC}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newFakeNDP()
			c.SetReadDeadline(time.Now().Add(-time.Second)) // as a finished probe leaves it
			g, err := GuardNDP(c, ourMAC, []netip.Addr{ip6A, ip6B, ipA})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tt.arrive {
				c.deliver(a.d, a.pkt(t), a.from)
			}
			time.Sleep(60 * time.Millisecond)
			got, err := g.Stop()
			if err != nil {
				t.Fatal(err)
			}
			checkConflicts(t, got, tt.want, WhereDAD)
			again, err := g.Stop()
			if err != nil || len(again) != len(got) {
				t.Errorf("second Stop: %v, %v; want the same %v", again, err, got)
			}
		})
	}
}

func TestGuardNDPNothingToGuard(t *testing.T) {
	c := newFakeNDP()
	g, err := GuardNDP(c, ourMAC, []netip.Addr{ipA})
	if err != nil {
		t.Fatal(err)
	}
	c.deliver(0, advert(ip6A, nil)(t), peerMAC)
	if got, err := g.Stop(); err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want nothing guarded", got, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) != 1 {
		t.Errorf("the guard read the socket although it had no IPv6 address to guard")
	}
}
