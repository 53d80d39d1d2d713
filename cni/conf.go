package cni

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/lanattach/lanattach/nsattach"
)

// NetConf is lanattach's network configuration: the CNI keys plus its own
// (README, "CNI plugin", documents each).
type NetConf struct {
	types.PluginConf
	Master       string     `json:"master"`
	Mode         string     `json:"mode"`
	Submode      string     `json:"submode"`
	IPVlanFlag   string     `json:"ipvlanFlag"`
	MTU          int        `json:"mtu"`
	MAC          string     `json:"mac"`
	Probe        string     `json:"probe"`
	ProbeTimeout string     `json:"probeTimeout"`
	NoAnnounce   bool       `json:"noAnnounce"`
	Addresses    stringList `json:"addresses"`
	Subnet       stringList `json:"subnet"`
	Auto         bool       `json:"auto"`
	Gateways     stringList `json:"gateways"`
	Routes       stringList `json:"routes"`
	// OldAttachments is the GC key libcni also sends (spec erratum).
	OldAttachments []types.GCAttachment `json:"cni.dev/attachments"`
	RuntimeConfig  struct {
		IPs []string `json:"ips"`
		MAC string   `json:"mac"`
	} `json:"runtimeConfig"`
}

// stringList is a JSON string or list of strings.
type stringList []string

// UnmarshalJSON accepts "a" as well as ["a", "b"].
func (l *stringList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	return json.Unmarshal(data, (*[]string)(l))
}

// cniArgs are the CNI_ARGS keys lanattach reads (podman sends IP and MAC).
type cniArgs struct {
	types.CommonArgs
	IP  types.UnmarshallableString
	MAC types.UnmarshallableString
}

// parseConf reads the network configuration and its prevResult.
func parseConf(data []byte) (*NetConf, error) {
	c := &NetConf{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, badConf("decoding the network configuration: %v", err)
	}
	if err := version.ParsePrevResult(&c.PluginConf); err != nil {
		return nil, badConf("prevResult: %v", err)
	}
	if c.Mode == "" {
		c.Mode = "macvlan"
	}
	if c.Submode == "" {
		c.Submode = map[string]string{"ipvlan": "l2"}[c.Mode]
		if c.Submode == "" {
			c.Submode = "bridge"
		}
	}
	return c, nil
}

// flags turns the configuration, the runtime's arguments and the IPAM
// result (nil without IPAM) into the attach flags the CLI would give.
func (c *NetConf) flags(args *skel.CmdArgs, ipam *current.Result) (nsattach.Flags, error) {
	f := nsattach.Flags{Target: nsattach.TargetSpec{Path: args.Netns}, Parent: c.Master, Mode: c.Mode,
		Name: args.IfName, MTU: c.MTU, MAC: c.MAC, Probe: c.Probe, NoAnnounce: c.NoAnnounce,
		Subnets: c.Subnet, Gateways: c.Gateways, Routes: c.Routes}
	if c.Mode == "ipvlan" {
		f.IPVlanMode, f.IPVFlag = c.Submode, c.IPVlanFlag
		if f.IPVFlag == "" {
			f.IPVFlag = "bridge"
		}
	} else {
		f.MacvlanMode = c.Submode
		if c.IPVlanFlag != "" {
			return f, badConf("ipvlanFlag: only for \"mode\": \"ipvlan\"")
		}
	}
	if f.Probe == "" {
		f.Probe = "fast"
	}
	f.ProbeTimeout = 200 * time.Millisecond
	if c.ProbeTimeout != "" {
		d, err := time.ParseDuration(c.ProbeTimeout)
		if err != nil {
			return f, badConf("probeTimeout: %q is not a duration like 200ms", c.ProbeTimeout)
		}
		f.ProbeTimeout = d
	}
	var ca cniArgs
	if err := types.LoadArgs(args.Args, &ca); err != nil {
		return f, badConf("CNI_ARGS: %v", err)
	}
	if m := firstOf(c.RuntimeConfig.MAC, string(ca.MAC)); m != "" {
		f.MAC = m
	}
	if ipam != nil {
		return f, ipamFlags(&f, c, ipam)
	}
	return f, c.ownAddrs(&f, string(ca.IP))
}

// ownAddrs fills the addresses without IPAM: the "ips" capability, else
// CNI_ARGS IP= (on the subnet's prefix length), else "addresses"; "auto"
// picks one per subnet.
func (c *NetConf) ownAddrs(f *nsattach.Flags, argIP string) error {
	f.IPs = append([]string{}, c.Addresses...)
	switch {
	case len(c.RuntimeConfig.IPs) > 0:
		f.IPs = append([]string{}, c.RuntimeConfig.IPs...)
	case argIP != "":
		f.IPs = nil
		for _, s := range strings.Split(argIP, ",") {
			p, err := c.onSubnet(s)
			if err != nil {
				return err
			}
			f.IPs = append(f.IPs, p)
		}
	}
	if c.Auto && len(f.IPs) == 0 {
		f.IPs = []string{"auto"}
	}
	return nil
}

// onSubnet gives a bare address of CNI_ARGS IP= the prefix length of the
// configured subnet that holds it.
func (c *NetConf) onSubnet(s string) (string, error) {
	if strings.Contains(s, "/") {
		return s, nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return "", badConf("CNI_ARGS IP=%s is not an IP address", s)
	}
	for _, sn := range c.Subnet {
		if p, err := netip.ParsePrefix(sn); err == nil && p.Contains(ip) {
			return netip.PrefixFrom(ip, p.Bits()).String(), nil
		}
	}
	return "", badConf("CNI_ARGS IP=%s: no \"subnet\" holds it (its prefix length is needed)", s)
}

// ipamFlags takes the addresses, default routes and routes from the IPAM
// result; a route without a gateway goes via the IPAM gateway of its
// family, if there is one.
func ipamFlags(f *nsattach.Flags, c *NetConf, r *current.Result) error {
	f.IPs, f.Subnets = nil, nil
	if len(c.Addresses) > 0 || c.Auto {
		return badConf("addresses/auto: give either \"ipam\" or lanattach's own addresses, not both")
	}
	for _, ipc := range r.IPs {
		f.IPs = append(f.IPs, ipc.Address.String())
	}
	for _, rt := range r.Routes {
		ones, _ := rt.Dst.Mask.Size()
		if rt.GW == nil { // as the stock plugins: via the gateway of that family
			rt = &types.Route{Dst: rt.Dst, GW: familyGateway(r.IPs, rt.Dst.IP.To4() != nil)}
		}
		switch {
		case ones == 0 && rt.GW != nil:
			f.Gateways = append(f.Gateways, rt.GW.String())
		case rt.GW != nil:
			f.Routes = append(f.Routes, rt.Dst.String()+" via "+rt.GW.String())
		default:
			f.Routes = append(f.Routes, (&net.IPNet{IP: rt.Dst.IP, Mask: rt.Dst.Mask}).String())
		}
	}
	return nil
}

// familyGateway is the first gateway of an IPv4 (v4) or IPv6 address.
func familyGateway(ips []*current.IPConfig, v4 bool) net.IP {
	for _, ipc := range ips {
		if ipc.Gateway != nil && (ipc.Gateway.To4() != nil) == v4 {
			return ipc.Gateway
		}
	}
	return nil
}

// firstOf returns the first non-empty string.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// badConf is a bad configuration error (code 101).
func badConf(format string, args ...any) error {
	return types.NewError(CodeBadConfig, fmt.Sprintf(format, args...), "")
}
