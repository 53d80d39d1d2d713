package nsattach

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// base returns valid attach flags to vary.
func base() Flags {
	return Flags{
		Target: TargetSpec{Name: "web"}, Parent: "eth0", Mode: "macvlan", MacvlanMode: "bridge",
		IPVlanMode: "l2", IPVFlag: "bridge", Probe: "fast", ProbeTimeout: 200 * time.Millisecond,
	}
}

func TestParseBadInput(t *testing.T) {
	tests := []struct {
		name, flag string
		mod        func(*Flags)
	}{
		{"no target", "", func(f *Flags) { f.Target = TargetSpec{} }},
		{"two targets", "", func(f *Flags) { f.Target.PID = 1 }},
		{"netns slash", "--netns", func(f *Flags) { f.Target.Name = "a/b" }},
		{"netns dotdot", "--netns", func(f *Flags) { f.Target.Name = ".." }},
		{"negative pid", "--pid", func(f *Flags) { f.Target = TargetSpec{PID: -4} }},
		{"unknown mode", "--mode", func(f *Flags) { f.Mode = "bond" }},
		{"unknown macvlan mode", "--macvlan-mode", func(f *Flags) { f.MacvlanMode = "source" }},
		{"unknown ipvlan mode", "--ipvlan-mode", func(f *Flags) { f.Mode, f.IPVlanMode = "ipvlan", "l9" }},
		{"unknown ipvlan flag", "--ipvlan-flag", func(f *Flags) { f.Mode, f.IPVFlag = "ipvlan", "x" }},
		{"missing parent", "--parent", func(f *Flags) { f.Parent = "" }},
		{"vid 0", "--parent", func(f *Flags) { f.Parent = "eth0.0" }},
		{"vid 4095", "--vlan", func(f *Flags) { f.VLAN = 4095 }},
		{"vlan 0 given", "--vlan", func(f *Flags) { f.VLANSet = true }},
		{"name too long", "--name", func(f *Flags) { f.Name = "abcdefghijklmnop" }},
		{"name with slash", "--name", func(f *Flags) { f.Name = "a/b" }},
		{"bad mac", "--mac", func(f *Flags) { f.MAC = "zz:00" }},
		{"multicast mac", "--mac", func(f *Flags) { f.MAC = "01:00:5e:00:00:01" }},
		{"mac with ipvlan", "--mac", func(f *Flags) { f.Mode, f.MAC = "ipvlan", "02:00:00:00:00:01" }},
		{"bad mtu", "--mtu", func(f *Flags) { f.MTU = 20 }},
		{"bad cidr", "--ip", func(f *Flags) { f.IPs = []string{"198.51.100.300/24"} }},
		{"no prefix", "--ip", func(f *Flags) { f.IPs = []string{"198.51.100.3"} }},
		{"network address", "--ip", func(f *Flags) { f.IPs = []string{"198.51.100.0/24"} }},
		{"broadcast address", "--ip", func(f *Flags) { f.IPs = []string{"198.51.100.255/24"} }},
		{"ip twice", "--ip", func(f *Flags) { f.IPs = []string{"198.51.100.3/24", "198.51.100.3/25"} }},
		{"auto without subnet", "--ip", func(f *Flags) { f.IPs = []string{"auto"} }},
		{"bad subnet", "--subnet", func(f *Flags) { f.IPs, f.Subnets = []string{"auto"}, []string{"nope"} }},
		{"two v4 subnets", "--subnet", func(f *Flags) {
			f.IPs, f.Subnets = []string{"auto"}, []string{"198.51.100.0/24", "203.0.113.0/24"}
		}},
		{"range outside subnet", "--ip-range", func(f *Flags) {
			f.IPs, f.Subnets, f.Ranges = []string{"auto"}, []string{"198.51.100.0/24"}, []string{"203.0.113.0/28"}
		}},
		{"bad exclude", "--exclude", func(f *Flags) {
			f.IPs, f.Subnets, f.Excludes = []string{"auto"}, []string{"198.51.100.0/24"}, []string{"x"}
		}},
		{"gateway family", "--gateway", func(f *Flags) { f.IPs, f.Gateways = []string{"2001:db8::5/64"}, []string{"198.51.100.1"} }},
		{"gateway no ip", "--gateway", func(f *Flags) { f.Gateways = []string{"198.51.100.1"} }},
		{"two v4 gateways", "--gateway", func(f *Flags) {
			f.IPs, f.Gateways = []string{"198.51.100.5/24"}, []string{"198.51.100.1", "198.51.100.2"}
		}},
		{"bad route", "--route", func(f *Flags) { f.IPs, f.Routes = []string{"198.51.100.5/24"}, []string{"203.0.113.0/24 through x"} }},
		{"route default without via", "--route", func(f *Flags) { f.IPs, f.Routes = []string{"198.51.100.5/24"}, []string{"default"} }},
		{"route mixed family", "--route", func(f *Flags) {
			f.IPs, f.Routes = []string{"198.51.100.5/24"}, []string{"203.0.113.0/24 via 2001:db8::1"}
		}},
		{"bad probe mode", "--probe", func(f *Flags) { f.Probe = "slow" }},
		{"zero probe timeout", "--probe-timeout", func(f *Flags) { f.ProbeTimeout = 0 }},
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
			if !errors.As(err, &in) {
				t.Fatalf("Parse: %v, want *InputError", err)
			}
			if tt.flag != "" && !strings.Contains(err.Error(), tt.flag) {
				t.Errorf("error %q does not name %s", err, tt.flag)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

func TestParseGood(t *testing.T) {
	f := base()
	f.Parent, f.Name, f.MTU, f.MAC = "eth0.50", "lan0", 1400, "02:00:5e:10:00:01"
	f.IPs = []string{"198.51.100.50/24", "2001:db8:1::50/64", "auto"}
	f.Subnets, f.Ranges = []string{"203.0.113.0/24", "2001:db8:2::/64"}, []string{"203.0.113.64/26"}
	f.Excludes = []string{"203.0.113.65", "2001:db8:2::1"}
	f.Gateways = []string{"198.51.100.1", "2001:db8:1::1"}
	f.Routes = []string{"203.0.113.0/25 via 198.51.100.1", "203.0.113.128/25", "2001:db8:9::/48 via 2001:db8:1::1"}
	s, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if s.Parent.Base != "eth0" || s.Parent.VID != 50 || s.Name != "lan0" || s.MTU != 1400 || s.MAC.String() != f.MAC {
		t.Errorf("spec %+v", s)
	}
	a := s.Addrs
	if len(a.Static) != 2 || len(a.Auto) != 2 || len(a.Gateways) != 2 || len(a.Routes) != 3 {
		t.Fatalf("addrs %+v", a)
	}
	v4 := a.Auto[0]
	if v4.Range != netip.MustParsePrefix("203.0.113.64/26") || len(v4.Exclude) != 1 || v4.Reserved[0] != netip.MustParseAddr("198.51.100.1") {
		t.Errorf("v4 pool %+v", v4)
	}
	if a.Auto[1].Range.IsValid() || a.Auto[1].Exclude[0] != netip.MustParseAddr("2001:db8:2::1") {
		t.Errorf("v6 pool %+v", a.Auto[1])
	}
	wantRoutes := []string{"203.0.113.0/25 via 198.51.100.1", "203.0.113.128/25", "2001:db8:9::/48 via 2001:db8:1::1"}
	for i, r := range a.Routes {
		if r.String() != wantRoutes[i] {
			t.Errorf("route %d = %q, want %q", i, r, wantRoutes[i])
		}
	}
	if !s.Announce || s.DryRun {
		t.Errorf("announce %v dry-run %v", s.Announce, s.DryRun)
	}
}

func TestTargetSpecPath(t *testing.T) {
	tests := map[TargetSpec]string{
		{PID: 42}:          "/proc/42/ns/net",
		{Name: "web"}:      NetnsDir + "/web",
		{Path: "/x/ns/nt"}: "/x/ns/nt",
	}
	for s, want := range tests {
		if got := s.NSPath(); got != want {
			t.Errorf("%+v.NSPath() = %q, want %q", s, got, want)
		}
	}
}

func TestUndoStackOrder(t *testing.T) {
	var u undoStack
	var got []int
	for i := range 3 {
		u.push("k", "step", func() error { got = append(got, i); return nil })
	}
	u.push("k", "failing", func() error { return errors.New("boom") })
	err := u.run()
	if err == nil || !strings.Contains(err.Error(), "undo failing: boom") {
		t.Errorf("run() = %v", err)
	}
	if len(got) != 3 || got[0] != 2 || got[2] != 0 {
		t.Errorf("undo order %v, want [2 1 0]", got)
	}
}

// TestAddrsLaterNotWithHostAccess: a spec whose addresses come later
// cannot ask for host access (its preflight needs them); refused before
// anything is opened or changed.
func TestAddrsLaterNotWithHostAccess(t *testing.T) {
	_, err := Attach(context.Background(), Spec{HostAccess: true, Late: noAddrs{}})
	if !errors.Is(err, errLaterHostAccess) {
		t.Fatalf("Attach: %v, want %v", err, errLaterHostAccess)
	}
}

// noAddrs is a LateAddrs without addresses.
type noAddrs struct{}

func (noAddrs) Acquire(context.Context) (Flags, error) { return Flags{}, nil }
func (noAddrs) Release(context.Context) error          { return nil }
func (noAddrs) OnLink() bool                           { return false }
