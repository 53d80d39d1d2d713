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

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
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
	addrs  map[int][]netip.Prefix // by link index, dumped on first use
}

// eachNamespace calls fn for every namespace with its links. Namespaces
// that vanish while being read are skipped.
func eachNamespace(fn func(v *nsView) error) error {
	self, err := netns.GetFromPath("/proc/self/ns/net")
	if err != nil {
		return fmt.Errorf("opening the netns lanattach runs in: %w", err)
	}
	defer self.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(self), &st); err != nil {
		return fmt.Errorf("stat of the netns lanattach runs in: %w", err)
	}
	for _, ti := range namespaces() {
		if err := visit(ti, self, st.Ino, fn); err != nil {
			return err
		}
	}
	return nil
}

// visit opens one namespace and calls fn with its view.
func visit(ti TargetInfo, self netns.NsHandle, selfIno uint64, fn func(v *nsView) error) error {
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
	v := &nsView{Info: ti, Handle: h, Links: links, HostID: -1, IsHost: ti.Inode == selfIno}
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
		v.addrs = map[int][]netip.Prefix{}
		dump, err := arpcheck.AddrDump(v.Handle)
		if err != nil {
			slog.Debug("no addresses", "path", v.Info.Path, "err", err)
		}
		for _, a := range dump {
			ip, ok := netip.AddrFromSlice(a.IP)
			if !ok || ip.IsLinkLocalUnicast() {
				continue
			}
			ones, _ := a.Mask.Size()
			v.addrs[a.LinkIndex] = append(v.addrs[a.LinkIndex], netip.PrefixFrom(ip.Unmap(), ones))
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
