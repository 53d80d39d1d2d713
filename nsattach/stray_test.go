package nsattach

import "testing"

func TestIsTempName(t *testing.T) {
	tests := map[string]bool{
		"lat0123456789": true, "latabcdef0123": true, "las0123456789": true, "lasz123456789": false,
		"lat012345678": false, "lat0123456789a": false, "latxyz0123456": false, "eth1": false, "": false, "lan0123456789": false,
	}
	for name, want := range tests {
		if got := IsTempName(name); got != want {
			t.Errorf("IsTempName(%q) = %v, want %v", name, got, want)
		}
	}
}
