package doctor

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// write creates file path under dir with content, making directories.
func write(t *testing.T, dir, path, content string) {
	t.Helper()
	p := filepath.Join(dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunningManagers(t *testing.T) {
	proc := t.TempDir()
	write(t, proc, "1/comm", "systemd\n")
	write(t, proc, "412/comm", "systemd-network\n")
	write(t, proc, "97/comm", "NetworkManager\n")
	write(t, proc, "98/comm", "NetworkManager\n")
	write(t, proc, "self/comm", "NetworkManager\n")
	got := runningManagers(proc)
	if !slices.Equal(got, []string{"NetworkManager", "systemd-networkd"}) {
		t.Errorf("runningManagers = %v", got)
	}
	if got := runningManagers(t.TempDir()); got != nil {
		t.Errorf("runningManagers(empty) = %v", got)
	}
}

func TestSysfsFacts(t *testing.T) {
	sys := t.TempDir()
	write(t, sys, "wlan0/ifindex", "3\n")
	write(t, sys, "wlan0/phy80211/name", "phy0\n")
	write(t, sys, "drivers/virtio_net/x", "")
	write(t, sys, "ens3/ifindex", "2\n")
	write(t, sys, "ens3/device/vendor", "0x1af4\n")
	if err := os.Symlink(filepath.Join(sys, "drivers/virtio_net"), filepath.Join(sys, "ens3/device/driver")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		index    int
		wireless bool
		driver   string
	}{
		{"wlan0", 3, true, ""},
		{"ens3", 2, false, "virtio_net"},
		{"ens3", 7, false, ""}, // another netns's ens3
		{"gone", 4, false, ""},
	}
	for _, tt := range tests {
		w, d := sysfsFacts(sys, tt.name, tt.index)
		if w != tt.wireless || d != tt.driver {
			t.Errorf("sysfsFacts(%s, %d) = %v, %q; want %v, %q", tt.name, tt.index, w, d, tt.wireless, tt.driver)
		}
	}
}
