package main

import (
	"errors"
	"testing"

	"github.com/lanattach/lanattach/nsattach"
)

func TestParseBits(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"256000", 256000}, {"256K", 256000}, {"2M", 2000000}, {"2m", 2000000},
		{"", 0}, {"0", 0}, {"-5", 0}, {"2G", 0}, {"fast", 0}, {"20000M", 0},
	}
	for _, tt := range tests {
		got, err := parseBits(tt.in)
		var in *nsattach.InputError
		if got != tt.want || (tt.want == 0) != errors.As(err, &in) {
			t.Errorf("parseBits(%q) = %d, %v; want %d (bad input when 0)", tt.in, got, err, tt.want)
		}
	}
}

func TestParseScanSubnet(t *testing.T) {
	tests := []struct{ in, want string }{
		{"198.51.100.7/24", "198.51.100.0/24"}, {"198.51.100.7/16", "198.51.0.0/16"}, {"203.0.113.8/30", "203.0.113.8/30"},
		{"10.0.0.0/8", ""}, {"2001:db8::/64", ""}, {"::ffff:198.51.100.0/120", ""}, {"198.51.100.0", ""}, {"x", ""},
	}
	for _, tt := range tests {
		got, err := parseScanSubnet(tt.in)
		if (tt.want == "") != (err != nil) || (err == nil && got.String() != tt.want) {
			t.Errorf("parseScanSubnet(%q) = %v, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAddrs(t *testing.T) {
	got, err := parseAddrs("--ip", []string{"198.51.100.10", "198.51.100.11/24", "2001:db8::1"})
	if err != nil || len(got) != 3 || got[1].String() != "198.51.100.11" {
		t.Fatalf("parseAddrs = %v, %v", got, err)
	}
	for _, bad := range []string{"", "auto", "198.51.100.300", "fe80::1%eth0", "::ffff:198.51.100.1", "::ffff:198.51.100.1/120",
		"198.51.100.1/33", "198.51.100.1/"} {
		if _, err := parseAddrs("--ip", []string{bad}); err == nil {
			t.Errorf("parseAddrs accepted %q", bad)
		}
	}
}

// FuzzScanValues feeds scan's --bandwidth and --subnet and probe's --ip
// parsers: each returns a value or bad input, never panics.
func FuzzScanValues(f *testing.F) {
	for _, s := range []string{"2M", "256K", "1", "0", "-5", "9223372036854775807", "20000M", "",
		"198.51.100.0/24", "::ffff:198.51.100.0/120", "198.51.100.0", "fe80::1%eth0", "2001:db8::1/129", "198.51.100.1/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var in *nsattach.InputError
		if bw, err := parseBits(s); (err == nil) == (bw <= 0) || (err != nil && !errors.As(err, &in)) {
			t.Errorf("parseBits(%q) = %d, %v", s, bw, err)
		}
		if p, err := parseScanSubnet(s); err == nil && (!p.Addr().Is4() || p != p.Masked()) {
			t.Errorf("parseScanSubnet(%q) = %v", s, p)
		} else if err != nil && !errors.As(err, &in) {
			t.Errorf("parseScanSubnet(%q): %v is not bad input", s, err)
		}
		if ips, err := parseAddrs("--ip", []string{s}); err == nil && (len(ips) != 1 || ips[0].Is4In6() || ips[0].Zone() != "") {
			t.Errorf("parseAddrs(%q) = %v", s, ips)
		} else if err != nil && !errors.As(err, &in) {
			t.Errorf("parseAddrs(%q): %v is not bad input", s, err)
		}
	})
}
