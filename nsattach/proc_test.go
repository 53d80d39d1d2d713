package nsattach

import (
	"os"
	"testing"
)

func TestParseStart(t *testing.T) {
	for _, tt := range []struct {
		stat string
		want uint64
		bad  bool
	}{
		{stat: "12 (sleep) S 1 12 12 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 1000 10", want: 4242},
		{stat: "12 (a) b) (c) R 1 12 12 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 77 1000 10", want: 77},
		{stat: "12 (sleep) Z 1 12 12 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 1000 10", bad: true},
		{stat: "12 (sleep) S 1 2", bad: true},
		{stat: "garbage", bad: true},
		{stat: "12 (x) S 1 12 12 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 nan 1000 10", bad: true},
	} {
		got, err := parseStart(tt.stat)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("parseStart(%q) = %d, %v; want %d, bad %v", tt.stat, got, err, tt.want, tt.bad)
		}
	}
	if s, err := procStart(os.Getpid()); err != nil || s == 0 {
		t.Errorf("procStart(self) = %d, %v", s, err)
	}
}
