package nsattach

import (
	"fmt"
	"net/netip"

	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// The namespaces that records name are read through their nsid from the
// namespace lanattach runs in: one link dump (made by inspect anyway) and
// one address dump each, over one socket, instead of entering each.

// addrsByNSID returns the addresses other than link-local ones of the
// namespace that nsid names, by link index, asked over d.
func addrsByNSID(d *nsDumper, nsid int) (map[int][]netip.Prefix, error) {
	req := nl.NewNetlinkRequest(unix.RTM_GETADDR, unix.NLM_F_DUMP)
	req.AddData(nl.NewIfAddrmsg(unix.AF_UNSPEC))
	req.AddData(nl.NewRtAttr(unix.IFA_TARGET_NETNSID, nl.Uint32Attr(uint32(nsid))))
	msgs, err := d.dump(req)
	if err != nil {
		return nil, fmt.Errorf("listing addresses of nsid %d: %w", nsid, err)
	}
	out := map[int][]netip.Prefix{}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		msg := nl.DeserializeIfAddrmsg(m.Data)
		attrs, err := nl.ParseRouteAttr(m.Data[unix.SizeofIfAddrmsg:])
		if err != nil {
			return nil, fmt.Errorf("reading addresses of nsid %d: %w", nsid, err)
		}
		var ip netip.Addr
		for _, a := range attrs {
			// IFA_LOCAL is the address itself on point-to-point links.
			if a.Attr.Type == unix.IFA_LOCAL || (a.Attr.Type == unix.IFA_ADDRESS && !ip.IsValid()) {
				ip, _ = netip.AddrFromSlice(a.Value)
			}
		}
		if ip.IsValid() && !ip.Unmap().IsLinkLocalUnicast() {
			out[int(msg.Index)] = append(out[int(msg.Index)], netip.PrefixFrom(ip.Unmap(), int(msg.Prefixlen)))
		}
	}
	return out, nil
}

// strictSocket opens a route netlink socket with strict checking
// (NETLINK_GET_STRICT_CHK): the kernel honours IFA_TARGET_NETNSID only
// there; elsewhere it would answer with the addresses of the caller's own
// namespace.
func strictSocket() (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return -1, fmt.Errorf("opening a route netlink socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("strict netlink checking: %w", err)
	}
	return fd, nil
}

// dumpedAttachments describes the slaves lanattach made off a parent in
// the namespace lanattach runs in (selfID: the id it gives itself) found
// in the link dump of the namespace nsid names, seen as ti; addresses are
// asked over d.
func dumpedAttachments(d *nsDumper, ti TargetInfo, nsid, selfID int, links []netlink.Link) ([]Attachment, error) {
	var out []Attachment
	var addrs map[int][]netip.Prefix
	for _, l := range links {
		a := l.Attrs()
		parent, ok := link.SlaveParent(a.Alias)
		t, isSlave := link.TypeOf(l)
		if !ok || !isSlave || a.ParentIndex == 0 || a.NetNsID != selfID {
			continue // not a slave, or made from another netns
		}
		if addrs == nil {
			var err error
			if addrs, err = addrsByNSID(d, nsid); err != nil {
				return out, err
			}
		}
		at := Attachment{Target: ti, Interface: a.Name, Parent: parent, Type: t,
			MAC: a.HardwareAddr.String(), Addresses: []string{}, State: "ok", Record: link.SlaveID(a.Alias)}
		for _, p := range addrs[a.Index] {
			at.Addresses = append(at.Addresses, p.String())
		}
		out = append(out, at)
	}
	return out, nil
}

// selfNSID returns the id the namespace lanattach runs in gives itself:
// what link dumps through an nsid name it by (-1 if it has none).
func selfNSID() (int, error) {
	self, err := netns.GetFromPath(SelfNS)
	if err != nil {
		return -1, fmt.Errorf("opening the netns lanattach runs in: %w", err)
	}
	defer self.Close()
	h, err := HostHandle()
	if err != nil {
		return -1, err
	}
	defer h.Close()
	id, err := h.GetNetNsIdByFd(int(self))
	if err != nil {
		return -1, fmt.Errorf("reading the nsid of the netns lanattach runs in: %w", err)
	}
	return id, nil
}
