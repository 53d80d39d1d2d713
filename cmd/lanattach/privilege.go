package main

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// capsNeeded are the capabilities every command but version needs: to
// change links and addresses, to send ARP and NDP probes, and to enter
// (setns) other network namespaces, which list and gc do too.
var capsNeeded = []struct {
	bit  uint
	name string
}{
	{unix.CAP_NET_ADMIN, "CAP_NET_ADMIN"},
	{unix.CAP_NET_RAW, "CAP_NET_RAW"},
	{unix.CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
}

// missingCaps names the capabilities of capsNeeded absent from the
// effective set eff.
func missingCaps(eff uint64) []string {
	var out []string
	for _, c := range capsNeeded {
		if eff&(1<<c.bit) == 0 {
			out = append(out, c.name)
		}
	}
	return out
}

// effectiveCaps reads this process's effective capability set.
func effectiveCaps() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, fmt.Errorf("reading this process's capabilities: %w", err)
	}
	return uint64(data[1].Effective)<<32 | uint64(data[0].Effective), nil
}

// needRoot returns a run-time error (exit 1) when this process lacks a
// capability cmd needs. Commands call it after checking their flags, so
// that bad input is reported as such without root, and before they look
// at the system, so that nothing is half done.
func needRoot(cmd string) error {
	eff, err := effectiveCaps()
	if err != nil {
		return err
	}
	if missing := missingCaps(eff); len(missing) > 0 {
		return fmt.Errorf("%s needs root: this process lacks %s (CAP_NET_ADMIN to change links, CAP_NET_RAW to probe, "+
			"CAP_SYS_ADMIN to enter network namespaces); run it as root", cmd, strings.Join(missing, ", "))
	}
	return nil
}
