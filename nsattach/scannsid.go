package nsattach

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// A scan opens each namespace it found once and asks the namespace
// lanattach runs in for its id (nsid). One with an id, every target
// lanattach attached to among them, is read through that id over sockets
// of the namespace lanattach runs in: no socket made in it and no switch
// into it, so that this part is shared out to one goroutine per CPU
// (readNamespaces). The others are read through a handle bound to each,
// one after the other (visit).

// scanBatch is how many namespaces a scan reads before it hands them to
// its caller and closes them: it bounds what a scan holds at once.
const scanBatch = 64

// scan is what eachNamespaceIn keeps across its batches.
type scan struct {
	self    netns.NsHandle
	selfIno uint64
	// hostID is the id the namespace lanattach runs in gives itself, once
	// a dump needed it (hostNSID).
	hostID  int
	skipped map[int]TargetInfo
}

// each calls fn for each namespace of reads (a batch readNamespaces
// read), notes those left to the record, and closes them.
func (sc *scan) each(reads []nsRead, fn func(v *nsView) error) error {
	defer func() {
		for _, r := range reads {
			if r.fd >= 0 {
				r.fd.Close()
			}
		}
	}()
	var err error
	if sc.hostID < 0 {
		if sc.hostID, err = hostNSID(reads); err != nil {
			return err
		}
	}
	for _, r := range reads {
		switch {
		case r.gone():
		case r.known:
			sc.skipped[r.nsid] = r.ti
		case r.nsid < 0 && r.err == nil:
			err = visit(r.ti, r.fd, sc.self, sc.selfIno, fn)
		default:
			var v *nsView
			if v, err = r.view(sc.hostID); err == nil {
				err = fn(v)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// nsRead is one namespace as a scan's worker read it.
type nsRead struct {
	ti   TargetInfo
	fd   netns.NsHandle // open until its batch is handed over; -1: not opened
	nsid int            // -1: none, or the namespace lanattach runs in
	// known: left to the record (its inode and id are a record's).
	known bool
	links []netlink.Link
	// addrs are its addresses by link index, read when a link sits on a
	// device in another namespace (only such a link's are ever asked for).
	addrs map[int][]netip.Prefix
	err   error
}

// readNamespaces opens infos and reads those with an id, shared out to
// one goroutine per CPU. known is as eachNamespaceIn's.
func readNamespaces(infos []TargetInfo, known map[uint64]int, selfIno uint64) []nsRead {
	out := make([]nsRead, len(infos))
	shareOut(len(infos), 32, func(lo, hi int) {
		host, err := HostHandle()
		if err == nil {
			defer host.Close()
		}
		var d *nsDumper
		if err == nil {
			if d, err = newNSDumper(); err == nil {
				defer d.close()
			}
		}
		for i := lo; i < hi; i++ {
			r := &out[i]
			*r = nsRead{ti: infos[i], fd: -1, nsid: -1, err: err}
			if err == nil && r.open(host, selfIno) && !r.leftToRecord(known) {
				r.read(d)
			}
		}
	})
	return out
}

// open opens the namespace and asks for its id; false when it is gone
// (its process exited, its name was deleted) or cannot be opened (an
// error: a namespace left unread could hide a slave).
func (r *nsRead) open(host netlinksafe.Handle, selfIno uint64) bool {
	fd, err := netns.GetFromPath(r.ti.Path)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
		slog.Debug("skipping namespace", "path", r.ti.Path, "err", err)
		return false
	}
	if err != nil {
		r.err = fmt.Errorf("opening %s: %w", r.ti.Path, err)
		return false
	}
	r.fd = fd
	if r.ti.Inode != selfIno {
		if id, err := host.GetNetNsIdByFd(int(fd)); err == nil && id >= 0 {
			r.nsid = id
		}
	}
	return true
}

// leftToRecord reports (and notes) whether the record accounts for the
// namespace.
func (r *nsRead) leftToRecord(known map[uint64]int) bool {
	id, ok := known[r.ti.Inode]
	r.known = ok && r.nsid >= 0 && id == r.nsid
	return r.known
}

// read reads the links of a namespace with an id over d, and its
// addresses when a link sits on a device in another namespace.
func (r *nsRead) read(d *nsDumper) {
	if r.nsid < 0 {
		return
	}
	if r.links, r.err = d.links(r.nsid); r.err != nil || !hasPeerLink(r.links) {
		return
	}
	var err error
	if r.addrs, err = addrsByNSID(d, r.nsid); err != nil {
		slog.Debug("no addresses", "path", r.ti.Path, "err", err)
		r.addrs = map[int][]netip.Prefix{}
	}
}

// view returns the view of a namespace read through its id; hostID is
// the id the namespace lanattach runs in gives itself.
func (r *nsRead) view(hostID int) (*nsView, error) {
	if r.err != nil {
		return nil, fmt.Errorf("reading %s: %w", describe(r.ti), r.err)
	}
	addrs := r.addrs
	if addrs == nil {
		addrs = map[int][]netip.Prefix{} // no link whose addresses are asked for
	}
	return &nsView{Info: r.ti, Links: r.links, HostID: hostID, addrs: addrs}, nil
}

// gone reports whether the namespace went before it could be read.
func (r *nsRead) gone() bool { return errors.Is(r.err, errNSGone) || (r.err == nil && r.fd < 0) }

// hostNSID returns the id the namespace lanattach runs in gives itself,
// when a link read through an id may name it (-1 otherwise). It is read
// after the dumps: the first that needs it assigns it.
func hostNSID(reads []nsRead) (int, error) {
	for _, r := range reads {
		if hasPeerLink(r.links) {
			return selfNSID()
		}
	}
	return -1, nil
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
