package nsattach

import (
	"errors"
	"strings"
	"testing"
)

func TestParseHostAccess(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Flags)
		flag   string // "" when it is fine
	}{
		{"off", func(*Flags) {}, ""},
		{"bridge", func(f *Flags) { f.HostAccess = true }, ""},
		{"own addresses", func(f *Flags) {
			f.HostAccess, f.ShimIPs = true, []string{"198.51.100.9/24", "2001:db8::9/64"}
		}, ""},
		{"private", func(f *Flags) { f.HostAccess, f.MacvlanMode = true, "private" }, "--host-access"},
		{"vepa", func(f *Flags) { f.HostAccess, f.MacvlanMode = true, "vepa" }, "--host-access"},
		{"passthru", func(f *Flags) { f.HostAccess, f.MacvlanMode = true, "passthru" }, "--host-access"},
		{"ipvlan", func(f *Flags) { f.HostAccess, f.Mode = true, "ipvlan" }, "--host-access"},
		{"shim-ip alone", func(f *Flags) { f.ShimIPs = []string{"198.51.100.9/24"} }, "--shim-ip"},
		{"two v4", func(f *Flags) {
			f.HostAccess, f.ShimIPs = true, []string{"198.51.100.9/24", "198.51.100.8/24"}
		}, "--shim-ip"},
		{"no prefix", func(f *Flags) { f.HostAccess, f.ShimIPs = true, []string{"198.51.100.9"} }, "--shim-ip"},
		{"link-local", func(f *Flags) { f.HostAccess, f.ShimIPs = true, []string{"fe80::9/64"} }, "--shim-ip"},
		{"mapped", func(f *Flags) { f.HostAccess, f.ShimIPs = true, []string{"::ffff:198.51.100.9/120"} }, "--shim-ip"},
		{"slave's own", func(f *Flags) {
			f.HostAccess, f.IPs, f.ShimIPs = true, []string{"198.51.100.9/24"}, []string{"198.51.100.9/24"}
		}, "--shim-ip"},
	}
	for _, tt := range tests {
		f := base()
		tt.change(&f)
		s, err := Parse(f)
		var in *InputError
		switch {
		case tt.flag == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.flag == "" && s.HostAccess != f.HostAccess:
			t.Errorf("%s: HostAccess %t", tt.name, s.HostAccess)
		case tt.flag != "" && (!errors.As(err, &in) || in.Flag != tt.flag):
			t.Errorf("%s: %v, want bad input naming %s", tt.name, err, tt.flag)
		}
	}
}

func TestParseShim(t *testing.T) {
	tests := []struct {
		f    ShimFlags
		flag string
	}{
		{ShimFlags{Parent: "eth0"}, ""},
		{ShimFlags{Parent: "eth0", Name: "s0", NameSet: true, IPs: []string{"2001:db8::9/64"}}, ""},
		{ShimFlags{Parent: "eth0", Remove: true}, ""},
		{ShimFlags{Parent: ""}, "--parent"},
		{ShimFlags{Parent: "eth0", Name: "a/b", NameSet: true}, "--name"},
		{ShimFlags{Parent: "eth0", Name: "", NameSet: true}, "--name"},
		{ShimFlags{Parent: "eth0", Remove: true, IPs: []string{"198.51.100.9/24"}}, "--shim-ip"},
	}
	for _, tt := range tests {
		_, err := ParseShim(tt.f)
		if tt.flag == "" && err != nil || tt.flag != "" && (err == nil || !strings.Contains(err.Error(), tt.flag)) {
			t.Errorf("ParseShim(%+v) = %v, want error naming %q", tt.f, err, tt.flag)
		}
	}
}

// FuzzParseShimIPs: ParseShimIPs returns addresses or bad input, never
// panics, and never more than one address per family.
func FuzzParseShimIPs(f *testing.F) {
	f.Add("198.51.100.9/24", "2001:db8::9/64")
	f.Add("::ffff:1.2.3.4/120", "fe80::1%lo/64")
	f.Add("", "0.0.0.0/0")
	f.Fuzz(func(t *testing.T, a, b string) {
		ps, err := ParseShimIPs([]string{a, b})
		var in *InputError
		if err != nil && !errors.As(err, &in) {
			t.Fatalf("error %v is not bad input", err)
		}
		if len(ps) == 2 && ps[0].Addr().Is4() == ps[1].Addr().Is4() {
			t.Fatalf("two addresses of a family: %v", ps)
		}
	})
}
