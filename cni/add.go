package cni

import (
	"context"
	"net"
	"net/netip"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/lanattach/lanattach/nsattach"
)

// Keys of the record's Extra that name a CNI attachment; list shows them
// as "cni": {"container_id", "network", "ifname"}.
const (
	keyContainer = "cni.container_id"
	keyNetwork   = "cni.network"
	keyIfname    = "cni.ifname"
)

// add is ADD: addresses from IPAM (or the configuration), then the same
// attach the CLI makes, clash checks first; on failure nothing is left
// and the IPAM allocation is released.
func add(args *skel.CmdArgs) error {
	ctx := context.Background()
	c, err := parseConf(args.StdinData)
	if err != nil {
		return err
	}
	if ip := newIPAM(c, args.StdinData, args); ip != nil {
		return c.addWithIPAM(ctx, args, ip)
	}
	spec, err := c.spec(args, nil)
	if err != nil {
		return cniError(err)
	}
	res, err := nsattach.Attach(ctx, spec)
	if err != nil {
		return cniError(err)
	}
	return c.print(args, spec, res, nil)
}

// addWithIPAM is ADD with addresses from the IPAM plugin, which the
// attach takes from lateIPAM: the plugin runs while the slave is made
// (dhcp: once it is up).
func (c *NetConf) addWithIPAM(ctx context.Context, args *skel.CmdArgs, ip *ipam) error {
	late := newLateIPAM(ctx, c, args, ip)
	spec, err := c.baseSpec(args)
	if err != nil {
		return late.abandon(ctx, cniError(err))
	}
	spec.Late = late
	res, err := nsattach.Attach(ctx, spec)
	if err != nil {
		return late.abandon(ctx, cniError(err))
	}
	return c.print(args, spec, res, late.result())
}

// print writes the CNI result of the attach.
func (c *NetConf) print(args *skel.CmdArgs, spec nsattach.Spec, res *nsattach.Result, ipamRes *current.Result) error {
	out, err := c.result(args, spec, res, ipamRes)
	if err != nil {
		return err
	}
	return types.PrintResult(out, c.CNIVersion)
}

// spec builds the attach request exactly as the CLI does (nsattach.Parse
// of the same flags), with the CNI ids for the record.
func (c *NetConf) spec(args *skel.CmdArgs, ipamRes *current.Result) (nsattach.Spec, error) {
	f, err := c.flags(args, ipamRes)
	if err != nil {
		return nsattach.Spec{}, err
	}
	return c.parse(f, args)
}

// baseSpec is the request of a network with IPAM before the plugin gave
// its addresses: everything but the addresses, gateways and routes.
func (c *NetConf) baseSpec(args *skel.CmdArgs) (nsattach.Spec, error) {
	f, err := c.flags(args, &current.Result{})
	if err != nil {
		return nsattach.Spec{}, err
	}
	f.Gateways, f.Routes = nil, nil
	return c.parse(f, args)
}

// parse is nsattach.Parse of f with the CNI ids for the record.
func (c *NetConf) parse(f nsattach.Flags, args *skel.CmdArgs) (nsattach.Spec, error) {
	spec, err := nsattach.Parse(f)
	if err != nil {
		return spec, err
	}
	spec.Extra = attachmentKeys(args.ContainerID, c.Name, args.IfName)
	return spec, nil
}

// attachmentKeys are the record keys of attachment (id, ifname) of
// network; an empty id or ifname matches any.
func attachmentKeys(id, network, ifname string) map[string]string {
	m := map[string]string{keyNetwork: network}
	if id != "" {
		m[keyContainer] = id
	}
	if ifname != "" {
		m[keyIfname] = ifname
	}
	return m
}

// result is the CNI result: prevResult's interfaces, addresses and routes
// followed by the slave, its addresses (with IPAM's gateways), routes and
// DNS.
func (c *NetConf) result(args *skel.CmdArgs, spec nsattach.Spec, res *nsattach.Result, ipamRes *current.Result) (*current.Result, error) {
	out := &current.Result{CNIVersion: current.ImplementedSpecVersion, DNS: c.DNS}
	if c.PrevResult != nil {
		prev, err := current.NewResultFromResult(c.PrevResult)
		if err != nil {
			return nil, badConf("prevResult: %v", err)
		}
		out = prev
		if out.DNS.IsEmpty() {
			out.DNS = c.DNS
		}
	}
	idx := len(out.Interfaces)
	out.Interfaces = append(out.Interfaces, &current.Interface{Name: res.Interface, Mac: res.MAC, Sandbox: args.Netns})
	for _, a := range res.Addresses {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return nil, err
		}
		out.IPs = append(out.IPs, &current.IPConfig{Interface: current.Int(idx),
			Address: *ipNet(p), Gateway: gatewayFor(p, spec, ipamRes)})
	}
	if ipamRes != nil {
		out.Routes = append(out.Routes, ipamRes.Routes...)
		if !ipamRes.DNS.IsEmpty() {
			out.DNS = ipamRes.DNS
		}
		return out, nil
	}
	for _, gw := range spec.Addrs.Gateways {
		out.Routes = append(out.Routes, &types.Route{Dst: *ipNet(netip.PrefixFrom(zero(gw), 0)), GW: gw.AsSlice()})
	}
	for _, rt := range spec.Addrs.Routes {
		r := &types.Route{Dst: *ipNet(rt.Dst)}
		if !rt.Dst.IsValid() {
			r.Dst = *ipNet(netip.PrefixFrom(zero(rt.Via), 0))
		}
		if rt.Via.IsValid() {
			r.GW = rt.Via.AsSlice()
		}
		out.Routes = append(out.Routes, r)
	}
	return out, nil
}

// gatewayFor is the gateway of address p: IPAM's for it, else the
// configured gateway of its family.
func gatewayFor(p netip.Prefix, spec nsattach.Spec, ipamRes *current.Result) net.IP {
	if ipamRes != nil {
		for _, ipc := range ipamRes.IPs {
			if a, ok := netip.AddrFromSlice(ipc.Address.IP); ok && a.Unmap() == p.Addr() {
				return ipc.Gateway
			}
		}
		return nil
	}
	for _, gw := range spec.Addrs.Gateways {
		if gw.Is4() == p.Addr().Is4() {
			return gw.AsSlice()
		}
	}
	return nil
}

// ipNet converts p (address kept, not masked) to a net.IPNet.
func ipNet(p netip.Prefix) *net.IPNet {
	bits := 128
	if p.Addr().Is4() {
		bits = 32
	}
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}

// zero is the unspecified address of a's family.
func zero(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}
