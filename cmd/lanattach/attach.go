package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// attachFlags are the flags of `lanattach attach`, as in the contract.
func attachFlags() []cli.Flag {
	return append(targetFlags(),
		&cli.StringFlag{Name: "parent", Usage: "parent `IFACE` in this netns; IFACE.VID makes the 802.1q sub-interface if missing"},
		&cli.IntFlag{Name: "vlan", Usage: "same as --parent IFACE.`VID` (1-4094)"},
		&cli.StringFlag{Name: "mode", Value: "macvlan", Usage: "slave type: macvlan or ipvlan"},
		&cli.StringFlag{Name: "macvlan-mode", Value: "bridge", Usage: "bridge, vepa, private or passthru"},
		&cli.StringFlag{Name: "ipvlan-mode", Value: "l2", Usage: "l2, l3 or l3s"},
		&cli.StringFlag{Name: "ipvlan-flag", Value: "bridge", Usage: "bridge, private or vepa"},
		&cli.StringFlag{Name: "name", Usage: "interface name in the target (default eth1, else the next free ethN)"},
		&cli.StringSliceFlag{Name: "ip", Usage: "`ADDR/PREFIX` to assign, IPv4 or IPv6, or auto (needs --subnet), dhcp (IPv4 lease, kept renewed) or slaac (IPv6 from router advertisements); repeatable"},
		&cli.StringSliceFlag{Name: "subnet", Usage: "the LAN's `CIDR`, one per family; needed by --ip auto"},
		&cli.StringSliceFlag{Name: "ip-range", Usage: "restrict --ip auto to `CIDR`"},
		&cli.StringSliceFlag{Name: "exclude", Usage: "never pick `IP` with --ip auto; repeatable"},
		&cli.StringSliceFlag{Name: "gateway", Usage: "default route via `IP`, one per family"},
		&cli.StringSliceFlag{Name: "route", Usage: "extra route \"`DEST[ via GW]`\"; repeatable"},
		&cli.StringFlag{Name: "mac", Usage: "slave `MAC` (macvlan only), or stable: derived from the parent's MAC and --mac-seed"},
		&cli.StringFlag{Name: "mac-seed", Usage: "with --mac stable: a `NAME` (like the container's) the MAC is derived from"},
		&cli.DurationFlag{Name: "dhcp-timeout", Value: nsattach.DefaultDynamicTimeout, Usage: "with --ip dhcp: how long to wait for an offer"},
		&cli.DurationFlag{Name: "ra-timeout", Value: nsattach.DefaultDynamicTimeout, Usage: "with --ip slaac: how long to wait for a global IPv6 address"},
		&cli.StringFlag{Name: "resolv-conf", Usage: "with --ip dhcp: write the lease's DNS servers to `PATH`"},
		&cli.IntFlag{Name: "mtu", Usage: "slave MTU `N`, at most the parent's"},
		&cli.StringFlag{Name: "probe", Value: "fast", Usage: "address-clash probing: fast, rfc or off"},
		&cli.DurationFlag{Name: "probe-timeout", Value: arpcheck.DefaultWindow, Usage: "the whole probe window in fast mode"},
		&cli.BoolFlag{Name: "no-announce", Usage: "send no gratuitous ARP after assigning"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print the plan as ip(8) commands, change nothing"},
		&cli.BoolFlag{Name: "host-access", Usage: "the host and the slave reach each other, through a host-side shim (macvlan bridge mode)"},
		&cli.StringSliceFlag{Name: "shim-ip", Usage: "give the shim its own `ADDR/PREFIX` (one per family) instead of borrowing the parent's"},
	)
}

// attachCommand creates, moves and configures a slave.
func attachCommand() *cli.Command {
	return &cli.Command{
		Name:         "attach",
		Usage:        "create a macvlan/ipvlan slave in a target netns, clash-checked",
		Flags:        attachFlags(),
		Before:       before(),
		OnUsageError: onUsageError,
		Action:       attach,
	}
}

// attachFlagValues reads the attach flags.
func attachFlagValues(c *cli.Context) nsattach.Flags {
	return nsattach.Flags{
		Target: targetSpec(c), Parent: c.String("parent"), VLAN: c.Int("vlan"), VLANSet: c.IsSet("vlan"),
		Mode: c.String("mode"), MacvlanMode: c.String("macvlan-mode"),
		IPVlanMode: c.String("ipvlan-mode"), IPVFlag: c.String("ipvlan-flag"),
		Name: c.String("name"), IPs: c.StringSlice("ip"), Subnets: c.StringSlice("subnet"),
		Ranges: c.StringSlice("ip-range"), Excludes: c.StringSlice("exclude"),
		Gateways: c.StringSlice("gateway"), Routes: c.StringSlice("route"),
		MAC: c.String("mac"), MTU: c.Int("mtu"), Probe: c.String("probe"),
		ProbeTimeout: c.Duration("probe-timeout"), NoAnnounce: c.Bool("no-announce"), DryRun: c.Bool("dry-run"),
		DHCPTimeout: c.Duration("dhcp-timeout"), RATimeout: c.Duration("ra-timeout"),
		MACSeed: c.String("mac-seed"), ResolvConf: c.String("resolv-conf"),
		HostAccess: c.Bool("host-access"), ShimIPs: c.StringSlice("shim-ip"),
	}
}

// attach runs `lanattach attach`.
func attach(c *cli.Context) error {
	spec, err := nsattach.Parse(attachFlagValues(c))
	if err != nil {
		return err
	}
	if err := needRoot("attach"); err != nil {
		return err
	}
	p := printerOf(c)
	if spec.DryRun {
		cmds, err := nsattach.DryRun(spec)
		if err != nil {
			return err
		}
		return p.result(map[string]any{"dry_run": true, "commands": cmds}, func(w io.Writer) {
			fmt.Fprintln(w, strings.Join(cmds, "\n"))
		})
	}
	res, err := during(p, attachWait(spec.Addrs, spec.Probe.Mode), func() (*nsattach.Result, error) {
		return nsattach.Attach(c.Context, spec)
	})
	if err != nil {
		return err
	}
	return p.result(res, func(w io.Writer) { printAttach(w, res) })
}

// printAttach writes an attach result for people.
func printAttach(w io.Writer, r *nsattach.Result) {
	vlan := ""
	if r.VLANCreated {
		vlan = " (VLAN created)"
	}
	fmt.Fprintf(w, "attached %s (%s %s, mac %s) to %s off %s%s\n", r.Interface, r.Kind, r.Mode, r.MAC,
		describeTarget(r.Target), r.Parent, vlan)
	for _, a := range r.Addresses {
		fmt.Fprintf(w, "  address %s\n", a)
	}
	for _, rt := range r.Routes {
		fmt.Fprintf(w, "  route %s\n", rt)
	}
	fmt.Fprintf(w, "  probe %s: %s in %d ms\n", r.Probe.Mode, r.Probe.Result, r.Probe.DurationMS)
	for _, c := range r.Probe.Checks {
		fmt.Fprintf(w, "  checked %s: %s in %d ms\n", c.IP, c.Check, c.DurationMS)
	}
	if ha := r.HostAccess; ha != nil {
		fmt.Fprintf(w, "  host access through shim %s (created: %t), rp_filter %s\n", ha.Shim, ha.Created, ha.RPFilter)
		for _, rt := range ha.Routes {
			fmt.Fprintf(w, "  host route %s\n", rt)
		}
	}
	if l := r.Lease; l != nil {
		fmt.Fprintf(w, "  lease %s from %s until %s (dns %s), kept by pid %d\n", l.Address, l.Server,
			l.Expires.Local().Format(time.RFC3339), joinAddrs(l.DNS), l.Keeper)
	}
}

// joinAddrs renders addresses comma-separated, "none" for none.
func joinAddrs(as []netip.Addr) string {
	if len(as) == 0 {
		return "none"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// describeTarget names a target for people.
func describeTarget(t nsattach.TargetInfo) string {
	switch {
	case t.Name != "":
		return "netns " + t.Name
	case t.PID != 0:
		return fmt.Sprintf("pid %d", t.PID)
	default:
		return t.Path
	}
}
