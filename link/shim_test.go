package link

import (
	"strings"
	"testing"
)

func TestShimMark(t *testing.T) {
	tests := []struct {
		alias  string
		parent string
		kept   bool
		ok     bool
	}{
		{ShimMark("eth0", false), "eth0", false, true},
		{ShimMark("eth0.50", true), "eth0.50", true, true},
		{"lanattach:shim parent=", "", false, false},
		{"lanattach:vlan", "", false, false},
		{SlaveMark("eth0", "0a"), "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		p, kept, ok := ShimParent(tt.alias)
		if ok != tt.ok || (ok && (p != tt.parent || kept != tt.kept)) {
			t.Errorf("ShimParent(%q) = %q, %t, %t; want %q, %t, %t", tt.alias, p, kept, ok, tt.parent, tt.kept, tt.ok)
		}
	}
}

func TestShimName(t *testing.T) {
	for _, tt := range []struct{ parent, want string }{
		{"eth0", "eth0-shim"},
		{"eth0.50", "eth0.50-shim"},
		{"enp0s31f6.4094", "enp0s31f6-shim"},
		{"abcdefghijklmno", "abcdefghij-shim"},
	} {
		got := ShimName(tt.parent)
		if got != tt.want || len(got) > MaxNameLen || !strings.HasSuffix(got, "-shim") {
			t.Errorf("ShimName(%q) = %q, want %q", tt.parent, got, tt.want)
		}
	}
}
