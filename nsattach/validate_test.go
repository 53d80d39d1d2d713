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

// auto gives f --ip auto in 198.51.100.0/24.
func auto(f *Flags) { f.IPs, f.Subnets = []string{"auto"}, []string{"198.51.100.0/24"} }

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
