package nsattach

import (
	"cmp"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
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

// nsKey identifies a namespace file: device and inode of nsfs.
type nsKey struct{ dev, ino uint64 }

// namespaces finds every network namespace reachable through /run/netns
// and /proc/PID/ns/net, each once.
func namespaces() []TargetInfo {
	found := map[nsKey]*TargetInfo{}
	add := func(path string, pid int, name string) {
		var st unix.Stat_t
		if unix.Stat(path, &st) != nil {
			return // gone meanwhile, or not a namespace
		}
		k := nsKey{st.Dev, st.Ino}
		ti := found[k]
		if ti == nil {
			ti = &TargetInfo{Path: path, Inode: st.Ino}
			found[k] = ti
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
		add(filepath.Join(NetnsDir, e.Name()), 0, e.Name())
	}
	procs, _ := os.ReadDir("/proc")
	for _, e := range procs {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			add("/proc/"+e.Name()+"/ns/net", pid, "")
		}
	}
	out := make([]TargetInfo, 0, len(found))
	for _, ti := range found {
		out = append(out, *ti)
	}
	slices.SortFunc(out, func(a, b TargetInfo) int { return cmp.Compare(a.Inode, b.Inode) })
	return out
}

// nsView is one namespace's links, read through a handle bound to it.
type nsView struct {
	Info   TargetInfo
	Handle netlinksafe.Handle
	Links  []netlink.Link
	// HostID is the id this namespace gives the namespace lanattach runs
	// in (IFLA_LINK_NETNSID of links whose lower is there), -1 if none.
	HostID int
	// IsHost says this is the namespace lanattach runs in.
	IsHost bool
}

// eachNamespace calls fn for every namespace with its links. Namespaces
// that vanish while being read are skipped.
func eachNamespace(fn func(v *nsView) error) error {
	self := selfInode()
	for _, ti := range namespaces() {
		if err := visit(ti, self, fn); err != nil {
			return err
		}
	}
	return nil
}

// visit opens one namespace and calls fn with its view.
func visit(ti TargetInfo, self uint64, fn func(v *nsView) error) error {
	fd, err := netns.GetFromPath(ti.Path)
	if err != nil {
		slog.Debug("skipping namespace", "path", ti.Path, "err", err)
		return nil
	}
	defer fd.Close()
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
	v := &nsView{Info: ti, Handle: h, Links: links, HostID: -1, IsHost: ti.Inode == self}
	if !v.IsHost {
		if self, err := netns.GetFromPath("/proc/self/ns/net"); err == nil {
			if id, err := h.GetNetNsIdByFd(int(self)); err == nil {
				v.HostID = id
			}
			self.Close()
		}
	}
	return fn(v)
}

// selfInode is the inode of the namespace lanattach runs in.
func selfInode() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/self/ns/net", &st) != nil {
		return 0
	}
	return st.Ino
}

// lowerIsHost reports whether l, seen in v, is a slave whose lower device
// is the interface with index idx in the namespace lanattach runs in.
func (v *nsView) lowerIsHost(l netlink.Link, idx int) bool {
	a := l.Attrs()
	if a.ParentIndex != idx {
		return false
	}
	if v.IsHost {
		return a.NetNsID < 0
	}
	return v.HostID >= 0 && a.NetNsID == v.HostID
}
