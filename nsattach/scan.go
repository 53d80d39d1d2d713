package nsattach

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// TargetInfo identifies a network namespace in output: its inode, the
// lowest pid of a process in it and its `ip netns` name, where known.
type TargetInfo struct {
	PID   int    `json:"pid,omitempty"`
	Name  string `json:"netns,omitempty"`
	Path  string `json:"path"`
	Inode uint64 `json:"inode"`
}

// namespaces finds every network namespace reachable through /run/netns
// and /proc/PID/ns/net, each once, without opening any: a named one by its
// inode (stat), a process's by its link ("net:[INODE]"), so that 2,000
// processes sharing one namespace cost 2,000 readlinks and one open.
func namespaces() []TargetInfo {
	found := map[uint64]*TargetInfo{} // nsfs inodes: one file system holds them all
	add := func(ino uint64, path string, pid int, name string) {
		ti := found[ino]
		if ti == nil {
			ti = &TargetInfo{Path: path, Inode: ino}
			found[ino] = ti
		}
		if name != "" && ti.Name == "" {
			ti.Name, ti.Path = name, path
		}
		if pid != 0 && (ti.PID == 0 || pid < ti.PID) {
			ti.PID = pid
		}
	}
	names, _ := os.ReadDir(NetnsDir)
	for _, e := range names {
		path := filepath.Join(NetnsDir, e.Name())
		var st unix.Stat_t
		if unix.Stat(path, &st) == nil {
			add(st.Ino, path, 0, e.Name())
		}
	}
	for _, p := range procNamespaces(procPIDs()) {
		add(p.ino, "/proc/"+strconv.Itoa(p.pid)+"/ns/net", p.pid, "")
	}
	out := make([]TargetInfo, 0, len(found))
	for _, ti := range found {
		out = append(out, *ti)
	}
	slices.SortFunc(out, func(a, b TargetInfo) int { return cmp.Compare(a.Inode, b.Inode) })
	return out
}

// selfInfo describes the namespace lanattach runs in.
func selfInfo() (TargetInfo, error) {
	var self unix.Stat_t
	if err := unix.Stat(SelfNS, &self); err != nil {
		return TargetInfo{}, fmt.Errorf("stat of the netns lanattach runs in: %w", err)
	}
	return TargetInfo{Path: SelfNS, Inode: self.Ino}, nil
}

// procNS is a process and the inode of its network namespace.
type procNS struct {
	pid int
	ino uint64
}

// procNamespaces reads the network namespace of every process in names
// (the entries of /proc), shared out to one goroutine per CPU: on a host
// with thousands of processes this is the longest part of a scan.
func procNamespaces(names []string) []procNS {
	found := make([]procNS, len(names))
	shareOut(len(names), 256, func(lo, hi int) {
		buf := make([]byte, 64)
		for i, name := range names[lo:hi] {
			if pid, err := strconv.Atoi(name); err == nil {
				if ino, ok := nsInode("/proc/"+name+"/ns/net", buf); ok {
					found[lo+i] = procNS{pid, ino}
				}
			}
		}
	})
	return slices.DeleteFunc(found, func(p procNS) bool { return p.pid == 0 })
}

// procPIDs lists the names in /proc (pids and others).
func procPIDs() []string {
	f, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	return names
}

// nsInode reads the inode of the namespace a /proc/PID/ns/net link names,
// without opening it: the link reads "net:[INODE]".
func nsInode(path string, buf []byte) (uint64, bool) {
	n, err := unix.Readlink(path, buf)
	if err != nil || n < 7 || string(buf[:5]) != "net:[" || buf[n-1] != ']' {
		return 0, false // gone meanwhile, or no access
	}
	ino, err := strconv.ParseUint(string(buf[5:n-1]), 10, 64)
	return ino, err == nil
}

