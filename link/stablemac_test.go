package link

import (
	"net"
	"testing"
)

func TestStableMAC(t *testing.T) {
	p1, _ := net.ParseMAC("02:00:5e:00:00:01")
	p2, _ := net.ParseMAC("02:00:5e:00:00:02")
	tests := []struct {
		name   string
		a, b   net.HardwareAddr
		sa, sb string
		same   bool
	}{
		{"same parent and seed", p1, p1, "web", "web", true},
		{"other seed", p1, p1, "web", "db", false},
		{"other parent", p1, p2, "web", "web", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := StableMAC(tt.a, tt.sa), StableMAC(tt.b, tt.sb)
			if (a.String() == b.String()) != tt.same {
				t.Errorf("StableMAC: %s and %s, want same=%v", a, b, tt.same)
			}
			for _, m := range []net.HardwareAddr{a, b} {
				if len(m) != 6 || m[0]&1 != 0 || m[0]&2 == 0 {
					t.Errorf("%s is not a locally administered unicast MAC", m)
				}
			}
		})
	}
}
