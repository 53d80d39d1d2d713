package arpcheck

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// takenCheck is a Pick check under which the given addresses are in use; it
// records every batch it gets.
func takenCheck(taken []string, batches *[][]netip.Addr) func(context.Context, []netip.Addr) ([]Conflict, error) {
	return func(_ context.Context, ips []netip.Addr) ([]Conflict, error) {
		*batches = append(*batches, ips)
		var cs []Conflict
		for _, ip := range ips {
			for _, s := range taken {
				if ip == netip.MustParseAddr(s) {
					cs = append(cs, Conflict{IP: ip, Where: WhereLAN})
				}
			}
		}
		return cs, nil
	}
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func TestPick(t *testing.T) {
	tests := []struct {
		name, subnet, rng string
		exclude, reserved []string
		taken             []string
		batch             int
		want              string // "" means no free address
		wantErr           string
	}{
		{name: "lowest host", subnet: "203.0.113.0/24", want: "203.0.113.1"},
		{name: "unmasked subnet", subnet: "203.0.113.77/24", want: "203.0.113.1"},
		{name: "gateway reserved", subnet: "203.0.113.0/24", reserved: []string{"203.0.113.1"}, want: "203.0.113.2"},
		{name: "excluded and reserved", subnet: "203.0.113.0/24", reserved: []string{"203.0.113.1"}, exclude: []string{"203.0.113.2"}, want: "203.0.113.3"},
		{name: "taken across batches", subnet: "203.0.113.0/24", taken: []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"}, batch: 2, want: "203.0.113.4"},
		{name: "range", subnet: "203.0.113.0/24", rng: "203.0.113.128/28", want: "203.0.113.128"},
		{name: "range at the top never gives broadcast", subnet: "203.0.113.0/24", rng: "203.0.113.252/30",
			taken: []string{"203.0.113.252", "203.0.113.253", "203.0.113.254"}, wantErr: "in 203.0.113.252/30"},
		{name: "/30 hosts only", subnet: "198.51.100.0/30", taken: []string{"198.51.100.1"}, want: "198.51.100.2"},
		{name: "/30 full", subnet: "198.51.100.4/30", taken: []string{"198.51.100.5", "198.51.100.6"}, wantErr: "no free address in 198.51.100.4/30"},
		{name: "/31 both usable", subnet: "203.0.113.0/31", want: "203.0.113.0"},
		{name: "/32", subnet: "203.0.113.9/32", want: "203.0.113.9"},
		{name: "ipv6 skips subnet-router anycast", subnet: "2001:db8:1::/64", want: "2001:db8:1::1"},
		{name: "ipv6 /127", subnet: "2001:db8:1::/127", want: "2001:db8:1::"},
		{name: "ipv6 excluded", subnet: "2001:db8:1::/64", exclude: []string{"2001:db8:1::1"}, taken: []string{"2001:db8:1::2"}, want: "2001:db8:1::3"},
		{name: "range outside subnet", subnet: "203.0.113.0/24", rng: "198.51.100.0/28", wantErr: "not inside subnet"},
		{name: "range wider than subnet", subnet: "203.0.113.0/25", rng: "203.0.113.0/24", wantErr: "not inside subnet"},
		{name: "family mismatch", subnet: "203.0.113.0/24", rng: "2001:db8::/64", wantErr: "different address families"},
		{name: "no subnet", wantErr: "needs --subnet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Pool{Exclude: addrs(tt.exclude...), Reserved: addrs(tt.reserved...)}
			if tt.subnet != "" {
				p.Subnet = netip.MustParsePrefix(tt.subnet)
			}
			if tt.rng != "" {
				p.Range = netip.MustParsePrefix(tt.rng)
			}
			var batches [][]netip.Addr
			batch := tt.batch
			if batch == 0 {
				batch = 16
			}
			got, err := Pick(context.Background(), p, batch, takenCheck(tt.taken, &batches))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Pick = %v, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != netip.MustParseAddr(tt.want) {
				t.Fatalf("Pick = %v, %v; want %s", got, err, tt.want)
			}
			for _, b := range batches {
				if len(b) > batch {
					t.Errorf("check got %d candidates, more than the batch of %d", len(b), batch)
				}
				for _, a := range b {
					if slices.Contains(p.Reserved, a) || slices.Contains(p.Exclude, a) {
						t.Errorf("check got reserved or excluded %s", a)
					}
				}
			}
		})
	}
}

func TestPickNoFreeWrapsErr(t *testing.T) {
	var batches [][]netip.Addr
	_, err := Pick(context.Background(), Pool{Subnet: netip.MustParsePrefix("203.0.113.0/30")}, 4, takenCheck([]string{"203.0.113.1", "203.0.113.2"}, &batches))
	if !errors.Is(err, ErrNoFreeAddress) {
		t.Fatalf("err %v, want ErrNoFreeAddress", err)
	}
	if len(batches) != 1 || len(batches[0]) != 2 {
		t.Fatalf("batches %v, want one batch with both hosts", batches)
	}
}

// TestPickCheckError checks that a failing check stops Pick at once: no
// address, no further batch, and the check's error comes back.
func TestPickCheckError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	ip, err := Pick(context.Background(), Pool{Subnet: netip.MustParsePrefix("203.0.113.0/24")}, 8,
		func(_ context.Context, ips []netip.Addr) ([]Conflict, error) {
			calls++
			if len(ips) != 8 {
				t.Errorf("batch of %d candidates, want 8", len(ips))
			}
			return nil, boom
		})
	if !errors.Is(err, boom) || ip.IsValid() || calls != 1 {
		t.Fatalf("Pick = %v, %v after %d checks; want no address, the check's error, one check", ip, err, calls)
	}
}
