package doctor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// managerComms maps the command names (/proc/PID/comm, at most 15 bytes)
// of network managers to their names.
var managerComms = map[string]string{
	"NetworkManager":  "NetworkManager",
	"systemd-network": "systemd-networkd",
}

// runningManagers scans proc (normally /proc) for network managers and
// returns their names, each once, in the order of managerComms' values.
func runningManagers(proc string) []string {
	found := map[string]bool{}
	entries, _ := os.ReadDir(proc)
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(proc, e.Name(), "comm"))
		if name, ok := managerComms[strings.TrimSpace(string(comm))]; err == nil && ok {
			found[name] = true
		}
	}
	var out []string
	for _, name := range []string{"NetworkManager", "systemd-networkd"} {
		if found[name] {
			out = append(out, name)
		}
	}
	return out
}

// sysfsFacts reads from sys (normally /sys/class/net) whether the
// interface name is wireless and its driver. It says nothing when the
// sysfs entry belongs to another netns's link (its ifindex differs).
func sysfsFacts(sys, name string, index int) (wireless bool, driver string) {
	dir := filepath.Join(sys, name)
	idx, err := os.ReadFile(filepath.Join(dir, "ifindex"))
	if err != nil || strings.TrimSpace(string(idx)) != strconv.Itoa(index) {
		return false, ""
	}
	wireless = exists(filepath.Join(dir, "wireless")) || exists(filepath.Join(dir, "phy80211"))
	if target, err := os.Readlink(filepath.Join(dir, "device", "driver")); err == nil {
		driver = filepath.Base(target)
	}
	return wireless, driver
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// sameFile reports whether two paths name the same file (namespace).
func sameFile(a, b string) bool {
	var sa, sb unix.Stat_t
	if unix.Stat(a, &sa) != nil || unix.Stat(b, &sb) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// sysctlInt reads /proc/sys/net/key as a number, -1 when unreadable.
func sysctlInt(key string) int {
	b, err := os.ReadFile("/proc/sys/net/" + key)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

// ipv6Of reads the DAD-related IPv6 settings of iface ("all" for all).
func ipv6Of(iface string) IPv6 {
	dis := sysctlInt("ipv6/conf/" + iface + "/disable_ipv6")
	if dis < 0 {
		return IPv6{} // no IPv6 in this kernel or netns
	}
	return IPv6{Known: true, Disabled: dis == 1, AcceptDAD: sysctlInt("ipv6/conf/" + iface + "/accept_dad"),
		DADTransmits: sysctlInt("ipv6/conf/" + iface + "/dad_transmits")}
}