// nsView is one namespace's links.
type nsView struct {
	Info  TargetInfo
	Links []netlink.Link
	// HostID is the id by which links whose lower device is in the
	// namespace lanattach runs in name it (IFLA_LINK_NETNSID), -1 if none.
	HostID int
	// IsHost says this is the namespace lanattach runs in.
	IsHost    bool
	dumpAddrs func() (map[int][]netip.Prefix, error)
	addrs     map[int][]netip.Prefix // by link index, dumped on first use
}

// eachNamespace calls fn for every namespace with its links. Namespaces
// that vanish while being read are skipped.
func eachNamespace(fn func(v *nsView) error) error {
	_, err := eachNamespaceIn(namespaces(), nil, fn)
	return err
}

// eachNamespaceIn is eachNamespace over the namespaces infos (as
// namespaces found them), without those that the record accounts for:
// known maps the inode of a record's target to the id (nsid) that the
// namespace lanattach runs in gives it. Each namespace is opened once, to
// ask for its id, and kept open while it is read (so that its id names it
// throughout); one with a known inode is left to the record when the ids
// match. It returns those it left to the record, by nsid.
func eachNamespaceIn(infos []TargetInfo, known map[uint64]int, fn func(v *nsView) error) (map[int]TargetInfo, error) {
	skipped := map[int]TargetInfo{}
	self, err := netns.GetFromPath(SelfNS)
	if err != nil {
		return skipped, fmt.Errorf("opening the netns lanattach runs in: %w", err)
	}
	defer self.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(self), &st); err != nil {
		return skipped, fmt.Errorf("stat of the netns lanattach runs in: %w", err)
	}
	sc := &scan{self: self, selfIno: st.Ino, hostID: -1, skipped: skipped}
	for len(infos) > 0 {
		batch := infos[:min(len(infos), scanBatch)]
		infos = infos[len(batch):]
		if err := sc.each(readNamespaces(batch, known, st.Ino), fn); err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}

// visit reads the namespace open as fd through a handle bound to it and
// calls fn with its view.
func visit(ti TargetInfo, fd, self netns.NsHandle, selfIno uint64, fn func(v *nsView) error) error {
	h, err := handleAt(fd, ti.Path)
	if err != nil {
		slog.Debug("skipping namespace", "path", ti.Path, "err", err)
		return nil
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		slog.Debug("skipping namespace", "path", ti.Path, "err", err)
		return nil
	}
	v := &nsView{Info: ti, Links: links, HostID: -1, IsHost: ti.Inode == selfIno, dumpAddrs: handleAddrs(h)}
	if !v.IsHost {
		if id, err := h.GetNetNsIdByFd(int(self)); err == nil {
			v.HostID = id
		}
	}
	return fn(v)
}

// hostLower returns the index of l's lower device when that device is in
// the namespace lanattach runs in.
func (v *nsView) hostLower(l netlink.Link) (int, bool) {
	a := l.Attrs()
	if a.ParentIndex == 0 {
		return 0, false
	}
	if v.IsHost {
		return a.ParentIndex, a.NetNsID < 0
	}
	return a.ParentIndex, v.HostID >= 0 && a.NetNsID == v.HostID
}

// addrsOf returns l's addresses other than link-local ones, from one
// address dump of the namespace.
func (v *nsView) addrsOf(l netlink.Link) []netip.Prefix {
	if v.addrs == nil {
		var err error
		if v.addrs, err = v.dumpAddrs(); err != nil {
			slog.Debug("no addresses", "path", v.Info.Path, "err", err)
		}
		if v.addrs == nil {
			v.addrs = map[int][]netip.Prefix{}
		}
	}
	return v.addrs[l.Attrs().Index]
}

// lowersInUse returns the indices of the interfaces of the namespace
// lanattach runs in that some link, in any namespace, sits on.
func lowersInUse() (map[int]bool, error) {
	used := map[int]bool{}
	err := eachNamespace(func(v *nsView) error {
		for _, l := range v.Links {
			if idx, ok := v.hostLower(l); ok {
				used[idx] = true
			}
		}
		return nil
	})
	return used, err
}
