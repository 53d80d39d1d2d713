package nsattach

import (
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/internal/linkdel"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// The deletes of detach, gc and CNI DEL go through linkdel: each returns
// once the link has left its namespace's table, not after the grace
// period the kernel then waits for. Rollbacks delete in place.

// deleteInTarget deletes link l of target t, whose handle is th.
func deleteInTarget(t *Target, th netlinksafe.Handle, l netlink.Link) error {
	fd, err := unix.Dup(int(t.NS.Fd()))
	if err != nil {
		return fmt.Errorf("deleting %s in %s: %w", l.Attrs().Name, t, err)
	}
	f := os.NewFile(uintptr(fd), t.String())
	defer f.Close()
	r := linkdel.Request{NS: f, NSID: -1, Index: l.Attrs().Index}
	return linkdel.Delete(r, goneFrom(th, r.Index))
}

// deleteHere deletes link l of the namespace lanattach runs in, whose
// handle is h.
func deleteHere(h netlinksafe.Handle, l netlink.Link) error {
	r := linkdel.Request{NSID: -1, Index: l.Attrs().Index}
	return linkdel.Delete(r, goneFrom(h, r.Index))
}

// goneFrom reports whether the link with index ifindex has left the
// namespace of h.
func goneFrom(h netlinksafe.Handle, ifindex int) func() (bool, error) {
	return func() (bool, error) {
		_, err := h.LinkByIndex(ifindex)
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return true, nil
		}
		return false, err
	}
}

// goneByNSID reports whether the link with index ifindex has left the
// namespace nsid names, or that namespace is gone. Its looks share one
// netlink socket, which done closes (a socket per look when none opens).
func goneByNSID(nsid, ifindex int) (gone func() (bool, error), done func()) {
	var socks map[int]*nl.SocketHandle
	s, err := nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_ROUTE)
	if err == nil {
		socks = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}
	}
	gone = func() (bool, error) {
		req := nl.NewNetlinkRequest(unix.RTM_GETLINK, 0)
		req.Sockets = socks
		msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
		msg.Index = int32(ifindex)
		req.AddData(msg)
		req.AddData(nl.NewRtAttr(unix.IFLA_TARGET_NETNSID, nl.Uint32Attr(uint32(nsid))))
		req.AddData(nl.NewRtAttr(unix.IFLA_EXT_MASK, nl.Uint32Attr(rtextFilterSkipStats)))
		_, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
		if errors.Is(err, unix.ENODEV) || errors.Is(err, unix.EINVAL) {
			return true, nil
		}
		return false, err
	}
	return gone, func() {
		if s != nil {
			s.Close()
		}
	}
}
