package doctor

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
)

// healthy is a host where every check passes: a physical NIC, up, no
// manager, loose rp_filter, IPv6 with DAD.
func healthy() Facts {
	v6 := IPv6{Known: true, AcceptDAD: 1, DADTransmits: 1}
	return Facts{
		Mode:   "macvlan",
		Kernel: map[string]error{},
		Parent: &Parent{Name: "eth0", Found: true, Up: true, Carrier: true, MTU: 1500, Kind: "device",
			Driver: "igb", RPFilter: 2, IPv6: v6},
		InitNetns: true, RPFilterAll: 0, IPv6All: v6, IPv6Default: v6,
	}
}

// notSupported is link.Supported's answer for a missing kind.
func notSupported(kind string) error {
	return fmt.Errorf("%s: %w (modprobe %s)", kind, link.ErrNotSupported, kind)
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name    string
		change  func(f *Facts)
		check   string
		verdict Verdict
		detail  string // substring of the detail or the fix
	}{
		{"healthy parent", func(*Facts) {}, "parent-stack", OK, "no bridge"},
		{"no ipvlan, macvlan planned", func(f *Facts) { f.Kernel["ipvlan"] = notSupported("ipvlan") }, "kernel-ipvlan", Warn, "--mode ipvlan will not work"},
		{"no ipvlan, ipvlan planned", func(f *Facts) { f.Mode = "ipvlan"; f.Kernel["ipvlan"] = notSupported("ipvlan") }, "kernel-ipvlan", Fail, "modprobe ipvlan"},
		{"no 8021q, no VLAN planned", func(f *Facts) { f.Kernel["vlan"] = notSupported("8021q") }, "kernel-8021q", Warn, "--vlan"},
		{"no 8021q, VLAN to create", func(f *Facts) { f.Kernel["vlan"] = notSupported("8021q"); f.Parent.NewVLAN = "eth0.50" }, "kernel-8021q", Fail, "8021q"},
		{"kernel not asked (no root)", func(f *Facts) { f.Kernel["macvlan"] = errors.New("operation not permitted") }, "kernel-macvlan", Fail, "as root"},
		{"parent missing", func(f *Facts) { f.Parent = &Parent{Name: "eth9"} }, "parent", Fail, "no interface eth9"},
		{"VLAN to create", func(f *Facts) { f.Parent.NewVLAN = "eth0.50" }, "parent", OK, "create eth0.50"},
		{"parent down", func(f *Facts) { f.Parent.Up = false }, "parent-state", Fail, "ip link set eth0 up"},
		{"no carrier", func(f *Facts) { f.Parent.Carrier = false }, "parent-state", Warn, "no carrier"},
		{"small MTU", func(f *Facts) { f.Parent.MTU = 1000 }, "parent-mtu", Warn, "1280"},
		{"MTU", func(*Facts) {}, "parent-mtu", OK, "MTU 1500"},
		{"bridge port", func(f *Facts) { f.Parent.Master, f.Parent.MasterKind = "br0", "bridge" }, "parent-stack", Fail, "--parent br0"},
		{"bond slave", func(f *Facts) { f.Parent.Master, f.Parent.MasterKind = "bond0", "bond" }, "parent-stack", Fail, "--parent bond0"},
		{"vrf port", func(f *Facts) { f.Parent.Master, f.Parent.MasterKind = "blue", "vrf" }, "parent-stack", OK, "vrf blue"},
		{"macvlan on macvlan", func(f *Facts) { f.Parent.Kind, f.Parent.Lower = "macvlan", "eth0" }, "parent-stack", Warn, "--parent eth0"},
		{"slave of another netns's link", func(f *Facts) { f.Parent.Kind = "macvlan" }, "parent-stack", Warn, "in its netns"},
		{"ipvlan parent", func(f *Facts) { f.Parent.Kind, f.Parent.Lower = "ipvlan", "eth1" }, "parent-stack", Warn, "--parent eth1"},
		{"Wi-Fi, macvlan", func(f *Facts) { f.Parent.Wireless = true }, "parent-wireless", Fail, "--mode ipvlan"},
		{"Wi-Fi, ipvlan", func(f *Facts) { f.Parent.Wireless = true; f.Mode = "ipvlan" }, "parent-wireless", OK, "share"},
		{"virtio", func(f *Facts) { f.Parent.Driver = "virtio_net" }, "parent-nic", Warn, "trustGuestRxFilters"},
		{"vmxnet3", func(f *Facts) { f.Parent.Driver = "vmxnet3" }, "parent-nic", Warn, "Forged transmits"},
		{"hyper-v", func(f *Facts) { f.Parent.Driver = "hv_netvsc" }, "parent-nic", Warn, "MacAddressSpoofing"},
		{"ena, macvlan", func(f *Facts) { f.Parent.Driver = "ena" }, "parent-nic", Fail, "secondary private IPs"},
		{"gve, macvlan", func(f *Facts) { f.Parent.Driver = "gve" }, "parent-nic", Fail, "alias IP"},
		{"ena, ipvlan", func(f *Facts) { f.Parent.Driver = "ena"; f.Mode = "ipvlan" }, "parent-nic", OK, "ipvlan"},
		{"veth", func(f *Facts) { f.Parent.Driver, f.Parent.Kind = "", "veth" }, "parent-nic", OK, "veth"},
		{"NetworkManager", func(f *Facts) { f.Managers = []string{"NetworkManager"} }, "network-manager", Warn, "unmanaged-devices"},
		{"networkd", func(f *Facts) { f.Managers = []string{"systemd-networkd"} }, "network-manager", Warn, "Unmanaged=yes"},
		{"manager, other netns", func(f *Facts) { f.Managers = []string{"NetworkManager"}; f.InitNetns = false }, "network-manager", OK, "outside"},
		{"strict rp_filter all", func(f *Facts) { f.RPFilterAll = 1 }, "rp-filter", Warn, "net.ipv4.conf.all.rp_filter=2"},
		{"strict rp_filter parent", func(f *Facts) { f.Parent.RPFilter = 1 }, "rp-filter", Warn, "net.ipv4.conf.eth0.rp_filter=2"},
		{"loose rp_filter", func(*Facts) {}, "rp-filter", OK, "all=0, eth0=2"},
		{"IPv6 disabled", func(f *Facts) { f.Parent.IPv6.Disabled = true }, "ipv6", Warn, "disable_ipv6=0"},
		{"no DAD", func(f *Facts) { f.Parent.IPv6.DADTransmits = 0 }, "ipv6", Warn, "dad_transmits=1"},
		{"no IPv6 at all", func(f *Facts) { f.Parent.IPv6 = IPv6{} }, "ipv6", OK, "only IPv4"},
		{"host only IPv6", func(f *Facts) { f.Parent = nil }, "ipv6", OK, "IPv6 on default"},
		{"DAD on through all", func(f *Facts) { f.Parent.IPv6.AcceptDAD = 0 }, "ipv6", OK, "accept_dad=1"},
		{"no DAD anywhere", func(f *Facts) { f.Parent.IPv6.AcceptDAD, f.IPv6All.AcceptDAD = -1, 0 }, "ipv6", Warn, "accept_dad=1"},
		{"stray slave in netns", func(f *Facts) {
			f.Leftovers = []nsattach.Stray{{Target: nsattach.TargetInfo{Name: "web"}, Interface: "lat0123456789"}}
		}, "leftovers", Warn, "ip -n web link del lat0123456789"},
		{"stray slave in pid", func(f *Facts) {
			f.Leftovers = []nsattach.Stray{{Target: nsattach.TargetInfo{PID: 42}, Interface: "latabcdefabcd"}}
		}, "leftovers", Warn, "nsenter -t 42 -n ip link del latabcdefabcd"},
		{"interrupted attach in the record", func(f *Facts) {
			f.Leftovers = []nsattach.Stray{{Target: nsattach.TargetInfo{Name: "web"}, Interface: "eth1", Record: "0a1b", State: "leftover"}}
		}, "leftovers", Warn, "lanattach gc"},
		{"unused VLAN", func(f *Facts) { f.Leftovers = []nsattach.Stray{{Interface: "eth0.50", VLAN: true}} }, "leftovers", Warn, "lanattach gc"},
		{"leftovers unreadable", func(f *Facts) { f.LeftoversErr = errors.New("permission denied") }, "leftovers", Warn, "root"},
		{"no leftovers", func(*Facts) {}, "leftovers", OK, "no leftovers"},
	}
	for _, tt := range tests {
		f := healthy()
		tt.change(&f)
		cs := Judge(f)
		c, found := find(cs, tt.check)
		if !found {
			t.Errorf("%s: no check %q in %+v", tt.name, tt.check, cs)
			continue
		}
		if c.Verdict != tt.verdict || !strings.Contains(c.Detail+" | "+c.Fix, tt.detail) {
			t.Errorf("%s: %+v; want %s mentioning %q", tt.name, c, tt.verdict, tt.detail)
		}
		if (c.Verdict == OK) != (c.Fix == "") {
			t.Errorf("%s: %+v: a fix belongs to warn and fail only, and each of them needs one", tt.name, c)
		}
		if (len(Failed(cs)) > 0) != (tt.verdict == Fail) {
			t.Errorf("%s: Failed = %v with %+v", tt.name, Failed(cs), cs)
		}
	}
}

// find returns the check called name.
func find(cs []Check, name string) (Check, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func TestJudgeNames(t *testing.T) {
	f := healthy()
	withParent := Judge(f)
	f.Parent = nil
	hostOnly := Judge(f)
	if len(withParent) != 13 || len(hostOnly) != 7 {
		t.Errorf("got %d checks with a parent and %d without; want 13 and 7", len(withParent), len(hostOnly))
	}
	seen := map[string]bool{}
	for _, c := range withParent {
		if seen[c.Name] {
			t.Errorf("check %q twice", c.Name)
		}
		seen[c.Name] = true
	}
	missing := Judge(Facts{Mode: "macvlan", Parent: &Parent{Name: "eth9"}})
	if _, ok := find(missing, "parent-state"); ok {
		t.Errorf("a missing parent still got state checks: %+v", missing)
	}
}
