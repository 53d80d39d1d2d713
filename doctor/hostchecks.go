package doctor

import (
	"fmt"
	"strings"
)

// managerFixes tell how to keep each network manager off lanattach's links.
var managerFixes = map[string]string{
	"NetworkManager": "mark them unmanaged: /etc/NetworkManager/conf.d/90-lanattach.conf with [keyfile] " +
		"unmanaged-devices=driver:macvlan;driver:ipvlan;interface-name:*.* then nmcli general reload",
	"systemd-networkd": "keep every [Match] in /etc/systemd/network off them, or add 10-lanattach.network with " +
		"[Match] Kind=macvlan ipvlan vlan and [Link] Unmanaged=yes, then networkctl reload",
}

// managerCheck warns when a network manager may take over the VLANs and
// shims lanattach makes in this netns.
func managerCheck(f Facts) Check {
	const name = "network-manager"
	switch {
	case !f.InitNetns:
		return ok(name, "lanattach runs outside the init netns, where network managers do not reach")
	case len(f.Managers) == 0:
		return ok(name, "neither NetworkManager nor systemd-networkd runs")
	}
	var fixes []string
	for _, m := range f.Managers {
		fixes = append(fixes, m+": "+managerFixes[m])
	}
	return warn(name, strings.Join(f.Managers, " and ")+" may take over the VLANs and shims lanattach makes here",
		strings.Join(fixes, "; "))
}

// rpFilterCheck warns about strict reverse-path filtering, which drops
// traffic the host-side shim (--host-access) routes asymmetrically. The
// kernel uses the larger of conf/all and conf/PARENT.
func rpFilterCheck(f Facts) Check {
	const name = "rp-filter"
	keys := []string{"all"}
	vals := []int{f.RPFilterAll}
	if f.Parent != nil && f.Parent.Found {
		keys, vals = append(keys, f.Parent.Name), append(vals, f.Parent.RPFilter)
	}
	var strict, sets, all []string
	for i, v := range vals {
		all = append(all, fmt.Sprintf("%s=%d", keys[i], v))
		if v == 1 {
			strict = append(strict, keys[i])
			sets = append(sets, "net.ipv4.conf."+keys[i]+".rp_filter=2")
		}
	}
	if len(strict) == 0 {
		return ok(name, "rp_filter "+strings.Join(all, ", ")+": not strict")
	}
	return warn(name, "strict reverse-path filtering on "+strings.Join(strict, ", ")+
		": the host shim (--host-access) loses replies that arrive on another interface than it routes to",
		"sysctl -w "+strings.Join(sets, " ")+" (loose)")
}

// ipv6Check judges the IPv6 settings of the parent (or of new links) that
// DAD and the shim's IPv6 depend on. The kernel runs DAD when accept_dad
// of all or of the link is at least 1 and the link's dad_transmits is not
// 0.
func ipv6Check(f Facts) Check {
	const name = "ipv6"
	iface, v := "default", f.IPv6Default
	if f.Parent != nil && f.Parent.Found {
		iface, v = f.Parent.Name, f.Parent.IPv6
	}
	key := "net.ipv6.conf." + iface
	accept := max(f.IPv6All.AcceptDAD, v.AcceptDAD)
	switch {
	case !v.Known:
		return ok(name, "no IPv6 in this kernel or netns: only IPv4 addresses can be used")
	case v.Disabled:
		return warn(name, "IPv6 is disabled on "+iface+": IPv6 probes from it and the shim's IPv6 do not work",
			"sysctl -w "+key+".disable_ipv6=0, if you need IPv6")
	case accept < 1 || v.DADTransmits == 0:
		return warn(name, fmt.Sprintf("the kernel runs no DAD on %s (accept_dad=%d, dad_transmits=%d): the shim's IPv6 addresses get no duplicate check",
			iface, accept, v.DADTransmits), "sysctl -w "+key+".accept_dad=1 "+key+".dad_transmits=1")
	}
	return ok(name, fmt.Sprintf("IPv6 on %s with DAD (accept_dad=%d, dad_transmits=%d)", iface, accept, v.DADTransmits))
}
