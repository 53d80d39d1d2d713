package nsattach

import (
	"errors"
	"testing"
	"time"
)

func TestParseDynamic(t *testing.T) {
	tests := []struct {
		name, flag string // flag "": valid
		mod        func(*Flags)
		check      func(Spec) bool
	}{
		{"dhcp", "", func(f *Flags) { f.IPs = []string{"dhcp"} },
			func(s Spec) bool { return s.Addrs.DHCP && s.Dynamic.DHCPTimeout == DefaultDynamicTimeout }},
		{"dhcp with IPv6 and a route", "", func(f *Flags) {
			f.IPs, f.Routes = []string{"dhcp", "2001:db8::5/64"}, []string{"203.0.113.0/24 via 198.51.100.1"}
		}, func(s Spec) bool { return s.Addrs.DHCP && len(s.Addrs.Routes) == 1 }},
		{"slaac", "", func(f *Flags) { f.IPs, f.RATimeout = []string{"slaac"}, 3*time.Second },
			func(s Spec) bool { return s.Addrs.SLAAC && s.Dynamic.RATimeout == 3*time.Second }},
		{"stable mac", "", func(f *Flags) { f.IPs, f.MAC, f.MACSeed = []string{"dhcp"}, "stable", "web" },
			func(s Spec) bool { return s.MAC == nil && s.Dynamic.MACSeed == "web" }},
		{"dhcp and static v4", "--ip", func(f *Flags) { f.IPs = []string{"dhcp", "198.51.100.5/24"} }, nil},
		{"dhcp and auto", "--ip", func(f *Flags) { f.IPs, f.Subnets = []string{"dhcp", "auto"}, []string{"198.51.100.0/24"} }, nil},
		{"dhcp twice", "--ip", func(f *Flags) { f.IPs = []string{"dhcp", "dhcp"} }, nil},
		{"dhcp on ipvlan l3", "--ip", func(f *Flags) { f.IPs, f.Mode, f.IPVlanMode = []string{"dhcp"}, "ipvlan", "l3" }, nil},
		{"dhcp and subnet", "--subnet", func(f *Flags) { f.IPs, f.Subnets = []string{"dhcp"}, []string{"198.51.100.0/24"} }, nil},
		{"dhcp and gateway", "--gateway", func(f *Flags) { f.IPs, f.Gateways = []string{"dhcp"}, []string{"198.51.100.1"} }, nil},
		{"dhcp timeout tiny", "--dhcp-timeout", func(f *Flags) { f.IPs, f.DHCPTimeout = []string{"dhcp"}, time.Millisecond }, nil},
		{"ra timeout huge", "--ra-timeout", func(f *Flags) { f.IPs, f.RATimeout = []string{"slaac"}, time.Hour }, nil},
		{"stable without seed", "--mac", func(f *Flags) { f.MAC = "stable" }, nil},
		{"stable on ipvlan", "--mac", func(f *Flags) { f.Mode, f.MAC, f.MACSeed = "ipvlan", "stable", "web" }, nil},
		{"seed without stable", "--mac-seed", func(f *Flags) { f.MACSeed = "web" }, nil},
		{"resolv-conf without dhcp", "--resolv-conf", func(f *Flags) { f.ResolvConf = "/tmp/r" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.mod(&f)
			s, err := Parse(f)
			if tt.flag == "" {
				if err != nil || !tt.check(s) {
					t.Errorf("Parse = %+v, %v", s, err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Flag != tt.flag {
				t.Errorf("Parse error %v, want an InputError naming %s", err, tt.flag)
			}
		})
	}
}
