package dhcp

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// ack builds a server's ACK with mods.
func ack(t *testing.T, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	base := []dhcpv4.Modifier{dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.ParseIP("198.51.100.100")),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.ParseIP("198.51.100.254")))}
	m, err := dhcpv4.New(append(base, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFromNC(t *testing.T) {
	tests := []struct {
		name       string
		mods       []dhcpv4.Modifier
		addr       string
		router     string
		secs, t1   uint32
		t2, dnsLen int
	}{
		{"defaults", nil, "198.51.100.100/24", "", 3600, 1800, 3150, 0},
		{"full", []dhcpv4.Modifier{dhcpv4.WithNetmask(net.CIDRMask(25, 32)),
			dhcpv4.WithOption(dhcpv4.OptRouter(net.ParseIP("198.51.100.1"))),
			dhcpv4.WithOption(dhcpv4.OptDNS(net.ParseIP("198.51.100.53"), net.ParseIP("198.51.100.54"))),
			dhcpv4.WithLeaseTime(120), dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(10 * time.Second))},
			"198.51.100.100/25", "198.51.100.1", 120, 10, 105, 2},
		{"T1 after T2", []dhcpv4.Modifier{dhcpv4.WithLeaseTime(100),
			dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(90 * time.Second)),
			dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(80 * time.Second))}, "198.51.100.100/24", "", 100, 40, 80, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ack(t, tt.mods...)
			l, err := fromNC(&nclient4.Lease{Offer: a, ACK: a, CreationTime: time.Unix(1000, 0)})
			if err != nil {
				t.Fatal(err)
			}
			if l.Addr.String() != tt.addr || (l.Router.IsValid() && l.Router.String() != tt.router) ||
				(!l.Router.IsValid() && tt.router != "") {
				t.Errorf("address %s router %s, want %s %q", l.Addr, l.Router, tt.addr, tt.router)
			}
			if l.Seconds != tt.secs || l.T1 != tt.t1 || l.T2 != uint32(tt.t2) || len(l.DNS) != tt.dnsLen {
				t.Errorf("lease %d T1 %d T2 %d dns %v, want %d %d %d and %d servers", l.Seconds, l.T1, l.T2, l.DNS,
					tt.secs, tt.t1, tt.t2, tt.dnsLen)
			}
			if l.Server != netip.MustParseAddr("198.51.100.254") || !l.Expires().Equal(time.Unix(1000+int64(tt.secs), 0)) {
				t.Errorf("server %s expires %s", l.Server, l.Expires())
			}
			if _, err := l.nc(); err != nil {
				t.Errorf("recorded messages do not decode: %v", err)
			}
		})
	}
}

func TestFromNCRefusesNoAddress(t *testing.T) {
	a := ack(t, dhcpv4.WithYourIP(net.IPv4zero))
	if _, err := fromNC(&nclient4.Lease{Offer: a, ACK: a}); err == nil {
		t.Error("an ACK of 0.0.0.0 was taken")
	}
}

func TestRetryAt(t *testing.T) {
	t0 := time.Unix(0, 0)
	l := &Lease{Obtained: t0, Seconds: 120, T1: 60, T2: 105}
	tests := []struct {
		name    string
		now, at int64 // seconds after t0
	}{
		{"renewing: half way to T2", 60, 82},
		{"renewing near T2: at T2, to rebind", 103, 105},
		{"renewing: at least minRetry", 98, 103},
		{"rebinding: half way to expiry", 106, 113},
		{"rebinding at the end: a second", 119, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := retryAt(t0.Add(time.Duration(tt.now)*time.Second), l)
			if want := t0.Add(time.Duration(tt.at) * time.Second); got.Truncate(time.Second) != want {
				t.Errorf("retryAt(%d) = %s, want %s", tt.now, got.Sub(t0), want.Sub(t0))
			}
		})
	}
}

func TestClientID(t *testing.T) {
	a, b, c := ClientID("web/eth1"), ClientID("web/eth1"), ClientID("db/eth1")
	if string(a) != string(b) || string(a) == string(c) {
		t.Errorf("ClientID not a function of its seed: %x %x %x", a, b, c)
	}
	if len(a) != 1+4+2+16 || a[0] != 255 || a[5] != 0 || a[6] != 4 {
		t.Errorf("ClientID %x is not type 255 + IAID + DUID-UUID", a)
	}
}
