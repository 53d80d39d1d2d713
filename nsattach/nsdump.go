package nsattach

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// nsDumper asks for the links and addresses of namespaces through their
// nsid over one strict socket (strictSocket), reading every answer into
// one buffer: the hundreds of dumps of a scan on a busy host leave no
// garbage but what they return (a buffer of 64 KiB per answer would be
// most of an attach's memory and garbage collection there).
type nsDumper struct {
	fd  int
	seq uint32
	buf []byte
}

// newNSDumper opens a dumper; close it with close.
func newNSDumper() (*nsDumper, error) {
	fd, err := strictSocket()
	if err != nil {
		return nil, err
	}
	return &nsDumper{fd: fd, buf: make([]byte, 32<<10)}, nil
}

// close closes the dumper's socket.
func (d *nsDumper) close() { unix.Close(d.fd) }

// dump sends req (a dump request) and returns the messages of its answer.
// Messages of other requests (an answer an earlier failure left unread)
// are passed over.
func (d *nsDumper) dump(req *nl.NetlinkRequest) ([]syscall.NetlinkMessage, error) {
	var out []syscall.NetlinkMessage
	err := d.each(req, func(m syscall.NetlinkMessage) {
		m.Data = append([]byte(nil), m.Data...)
		out = append(out, m)
	})
	return out, err
}

// each sends req (a dump request) and calls fn with each message of its
// answer, which holds only until fn returns (the buffer is read into
// again).
func (d *nsDumper) each(req *nl.NetlinkRequest, fn func(syscall.NetlinkMessage)) error {
	d.seq++
	req.Seq = d.seq
	if err := unix.Sendto(d.fd, req.Serialize(), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	for {
		n, _, err := unix.Recvfrom(d.fd, d.buf, 0)
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(d.buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			switch {
			case m.Header.Seq != d.seq:
			case m.Header.Type == unix.NLMSG_DONE || m.Header.Type == unix.NLMSG_ERROR:
				// Both carry an error number: a dump that fails at
				// its start (an nsid that names nothing) ends in DONE.
				if len(m.Data) >= 4 {
					if e := -int32(nl.NativeEndian().Uint32(m.Data[:4])); e != 0 {
						return syscall.Errno(e)
					}
				}
				return nil
			default:
				fn(m)
			}
		}
	}
}

// selfNS asks links for the namespace lanattach runs in.
const selfNS = -1

// links lists the links of the namespace that nsid names, seen from the
// namespace lanattach runs in (selfNS: of that namespace); errNSGone when
// there is no such namespace any more.
func (d *nsDumper) links(nsid int) ([]netlink.Link, error) {
	req := nl.NewNetlinkRequest(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
	if nsid != selfNS {
		req.AddData(nl.NewRtAttr(unix.IFLA_TARGET_NETNSID, nl.Uint32Attr(uint32(nsid))))
	}
	req.AddData(nl.NewRtAttr(unix.IFLA_EXT_MASK, nl.Uint32Attr(rtextFilterSkipStats)))
	msgs, err := d.dump(req)
	if errors.Is(err, unix.EINVAL) {
		return nil, errNSGone
	}
	if err != nil {
		return nil, fmt.Errorf("listing links of nsid %d: %w", nsid, err)
	}
	out := make([]netlink.Link, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		l, err := netlink.LinkDeserialize(nil, m.Data)
		if err != nil {
			return nil, fmt.Errorf("reading links of nsid %d: %w", nsid, err)
		}
		out = append(out, l)
	}
	return out, nil
}
