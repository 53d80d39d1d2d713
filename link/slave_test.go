package link

import (
	"errors"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		kind, mvMode, ipMode, ipFlag string
		want                         Type
		bad                          bool
	}{
		{"macvlan", "bridge", "l2", "bridge", Type{Kind: "macvlan", Mode: "bridge"}, false},
		{"macvlan", "passthru", "", "", Type{Kind: "macvlan", Mode: "passthru"}, false},
		{"ipvlan", "bridge", "l3s", "vepa", Type{Kind: "ipvlan", Mode: "l3s", Flag: "vepa"}, false},
		{"macvlan", "source", "", "", Type{}, true},
		{"ipvlan", "", "l4", "bridge", Type{}, true},
		{"ipvlan", "", "l2", "nope", Type{}, true},
		{"veth", "", "", "", Type{}, true},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.kind, tt.mvMode, tt.ipMode, tt.ipFlag)
		if tt.bad != (err != nil) || (err != nil && !errors.Is(err, ErrInvalid)) || got != tt.want {
			t.Errorf("ParseType(%q,%q,%q,%q) = %+v, %v", tt.kind, tt.mvMode, tt.ipMode, tt.ipFlag, got, err)
		}
	}
}

func TestSlaveRoundTrip(t *testing.T) {
	for _, typ := range []Type{
		{Kind: "macvlan", Mode: "vepa"}, {Kind: "macvlan", Mode: "private"},
		{Kind: "ipvlan", Mode: "l3", Flag: "private"}, {Kind: "ipvlan", Mode: "l2", Flag: "bridge"},
	} {
		l := typ.Slave(SlaveAttrs{Parent: 3, Name: "tmp0", NsFd: 9, Alias: "m", MTU: 1400})
		if a := l.Attrs(); a.ParentIndex != 3 || a.Name != "tmp0" || a.Namespace != netlink.NsFd(9) || a.Alias != "m" || a.MTU != 1400 || a.TxQLen != -1 {
			t.Errorf("%+v: attrs %+v", typ, l.Attrs())
		}
		got, ok := TypeOf(l)
		if !ok || got != typ {
			t.Errorf("TypeOf(Slave(%+v)) = %+v, %v", typ, got, ok)
		}
	}
	if _, ok := TypeOf(&netlink.Veth{}); ok {
		t.Error("TypeOf(veth) reported a slave")
	}
	if !(Type{Kind: "ipvlan", Mode: "l3s"}).NoARP() || (Type{Kind: "ipvlan", Mode: "l2"}).NoARP() {
		t.Error("NoARP wrong")
	}
}
