package nsattach

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// nsReader reads the namespaces a scan finds. One that the namespace
// lanattach runs in has an id (nsid) for, every target lanattach attached
// to among them, is read through that id over sockets of the namespace
// lanattach runs in: no socket made in it and no switch into it, which on
// a host with hundreds of containers is most of a scan's cost. The others
// are read through a handle bound to each.
type nsReader struct {
	host    netlinksafe.Handle
	self    netns.NsHandle
	selfIno uint64
	strict  int // address dumps by nsid (strictSocket), -1 until needed
	// links and errs are the link dumps of the namespaces with an id, by
	// nsid (dumpLinks).
	links map[int][]netlink.Link
	errs  map[int]error
	// selfID is the id the namespace lanattach runs in gives itself: what
	// dumps through an nsid name it by in IFLA_LINK_NETNSID. The kernel
	// assigns it on the first dump that needs it, so it is read again
	// until found.
	selfID int
}

// newNSReader opens what a scan needs; close it with close.
func newNSReader() (*nsReader, error) {
	self, err := netns.GetFromPath("/proc/self/ns/net")
	if err != nil {
		return nil, fmt.Errorf("opening the netns lanattach runs in: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(self), &st); err != nil {
		self.Close()
		return nil, fmt.Errorf("stat of the netns lanattach runs in: %w", err)
	}
	host, err := HostHandle()
	if err != nil {
		self.Close()
		return nil, err
	}
	return &nsReader{host: host, self: self, selfIno: st.Ino, strict: -1, selfID: -1}, nil
}

// close releases what newNSReader opened.
func (r *nsReader) close() {
	if r.strict >= 0 {
		unix.Close(r.strict)
	}
	r.host.Close()
	r.self.Close()
}

// nsidOf returns the id the namespace lanattach runs in gives the
// namespace open as fd, -1 if none (or the host itself).
func (r *nsReader) nsidOf(ti TargetInfo, fd netns.NsHandle) int {
	if ti.Inode == r.selfIno {
		return -1
	}
	id, err := r.host.GetNetNsIdByFd(int(fd))
	if err != nil {
		return -1
	}
	return id
}

// openNS is a namespace open as fd, with the id the namespace lanattach
// runs in gives it (-1: none).
type openNS struct {
	ti   TargetInfo
	fd   netns.NsHandle
	nsid int
}

// dumpLinks dumps the links of the namespaces in opened that have an id,
// in parallel (linksByNSIDs), for read.
func (r *nsReader) dumpLinks(opened []openNS) {
	var nsids []int
	for _, o := range opened {
		if o.nsid >= 0 {
			nsids = append(nsids, o.nsid)
		}
	}
	r.links, r.errs = linksByNSIDs(nsids)
}

// read calls fn with the view of the namespace o: through its id, from
// the dump dumpLinks made, or through a handle bound to it.
func (r *nsReader) read(o openNS, fn func(v *nsView) error) error {
	ti, nsid := o.ti, o.nsid
	if nsid < 0 {
		return visit(ti, o.fd, r.self, r.selfIno, fn)
	}
	links, err := r.links[nsid], r.errs[nsid]
	if errors.Is(err, errNSGone) {
		return nil // its id went with it: it holds no link now
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", describe(ti), err)
	}
	if r.selfID < 0 && hasPeerLink(links) {
		if r.selfID, err = r.host.GetNetNsIdByFd(int(r.self)); err != nil {
			return fmt.Errorf("reading the nsid of the netns lanattach runs in: %w", err)
		}
	}
	v := &nsView{Info: ti, Links: links, HostID: r.selfID, dumpAddrs: func() (map[int][]netip.Prefix, error) {
		if r.strict < 0 {
			if r.strict, err = strictSocket(); err != nil {
				return nil, err
			}
		}
		return addrsByNSID(r.strict, nsid)
	}}
	return fn(v)
}

// hasPeerLink reports whether a link sits on a device in another
// namespace.
func hasPeerLink(links []netlink.Link) bool {
	for _, l := range links {
		if l.Attrs().NetNsID >= 0 {
			return true
		}
	}
	return false
}

// handleAddrs returns the address dump of the namespace h is bound to, in
// the form nsView keeps it: addresses other than link-local ones, by link
// index.
func handleAddrs(h netlinksafe.Handle) func() (map[int][]netip.Prefix, error) {
	return func() (map[int][]netip.Prefix, error) {
		dump, err := arpcheck.AddrDump(h)
		out := map[int][]netip.Prefix{}
		for _, a := range dump {
			ip, ok := netip.AddrFromSlice(a.IP)
			if !ok || ip.IsLinkLocalUnicast() {
				continue
			}
			ones, _ := a.Mask.Size()
			out[a.LinkIndex] = append(out[a.LinkIndex], netip.PrefixFrom(ip.Unmap(), ones))
		}
		return out, err
	}
}
