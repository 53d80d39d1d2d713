package nsattach

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
)

// withAddrs gives f static addresses of both families.
func withAddrs(f *Flags) { f.IPs = []string{"198.51.100.50/24", "2001:db8:1::50/64"} }

func TestParseRefusesHostileValues(t *testing.T) {
	auto := func(f *Flags) { f.IPs, f.Subnets = []string{"auto"}, []string{"198.51.100.0/24"} }
	tests := []struct {
		name, flag string
		mod        func(*Flags)
	}{
		{"mapped ip /120", "--ip", func(f *Flags) { f.IPs = []string{"::ffff:198.51.100.61/120"} }},
		{"mapped ip /24", "--ip", func(f *Flags) { f.IPs = []string{"::ffff:198.51.100.61/24"} }},
		{"mapped gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"::ffff:198.51.100.1"} }},
		{"zoned gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"fe80::1%eth0"} }},
		{"mapped route dest", "--route", func(f *Flags) { withAddrs(f); f.Routes = []string{"::ffff:203.0.113.0/120"} }},
		{"mapped route via", "--route", func(f *Flags) { withAddrs(f); f.Routes = []string{"203.0.113.0/24 via ::ffff:198.51.100.1"} }},
		{"mapped subnet", "--subnet", func(f *Flags) { auto(f); f.Subnets = []string{"::ffff:198.51.100.0/120"} }},
		{"mapped range", "--ip-range", func(f *Flags) { auto(f); f.Ranges = []string{"::ffff:198.51.100.0/124"} }},
		{"mapped exclude", "--exclude", func(f *Flags) { auto(f); f.Excludes = []string{"::ffff:198.51.100.9"} }},
		{"unspecified gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"0.0.0.0"} }},
		{"unspecified v6 gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"::"} }},
		{"multicast gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"224.0.0.1"} }},
		{"multicast v6 gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"ff02::1"} }},
		{"limited broadcast gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"255.255.255.255"} }},
		{"subnet broadcast gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"198.51.100.255"} }},
		{"network address gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"198.51.100.0"} }},
		{"loopback gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"127.0.0.1"} }},
		{"off-subnet gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"203.0.113.1"} }},
		{"off-subnet v6 gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"2001:db8:2::1"} }},
		{"link-local v4 gateway", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"169.254.0.1"} }},
		{"gateway is own address", "--gateway", func(f *Flags) { withAddrs(f); f.Gateways = []string{"198.51.100.50"} }},
		{"gateway off the auto subnet", "--gateway", func(f *Flags) { auto(f); f.Gateways = []string{"203.0.113.1"} }},
		{"route via unspecified", "--route", func(f *Flags) { withAddrs(f); f.Routes = []string{"203.0.113.0/24 via 0.0.0.0"} }},
		{"route via off-subnet", "--route", func(f *Flags) { withAddrs(f); f.Routes = []string{"203.0.113.0/24 via 203.0.113.1"} }},
		{"route via broadcast", "--route", func(f *Flags) { withAddrs(f); f.Routes = []string{"203.0.113.0/24 via 198.51.100.255"} }},
		{"route via multicast", "--route", func(f *Flags) { withAddrs(f); f.Routes = []string{"2001:db8:9::/48 via ff02::2"} }},
		{"gateway and default route", "--route", func(f *Flags) {
			withAddrs(f)
			f.Gateways, f.Routes = []string{"198.51.100.1"}, []string{"default via 198.51.100.2"}
		}},
		{"gateway and 0/0 route", "--route", func(f *Flags) {
			withAddrs(f)
			f.Gateways, f.Routes = []string{"2001:db8:1::1"}, []string{"::/0 via 2001:db8:1::2"}
		}},
		{"two default routes", "--route", func(f *Flags) {
			withAddrs(f)
			f.Routes = []string{"default via 198.51.100.1", "default via 198.51.100.2"}
		}},
		{"probe timeout 1ns", "--probe-timeout", func(f *Flags) { f.ProbeTimeout = time.Nanosecond }},
		{"probe timeout below minimum", "--probe-timeout", func(f *Flags) { f.ProbeTimeout = 9 * time.Millisecond }},
		{"probe timeout 1000h", "--probe-timeout", func(f *Flags) { f.ProbeTimeout = 1000 * time.Hour }},
		{"negative probe timeout", "--probe-timeout", func(f *Flags) { f.ProbeTimeout = -time.Second }},
		{"name with percent", "--name", func(f *Flags) { f.Name = "x%d" }},
		{"name with newline", "--name", func(f *Flags) { f.Name = "eth\n1" }},
		{"name with escape", "--name", func(f *Flags) { f.Name = "eth\x1b1" }},
		{"name not ASCII", "--name", func(f *Flags) { f.Name = "eth\xff" }},
		{"parent with percent", "--parent", func(f *Flags) { f.Parent = "eth%d" }},
		{"netns with control byte", "--netns", func(f *Flags) { f.Target.Name = "web\x07" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.mod(&f)
			_, err := Parse(f)
			var in *InputError
			if !errors.As(err, &in) || !strings.Contains(err.Error(), tt.flag) {
				t.Fatalf("Parse: %v, want *InputError naming %s", err, tt.flag)
			}
		})
	}
}

func TestParseGoodGateways(t *testing.T) {
	tests := map[string]func(*Flags){
		"v6 link-local gateway": func(f *Flags) { withAddrs(f); f.Gateways = []string{"fe80::1"} },
		"gateway in auto subnet": func(f *Flags) {
			f.IPs, f.Subnets, f.Gateways = []string{"auto"}, []string{"198.51.100.0/24"}, []string{"198.51.100.1"}
		},
		"default route of the other family": func(f *Flags) {
			withAddrs(f)
			f.Gateways, f.Routes = []string{"198.51.100.1"}, []string{"default via 2001:db8:1::1"}
		},
		"probe timeout at the minimum": func(f *Flags) { f.ProbeTimeout = 10 * time.Millisecond },
		"probe timeout at the maximum": func(f *Flags) { f.ProbeTimeout = 10 * time.Second },
	}
	for name, mod := range tests {
		f := base()
		mod(&f)
		if _, err := Parse(f); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestOpenErr(t *testing.T) {
	perm := openErr("--netns-path", "/x", &fs.PathError{Op: "open", Path: "/x", Err: syscall.EACCES})
	var in *InputError
	if errors.As(perm, &in) || !strings.Contains(perm.Error(), "permission denied") || !strings.Contains(perm.Error(), "CAP_SYS_ADMIN") {
		t.Errorf("EACCES: %v, want a permission error that is not bad input", perm)
	}
	notNS := openErr("--netns-path", "/x", ns.NSPathNotNSErr{})
	if !errors.As(notNS, &in) {
		t.Errorf("not a netns: %v, want bad input", notNS)
	}
}

func TestOpenTargetRefusesOwnNetns(t *testing.T) {
	tg, err := OpenTarget(TargetSpec{Path: SelfNS})
	if err == nil {
		tg.Close()
	}
	var in *InputError
	if !errors.As(err, &in) || in.Flag != "--netns-path" || !strings.Contains(err.Error(), "runs in") {
		t.Errorf("OpenTarget(%s) = %v, want bad input naming --netns-path", SelfNS, err)
	}
}

// FuzzParse feeds the value parsers of every attach flag: Parse must
// return a Spec or an error, never panic.
func FuzzParse(f *testing.F) {
	f.Add("198.51.100.50/24", "198.51.100.0/24", "198.51.100.64/26", "198.51.100.1", "203.0.113.0/24 via 198.51.100.1", "eth0.50", "02:00:5e:10:00:01", "eth1", "web")
	f.Add("::ffff:198.51.100.61/120", "::ffff:198.51.100.0/120", "", "0.0.0.0", "default via ::ffff:1.2.3.4", "lo", "", "x%d", "..")
	f.Add("2001:db8:1::50/64", "2001:db8:1::/64", "2001:db8:1::/120", "fe80::1%eth0", "::/0 via fe80::1", "a.4095", "zz", "\x00", "a/b")
	f.Add("auto", "198.51.100.7/31", "198.51.100.6/32", "255.255.255.255", "default", "eth0.0", "01:00:5e:00:00:01", "", "")
	f.Fuzz(func(t *testing.T, ip, subnet, rng, gw, route, parent, mac, name, netns string) {
		fl := base()
		fl.IPs = []string{ip, "auto"}
		fl.Subnets, fl.Ranges, fl.Excludes = []string{subnet}, []string{rng}, []string{gw}
		fl.Gateways, fl.Routes = []string{gw}, []string{route}
		fl.Parent, fl.MAC, fl.Name = parent, mac, name
		if netns != "" {
			fl.Target = TargetSpec{Name: netns}
		}
		s, err := Parse(fl)
		var in *InputError
		if err != nil && !errors.As(err, &in) {
			t.Fatalf("Parse error %v is not bad input", err)
		}
		if err == nil && s.Name != "" && !strings.Contains(name, s.Name) {
			t.Fatalf("name %q became %q", name, s.Name)
		}
	})
}
