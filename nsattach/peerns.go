package nsattach

import (
	"errors"
	"fmt"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/internal/linkdel"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The namespace lanattach runs in keeps an id (nsid) for each target it
// attached to. The kernel drops the id when the target dies, so links in
// the target can be read by nsid whatever paths lead to it, or none: a
// netns kept alive only by a bind mount elsewhere, or seen from another
// PID namespace. This is how the record is reconciled with the kernel.

// errNSGone says the namespace an nsid named is gone.
var errNSGone = errors.New("network namespace gone")

// targetNSID returns the id the namespace of h gives the namespace open as
// fd, allocating one if it has none.
func targetNSID(h netlinksafe.Handle, fd int) (int, error) {
	id, err := h.GetNetNsIdByFd(fd)
	if err == nil && id >= 0 {
		return id, nil
	}
	if err := h.SetNetNsIdByFd(fd, -1); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, fmt.Errorf("giving the target an nsid: %w", err)
	}
	if id, err = h.GetNetNsIdByFd(fd); err != nil || id < 0 {
		return -1, fmt.Errorf("reading the target's nsid (%d): %v", id, err)
	}
	return id, nil
}

// rtextFilterSkipStats (RTEXT_FILTER_SKIP_STATS, linux/rtnetlink.h) asks
// a link dump to leave out the counters: nothing here reads them, and they
// are most of what the kernel writes and lanattach parses per link.
const rtextFilterSkipStats = 1 << 3

// linksByNSID lists the links of the namespace that nsid names, seen from
// the namespace lanattach runs in, over d (a new dumper when nil);
// errNSGone when there is no such namespace any more.
func linksByNSID(d *nsDumper, nsid int) ([]netlink.Link, error) {
	if d == nil {
		var err error
		if d, err = newNSDumper(); err != nil {
			return nil, err
		}
		defer d.close()
	}
	return d.links(nsid)
}

// linksByNSIDs dumps the links of the namespaces nsids name, as
// linksByNSID, and returns the dumps and the errors by nsid, shared out
// to one goroutine per CPU, each with its own socket.
func linksByNSIDs(nsids []int) (map[int][]netlink.Link, map[int]error) {
	links, errs := make([][]netlink.Link, len(nsids)), make([]error, len(nsids))
	shareOut(len(nsids), 64, func(lo, hi int) {
		d, err := newNSDumper()
		if err != nil {
			for i := lo; i < hi; i++ {
				errs[i] = err
			}
			return
		}
		defer d.close()
		for i := lo; i < hi; i++ {
			links[i], errs[i] = d.links(nsids[i])
		}
	})
	dumps, failed := map[int][]netlink.Link{}, map[int]error{}
	for i, nsid := range nsids {
		if errs[i] != nil {
			failed[nsid] = errs[i]
		} else {
			dumps[nsid] = links[i]
		}
	}
	return dumps, failed
}

// deleteByNSID deletes the link with index ifindex in the namespace nsid
// names. A link or namespace that is gone already is not an error: a
// target that dies between the listing and the delete takes its links
// with it (the kernel frees the namespace and its nsid asynchronously).
func deleteByNSID(nsid, ifindex int) error {
	gone, done := goneByNSID(nsid, ifindex)
	defer done()
	err := linkdel.Delete(linkdel.Request{NSID: nsid, Index: ifindex}, gone)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting link %d in nsid %d: %w", ifindex, nsid, err)
	}
	return nil
}
