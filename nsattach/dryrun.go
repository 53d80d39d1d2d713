package nsattach

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
)

// DryRun checks spec like Attach does before its first change and returns
// the plan as equivalent ip(8) commands, changing nothing.
func DryRun(spec Spec) ([]string, error) {
	r := &attachRun{spec: spec}
	defer r.close()
	if err := r.preflight(); err != nil {
		return nil, err
	}
	if r.spec.Probe.Mode == arpcheck.ModeOff { // else the preflight made it
		if err := r.checkStatic(); err != nil { // the claim's sibling check
			return nil, err
		}
	}
	return r.plan(), nil
}

// plan renders the changes Attach would make.
func (r *attachRun) plan() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	p := r.spec.Parent.Name()
	if r.parent.Link == nil {
		add("ip link add link %s name %s alias %s type vlan id %d", r.spec.Parent.Base, p, link.MarkVLAN, r.spec.Parent.VID)
		add("ip link set %s up", p)
	}
	tmp := "lanattach-tmp"
	opts := ""
	if r.spec.MAC != nil {
		opts += " address " + r.spec.MAC.String()
	}
	if r.spec.Dynamic.MACSeed != "" && r.parent.Link != nil {
		opts += " address " + link.StableMAC(r.parent.Link.Attrs().HardwareAddr, r.spec.Dynamic.MACSeed).String()
	}
	if r.spec.MTU != 0 {
		opts += fmt.Sprintf(" mtu %d", r.spec.MTU)
	}
	add("ip link add link %s name %s netns %s%s alias %q type %s", p, tmp, r.netnsArg(), opts,
		link.SlaveMark(p, "RECORD-ID"), r.typeArgs())
	in := r.inTarget()
	add("%s link set %s name %s", in, tmp, r.name)
	add("%s sysctl -qw net.ipv4.conf.%s.arp_notify=1 net.ipv6.conf.%s.ndisc_notify=1", r.nsenter(), r.name, r.name)
	out = append(out, r.planRA())
	if !r.kernelAnnounces() {
		add("%s link set %s up", in, r.name)
	}
	out = append(out, r.planAddrs(in)...)
	if r.loIsDown() {
		add("%s link set lo up", in)
	}
	return append(out, r.planShim()...)
}

// loIsDown says whether the target's lo is down (attach brings it up last).
// A target the preflight could not read counts as down.
func (r *attachRun) loIsDown() bool {
	if r.th.Handle == nil {
		return true
	}
	lo, err := r.th.LinkByName("lo")
	return err != nil || lo.Attrs().Flags&net.FlagUp == 0
}

// planAddrs renders the probe, addresses, routes and announcement.
func (r *attachRun) planAddrs(in string) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	a := r.spec.Addrs
	for _, p := range a.Static {
		mode := r.spec.Probe.Mode
		switch {
		case mode == arpcheck.ModeOff:
		case p.Addr().Is4():
			add("# probe (%s): arping -D -I %s %s", mode, r.name, p.Addr())
		case mode == arpcheck.ModeFast:
			add("# probe (%s): IPv6 DAD, a Neighbor Solicitation from :: for %s", mode, p.Addr())
		}
		add("%s addr add %s dev %s%s", in, p, r.name, r.nodad(p.Addr()))
	}
	for _, pool := range a.Auto {
		rng := pool.Range
		if !rng.IsValid() {
			rng = pool.Subnet
		}
		add("# --ip auto: the lowest free address of %s, checked against the host and the LAN", rng)
		add("%s addr add <auto>/%d dev %s%s", in, pool.Subnet.Bits(), r.name, r.nodad(pool.Subnet.Addr()))
	}
	out = append(out, r.planDynamic()...)
	if r.kernelAnnounces() {
		add("%s link set %s up    # with its addresses: the kernel announces them (arp_notify)", in, r.name)
	}
	for _, gw := range a.Gateways {
		add("%s route add default via %s dev %s", in, gw, r.name)
	}
	for _, rt := range a.Routes {
		add("%s route add %s dev %s", in, rt, r.name)
	}
	switch {
	case r.kernelAnnounces():
		add("%s link set %s address MAC    # its own MAC again: the kernel announces once more", in, r.name)
	case r.spec.Announce:
		add("# announce: arping -U -c 2 -I %s ADDR for each IPv4 address", r.name)
	}
	return out
}

// typeArgs renders the slave type for `ip link add`.
func (r *attachRun) typeArgs() string {
	t := r.spec.Type
	if t.Kind == "ipvlan" {
		return "ipvlan mode " + t.Mode + " " + t.Flag
	}
	return "macvlan mode " + t.Mode
}

// netnsArg is the target as `ip link add ... netns` takes it.
func (r *attachRun) netnsArg() string {
	s := r.spec.Target
	switch {
	case s.PID != 0:
		return strconv.Itoa(s.PID)
	case s.Name != "":
		return s.Name
	default:
		return s.Path // ip(8) wants a pid or name; lanattach passes an fd
	}
}

// inTarget is the prefix of an ip(8) command run in the target.
func (r *attachRun) inTarget() string {
	if r.spec.Target.Name != "" {
		return "ip -n " + r.spec.Target.Name
	}
	return r.nsenter() + " ip"
}

// nsenter is the prefix of a command run in the target.
func (r *attachRun) nsenter() string {
	return "nsenter --net=" + r.spec.Target.NSPath()
}

// nodad is " nodad" for an IPv6 address added without the kernel's DAD
// (see addrFlags; in rfc mode the plan assumes the kernel runs it), else "".
func (r *attachRun) nodad(ip netip.Addr) string {
	if ip.Is6() && r.spec.Probe.Mode != arpcheck.ModeRFC {
		return " nodad"
	}
	return ""
}
