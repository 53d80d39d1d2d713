package main

import (
	"os"
	"slices"
	"strconv"

	"github.com/lanattach/lanattach/nsattach"
	"golang.org/x/sys/unix"
)

// systemValues are the host lookups the completion uses for flag values.
func systemValues() map[string]func() []string {
	return map[string]func() []string{"parent": interfaceNames, "netns": netnsNames, "pid": containerPIDs}
}

// interfaceNames are the interfaces of the netns lanattach runs in.
func interfaceNames() []string {
	h, err := nsattach.HostHandle()
	if err != nil {
		return nil
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(links))
	for _, l := range links {
		out = append(out, l.Attrs().Name)
	}
	return out
}

// netnsNames are the named network namespaces (ip netns).
func netnsNames() []string {
	entries, _ := os.ReadDir(nsattach.NetnsDir)
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// containerPIDs are the pids of processes in a network namespace other
// than the host's (init's, or kthreadd's where init's is unreadable) and
// lanattach's own, the lowest pid of each namespace.
func containerPIDs() []string {
	return lowestPIDs("/proc", []string{"/proc/1/ns/net", "/proc/2/ns/net", "/proc/self/ns/net"})
}

// lowestPIDs scans proc for the lowest pid per network namespace, leaving
// out the namespaces of the files in skip, in ascending order.
func lowestPIDs(proc string, skip []string) []string {
	type key struct{ dev, ino uint64 }
	skipped := map[key]bool{}
	for _, p := range skip {
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil {
			skipped[key{st.Dev, st.Ino}] = true
		}
	}
	lowest := map[key]int{}
	entries, _ := os.ReadDir(proc)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		var st unix.Stat_t
		if err != nil || unix.Stat(proc+"/"+e.Name()+"/ns/net", &st) != nil {
			continue
		}
		k := key{st.Dev, st.Ino}
		if old, seen := lowest[k]; !skipped[k] && (!seen || pid < old) {
			lowest[k] = pid
		}
	}
	pids := make([]int, 0, len(lowest))
	for _, p := range lowest {
		pids = append(pids, p)
	}
	slices.Sort(pids)
	out := make([]string, len(pids))
	for i, p := range pids {
		out[i] = strconv.Itoa(p)
	}
	return out
}
