package link

import (
	"errors"
	"net"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestCheckEthernet(t *testing.T) {
	tests := []struct {
		attrs netlink.LinkAttrs
		ok    bool
	}{
		{netlink.LinkAttrs{Name: "eth0", EncapType: "ether"}, true},
		{netlink.LinkAttrs{Name: "lo", EncapType: "loopback", Flags: net.FlagLoopback}, false},
		{netlink.LinkAttrs{Name: "wg0", EncapType: "none"}, false},
		{netlink.LinkAttrs{Name: "tun0", EncapType: ""}, false},
	}
	for _, tt := range tests {
		err := checkEthernet(&netlink.Device{LinkAttrs: tt.attrs})
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("checkEthernet(%s/%s) = %v, want ok=%v", tt.attrs.Name, tt.attrs.EncapType, err, tt.ok)
		}
	}
}

// FuzzParseParent feeds --parent and --vlan: ParseParent must return a
// parent whose name CheckName accepts, or ErrInvalid, never panic.
func FuzzParseParent(f *testing.F) {
	for _, s := range []string{"eth0", "eth0.50", "br.lan", "eth0.0", "eth0.4095", "", "a/b", "x%d", "lo", "e\x00", "averylongname0.100"} {
		f.Add(s, 0)
		f.Add(s, 50)
	}
	f.Add("eth0", -1)
	f.Add("eth0.50", 51)
	f.Fuzz(func(t *testing.T, parent string, vlan int) {
		p, err := ParseParent(parent, vlan)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseParent(%q, %d): %v is not ErrInvalid", parent, vlan, err)
			}
			return
		}
		if err := CheckName("--parent", p.Name()); err != nil {
			t.Fatalf("ParseParent(%q, %d) = %+v, whose name is bad: %v", parent, vlan, p, err)
		}
	})
}
