package doctor

import (
	"errors"
	"fmt"

	"github.com/lanattach/lanattach/link"
)

// kernelNames are the check names and people's names of the link kinds.
var kernelNames = map[string][2]string{
	"macvlan": {"kernel-macvlan", "macvlan"},
	"ipvlan":  {"kernel-ipvlan", "ipvlan"},
	"vlan":    {"kernel-8021q", "802.1q VLAN"},
}

// kernelChecks judges kernel support for each link kind: missing support
// fails for the kind the plan needs and warns for the others.
func kernelChecks(f Facts) []Check {
	var out []Check
	for _, k := range linkKinds {
		name, what := kernelNames[k][0], kernelNames[k][1]
		err := f.Kernel[k]
		needed := k == f.Mode || (k == "vlan" && f.Parent != nil && f.Parent.NewVLAN != "")
		switch {
		case err == nil:
			out = append(out, ok(name, what+" links supported"))
		case !errors.Is(err, link.ErrNotSupported):
			out = append(out, fail(name, fmt.Sprintf("could not ask the kernel about %s: %v", what, err),
				"run lanattach doctor as root (CAP_NET_ADMIN)"))
		case needed:
			out = append(out, fail(name, err.Error(), "load the module, or use a kernel built with it"))
		default:
			out = append(out, warn(name, err.Error()+"; "+unusable(k), "load the module if you need it"))
		}
	}
	return out
}

// unusable says what does not work without link kind k.
func unusable(k string) string {
	if k == "vlan" {
		return "--parent IFACE.VID and --vlan will not work"
	}
	return "--mode " + k + " will not work"
}

// parentChecks judges the parent: found, state, MTU, stacking, Wi-Fi and
// virtual NIC.
func parentChecks(f Facts) []Check {
	p := f.Parent
	if !p.Found {
		return []Check{fail("parent", "no interface "+p.Name+" in this netns",
			"pick an interface from `ip link` in the netns attach will run in")}
	}
	found := ok("parent", fmt.Sprintf("%s found (%s)", p.Name, p.Kind))
	if p.NewVLAN != "" {
		found.Detail += "; attach will create " + p.NewVLAN + " on it"
	}
	return []Check{found, stateCheck(p), mtuCheck(p), stackCheck(p), wirelessCheck(f), nicCheck(f)}
}

// stateCheck judges whether the parent is up and has carrier.
func stateCheck(p *Parent) Check {
	const name = "parent-state"
	switch {
	case !p.Up:
		return fail(name, p.Name+" is down; attach refuses a parent that is down", "ip link set "+p.Name+" up")
	case !p.Carrier:
		return warn(name, p.Name+" is up but has no carrier: slaves will have no link",
			"plug in the cable or bring the other end up")
	}
	return ok(name, p.Name+" is up with carrier")
}

// minIPv6MTU is the least MTU IPv6 works with.
const minIPv6MTU = 1280

// mtuCheck reports the parent's MTU, which bounds the slaves'.
func mtuCheck(p *Parent) Check {
	if p.MTU < minIPv6MTU {
		return warn("parent-mtu", fmt.Sprintf("%s has MTU %d, below the %d IPv6 needs", p.Name, p.MTU, minIPv6MTU),
			fmt.Sprintf("ip link set %s mtu 1500, if the LAN allows it", p.Name))
	}
	return ok("parent-mtu", fmt.Sprintf("MTU %d; slaves get at most that (--mtu)", p.MTU))
}

// portOf are the masters whose ports cannot carry a macvlan or ipvlan:
// they take every frame of their ports.
var portOf = map[string]bool{"bridge": true, "bond": true, "team": true, "openvswitch": true}

// stackCheck judges what the parent is part of or sits on.
func stackCheck(p *Parent) Check {
	const name = "parent-stack"
	switch {
	case portOf[p.MasterKind]:
		return fail(name, fmt.Sprintf("%s is a port of %s %s, which takes all its frames: the kernel refuses a slave on it",
			p.Name, p.MasterKind, p.Master), "use --parent "+p.Master)
	case p.Master != "":
		return ok(name, fmt.Sprintf("%s is enslaved to %s %s", p.Name, p.MasterKind, p.Master))
	case (p.Kind == "macvlan" || p.Kind == "ipvlan") && p.Lower == "":
		return warn(name, fmt.Sprintf("%s is itself a %s slave of a link in another netns", p.Name, p.Kind),
			"use the interface it sits on as --parent, in its netns")
	case p.Kind == "macvlan" || p.Kind == "ipvlan":
		return warn(name, fmt.Sprintf("%s is itself a %s slave of %s: new slaves sit on %s, beside it",
			p.Name, p.Kind, p.Lower, p.Lower), "use --parent "+p.Lower)
	}
	return ok(name, p.Name+" is no bridge or bond port and no slave")
}

// wirelessCheck judges a Wi-Fi parent.
func wirelessCheck(f Facts) Check {
	p := f.Parent
	switch {
	case !p.Wireless:
		return ok("parent-wireless", p.Name+" is not Wi-Fi")
	case f.Mode == "ipvlan":
		return ok("parent-wireless", p.Name+" is Wi-Fi; ipvlan slaves share its MAC, which the access point knows")
	}
	return fail("parent-wireless", p.Name+" is Wi-Fi: access points drop frames from MACs that did not associate, so macvlan slaves get no traffic",
		"use --mode ipvlan (slaves share the parent's MAC)")
}
