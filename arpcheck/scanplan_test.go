package arpcheck

import (
	"net/netip"
	"testing"
	"time"
)

func TestScanEstimate(t *testing.T) {
	tests := []struct {
		subnet string
		bw     int64
		want   time.Duration
	}{
		// 254 hosts, 2 passes, 512 bits each at 2 Mbit/s = 256 µs, plus the wait.
		{"198.51.100.0/24", 0, 254*2*256*time.Microsecond + DefaultScanWait},
		{"198.51.100.0/24", 1, 254 * 2 * 512 * time.Second},
		{"203.0.113.8/30", 512, 2*2*time.Second + DefaultScanWait},
	}
	for _, tt := range tests {
		got := ScanConfig{Subnet: netip.MustParsePrefix(tt.subnet), Bandwidth: tt.bw}.Estimate()
		if got < tt.want || got > tt.want+DefaultScanWait {
			t.Errorf("Estimate(%s at %d bit/s) = %v, want about %v", tt.subnet, tt.bw, got, tt.want)
		}
	}
	if d := (ScanConfig{Subnet: netip.MustParsePrefix("198.51.0.0/16")}).Estimate(); d > MaxScanTime {
		t.Errorf("a /16 at the default bandwidth takes %v, more than MaxScanTime %v", d, MaxScanTime)
	}
}

func TestCheckWindow(t *testing.T) {
	for d, ok := range map[time.Duration]bool{
		DefaultWindow: true, MinWindow: true, MaxWindow: true,
		time.Nanosecond: false, MinWindow - 1: false, MaxWindow + 1: false, 1000 * time.Hour: false, 0: false, -time.Second: false,
	} {
		if err := CheckWindow(d); (err == nil) != ok {
			t.Errorf("CheckWindow(%v) = %v, want ok=%v", d, err, ok)
		}
	}
}
