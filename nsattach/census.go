package nsattach

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// A census reads the unicast filters of the links of the namespace
// lanattach runs in (link.UnicastFilters): each macvlan slave that is up,
// in whatever namespace, has its MAC there. When the record and the links
// of this namespace account for every MAC there, no slave lanattach has no
// record of is up on those links, and a scan need not read the other
// namespaces for one: on a host with thousands of processes, that scan is
// most of the time of an attach, list or gc. A filter holding a MAC that
// nothing accounts for sends the caller back to the full scan.

// upKey is a MAC on the unicast filter of the link with index lower.
type upKey struct {
	lower int
	mac   [6]byte
}

// keyOf is the key of mac on the filter of lower; false for a MAC that is
// not 6 bytes long (none such is on a filter).
func keyOf(lower int, mac net.HardwareAddr) (upKey, bool) {
	k := upKey{lower: lower}
	return k, copy(k.mac[:], mac) == 6 && len(mac) == 6
}

// recordKey is the key of the MAC rec names on its parent.
func recordKey(rec ledger.Record) (upKey, bool) {
	mac, err := net.ParseMAC(rec.MAC)
	if err != nil {
		return upKey{}, false
	}
	return keyOf(rec.ParentIndex, mac)
}

// census is what the unicast filters say.
type census struct {
	up map[upKey]bool
	// host are the links of the namespace lanattach runs in, as the
	// census read them.
	host []netlink.Link
	// unexplained are the links whose filter holds a MAC that neither a
	// record on that link nor a link of this namespace on it accounts for.
	unexplained map[int]bool
}

// takeCensus reads the unicast filter of the link with index ifindex (0:
// of every link) of the namespace lanattach runs in, and accounts for it
// with recs and the links of that namespace.
func takeCensus(recs []ledger.Record, ifindex int) (*census, error) {
	c, err := readFilters(ifindex)
	if err != nil {
		return nil, err
	}
	c.account(recs)
	return c, nil
}

// readFilters is the part of a census that asks the kernel: the unicast
// filter of the link with index ifindex (0: of every link) and the links
// of the namespace lanattach runs in. Until account, nothing is explained.
func readFilters(ifindex int) (*census, error) {
	d, err := newNSDumper()
	if err != nil {
		return nil, err
	}
	defer d.close()
	filters := map[upKey]bool{}
	err = d.each(link.UnicastRequest(ifindex), func(m syscall.NetlinkMessage) {
		if idx, mac, ok := link.UnicastEntry(m, ifindex); ok {
			if k, ok := keyOf(idx, mac); ok {
				filters[k] = true
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("listing the unicast filters: %w", err)
	}
	links, err := d.links(selfNS)
	if err != nil {
		return nil, err
	}
	return &census{up: filters, host: links}, nil
}

// account marks the links whose filter holds a MAC that neither recs nor
// the links of the census's namespace account for.
func (c *census) account(recs []ledger.Record) {
	explained := explainedBy(c.host, recs)
	c.unexplained = map[int]bool{}
	for k := range c.up {
		if !explained[k] {
			c.unexplained[k.lower] = true
		}
	}
}

// explainedBy returns the filter entries that links (of the namespace
// lanattach runs in) and recs account for: a VLAN or a shim of this
// namespace on its lower link, and each record's slave on its parent and,
// when the parent is a VLAN or another link of this namespace, on the
// parent's lower link too (a VLAN passes its filter down).
func explainedBy(links []netlink.Link, recs []ledger.Record) map[upKey]bool {
	explained := map[upKey]bool{}
	lowerOf := map[int]int{}
	for _, l := range links {
		if a := l.Attrs(); a.ParentIndex != 0 && a.NetNsID < 0 {
			lowerOf[a.Index] = a.ParentIndex
			if k, ok := keyOf(a.ParentIndex, a.HardwareAddr); ok {
				explained[k] = true
			}
		}
	}
	for _, rec := range recs {
		if k, ok := recordKey(rec); ok {
			explained[k] = true
			if lower, ok := lowerOf[k.lower]; ok {
				explained[upKey{lower, k.mac}] = true
			}
		}
	}
	return explained
}

// isUp reports whether a macvlan slave with the MAC of rec is up on the
// record's parent.
func (c *census) isUp(rec ledger.Record) bool {
	if c == nil || rec.Kind != "macvlan" {
		return false
	}
	k, ok := recordKey(rec)
	return ok && c.up[k]
}

// covers reports whether the census accounts for every slave up on the
// links lowers (none: on every link), so that a scan of them need read no
// other namespace. It logs which, at level debug.
func (c *census) covers(lowers ...int) bool {
	if c == nil {
		slog.Debug("census: none; reading every namespace")
		return false
	}
	for idx := range c.unexplained {
		if len(lowers) == 0 || slices.Contains(lowers, idx) {
			slog.Debug("census: a slave lanattach has no record of is up; reading every namespace", "link", idx)
			return false
		}
	}
	slog.Debug("census: the record accounts for every slave up; reading only the namespace lanattach runs in")
	return true
}

// walk is eachNamespaceIn over the namespaces a scan of the links lowers
// (none: of every link) must read: when the census covers them, only the
// namespace lanattach runs in, from the census's own dump of its links;
// every namespace that namespaces finds otherwise (a nil census included).
func (c *census) walk(known map[uint64]int, fn func(v *nsView) error, lowers ...int) (map[int]TargetInfo, error) {
	if !c.covers(lowers...) {
		return eachNamespaceIn(namespaces(), known, fn)
	}
	self, err := selfInfo()
	if err != nil {
		return nil, err
	}
	return map[int]TargetInfo{}, fn(&nsView{Info: self, Links: c.host, HostID: -1, IsHost: true, dumpAddrs: hostAddrs})
}

// hostAddrs returns the addresses of the namespace lanattach runs in, as
// nsView keeps them.
func hostAddrs() (map[int][]netip.Prefix, error) {
	h, err := HostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	return handleAddrs(h)()
}
