package link

import (
	"errors"
	"testing"
)

func TestParseParent(t *testing.T) {
	tests := []struct {
		parent string
		vlan   int
		want   Parent
		bad    bool
	}{
		{parent: "eth0", want: Parent{Base: "eth0"}},
		{parent: "eth0.50", want: Parent{Base: "eth0", VID: 50}},
		{parent: "eth0", vlan: 50, want: Parent{Base: "eth0", VID: 50}},
		{parent: "eth0.50", vlan: 50, want: Parent{Base: "eth0", VID: 50}},
		{parent: "br.lan", want: Parent{Base: "br.lan"}},
		{parent: "eth0.4094", want: Parent{Base: "eth0", VID: 4094}},
		{parent: "eth0.0", bad: true},
		{parent: "eth0.4095", bad: true},
		{parent: "eth0", vlan: 4095, bad: true},
		{parent: "eth0", vlan: -1, bad: true},
		{parent: "eth0.50", vlan: 51, bad: true},
		{parent: "", bad: true},
		{parent: "averylongname0", vlan: 100, bad: true}, // averylongname0.100 is 18 bytes
		{parent: "a/b", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseParent(tt.parent, tt.vlan)
		if tt.bad {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseParent(%q, %d) = %v, %v; want ErrInvalid", tt.parent, tt.vlan, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseParent(%q, %d) = %+v, %v; want %+v", tt.parent, tt.vlan, got, err, tt.want)
		}
	}
}

func TestParentName(t *testing.T) {
	for p, want := range map[Parent]string{{Base: "eth0"}: "eth0", {Base: "eth0", VID: 7}: "eth0.7"} {
		if got := p.Name(); got != want {
			t.Errorf("%+v.Name() = %q, want %q", p, got, want)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := map[string]bool{
		"eth1": true, "a": true, "123456789012345": true,
		"1234567890123456": false, "": false, ".": false, "..": false,
		"a/b": false, "a:b": false, "a b": false,
		"x%d": false, "eth\n1": false, "eth\x1b1": false, "eth\x7f": false, "eth\xff": false, "\teth": false,
	}
	for name, ok := range tests {
		err := CheckName("--name", name)
		if (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestMarks(t *testing.T) {
	p, ok := SlaveParent(SlaveMark("eth0.50", "0a1b"))
	if !ok || p != "eth0.50" || SlaveID(SlaveMark("eth0.50", "0a1b")) != "0a1b" {
		t.Errorf("SlaveParent(SlaveMark) = %q, %v; id %q", p, ok, SlaveID(SlaveMark("eth0.50", "0a1b")))
	}
	if p, ok := SlaveParent("lanattach:slave parent=eth0"); !ok || p != "eth0" || SlaveID("lanattach:slave parent=eth0") != "" {
		t.Errorf("a mark without id: parent %q, %v", p, ok)
	}
	for _, alias := range []string{"", "lanattach:vlan", "lanattach:slave parent=", "lanattach:slave parent= id=0a", "docker"} {
		if _, ok := SlaveParent(alias); ok || SlaveID(alias) != "" {
			t.Errorf("SlaveParent(%q) marked, want not", alias)
		}
	}
	if !IsVLANMark(MarkVLAN) || IsVLANMark("x") {
		t.Error("IsVLANMark wrong")
	}
}
