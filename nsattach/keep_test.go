package nsattach

import "testing"

func TestKeeperArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"/proc/self/exe", "--log-level", "info", KeeperCommand, "--record", "0a"}, true},
		{[]string{"/proc/self/exe", KeeperCommand, "--record", "0a"}, true}, // started by an older lanattach
		{[]string{"/proc/self/exe", KeeperCommand, "--record", "0b"}, false},
		{[]string{"/proc/self/exe", "attach", "--record", "0a"}, false},
		{[]string{KeeperCommand, "--record", "0a"}, false},
		{[]string{"sleep", "0a"}, false},
		{nil, false},
	} {
		if got := keeperArgs(c.args, "0a"); got != c.want {
			t.Errorf("keeperArgs(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
