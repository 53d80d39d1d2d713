package doctor

import (
	"errors"
	"fmt"
	"net"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Facts are what the checks judge: read from this host by Gather, or made
// up by tests for situations no sandbox can build.
type Facts struct {
	// Mode is the slave type planned: "macvlan" or "ipvlan".
	Mode string
	// Kernel holds link.Supported's answer per link kind ("macvlan",
	// "ipvlan", "vlan"): nil when the kernel has it.
	Kernel map[string]error
	// Parent describes --parent; nil when none was given.
	Parent *Parent
	// InitNetns says lanattach runs in the init netns, the one network
	// managers manage.
	InitNetns bool
	// Managers are the network managers running: "NetworkManager",
	// "systemd-networkd".
	Managers []string
	// RPFilterAll is net.ipv4.conf.all.rp_filter (-1 unknown).
	RPFilterAll int
	// IPv6All and IPv6Default are net.ipv6.conf.all and .default (which
	// new links, such as the shim, start with).
	IPv6All, IPv6Default IPv6
	// Leftovers are links killed runs left behind; LeftoversErr says why
	// they could not be read.
	Leftovers    []nsattach.Stray
	LeftoversErr error
}

// Parent is what the host says about the parent interface.
type Parent struct {
	// Name is the interface the facts describe: --parent, or the base of
	// a VLAN sub-interface that attach would create (see NewVLAN).
	Name string
	// Found says Name exists in this netns.
	Found bool
	// NewVLAN is the sub-interface (e.g. eth0.50) attach would create.
	NewVLAN     string
	Up, Carrier bool
	MTU         int
	// Kind is the link type: "device", "veth", "bridge", "macvlan"...
	Kind string
	// Lower is the interface a macvlan/ipvlan parent sits on.
	Lower string
	// Master and MasterKind name the bridge, bond, team... Name is a port of.
	Master, MasterKind string
	// Wireless says Name is a Wi-Fi interface.
	Wireless bool
	// Driver is the kernel driver of the NIC ("virtio_net"), "" if none.
	Driver   string
	RPFilter int
	IPv6     IPv6
}

// IPv6 are the IPv6 settings of an interface (or all) that matter to DAD.
type IPv6 struct {
	Known                   bool
	Disabled                bool
	AcceptDAD, DADTransmits int
}

// linkKinds are the link types whose kernel support doctor asks about.
var linkKinds = []string{"macvlan", "ipvlan", "vlan"}

// Gather reads the facts for o from this host, changing nothing.
func Gather(o Options) (Facts, error) {
	h, err := nsattach.HostHandle()
	if err != nil {
		return Facts{}, err
	}
	defer h.Close()
	f := Facts{Mode: o.Mode, Kernel: map[string]error{}}
	for _, k := range linkKinds {
		f.Kernel[k] = link.Supported(h, k)
	}
	if o.Parent != "" {
		if f.Parent, err = gatherParent(h, o.Parent); err != nil {
			return Facts{}, err
		}
	}
	// kthreadd (pid 2) lives in the init netns too, and is readable where
	// init is not.
	f.InitNetns = sameFile("/proc/1/ns/net", "/proc/self/ns/net") || sameFile("/proc/2/ns/net", "/proc/self/ns/net")
	f.Managers = runningManagers("/proc")
	f.RPFilterAll = sysctlInt("ipv4/conf/all/rp_filter")
	f.IPv6All, f.IPv6Default = ipv6Of("all"), ipv6Of("default")
	f.Leftovers, f.LeftoversErr = leftovers()
	return f, nil
}

// gatherParent describes the parent named name: netlink for the link
// itself, sysfs for its driver, procfs for its sysctls.
func gatherParent(h netlinksafe.Handle, name string) (*Parent, error) {
	p, err := link.ParseParent(name, 0)
	if err != nil {
		return nil, err
	}
	l, err := lookup(h, p.Name())
	if err == nil && l == nil && p.VID != 0 {
		l, err = lookup(h, p.Base)
	}
	if err != nil || l == nil {
		return &Parent{Name: name}, err
	}
	a := l.Attrs()
	out := &Parent{Name: a.Name, Found: true, Up: a.Flags&net.FlagUp != 0, Carrier: a.RawFlags&unix.IFF_LOWER_UP != 0,
		MTU: a.MTU, Kind: l.Type(), RPFilter: sysctlInt("ipv4/conf/" + a.Name + "/rp_filter"), IPv6: ipv6Of(a.Name)}
	if a.Name != p.Name() {
		out.NewVLAN = p.Name()
	}
	if _, slave := link.TypeOf(l); slave && a.NetNsID < 0 {
		out.Lower = nameOf(h, a.ParentIndex)
	}
	if a.MasterIndex != 0 {
		if m, err := h.LinkByIndex(a.MasterIndex); err == nil {
			out.Master, out.MasterKind = m.Attrs().Name, m.Type()
		}
	}
	out.Wireless, out.Driver = sysfsFacts("/sys/class/net", a.Name, a.Index)
	return out, nil
}

// lookup returns the link called name, nil when there is none.
func lookup(h netlinksafe.Handle, name string) (netlink.Link, error) {
	l, err := h.LinkByName(name)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", name, err)
	}
	return l, nil
}

// nameOf is the name of the link with index idx, or "index N".
func nameOf(h netlinksafe.Handle, idx int) string {
	if l, err := h.LinkByIndex(idx); err == nil {
		return l.Attrs().Name
	}
	return fmt.Sprintf("index %d", idx)
}
