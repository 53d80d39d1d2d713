package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// probeCommand checks addresses for clashes and changes nothing.
func probeCommand() *cli.Command {
	return &cli.Command{
		Name:  "probe",
		Usage: "check addresses for clashes (host, sibling slaves, ARP probe, IPv6 DAD) and change nothing",
		Description: "Exit 0 when every address is free, 3 when any is in use. IPv4 addresses are ARP-probed (RFC 5227),\n" +
			"IPv6 addresses get duplicate address detection solicitations (RFC 4862), both in the same window.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "parent", Usage: "probe from `IFACE` (in the target when one is given)"},
			&cli.StringSliceFlag{Name: "ip", Usage: "`ADDR` (or ADDR/PREFIX) to check; repeatable"},
			&cli.StringFlag{Name: "probe", Value: string(arpcheck.ModeFast), Usage: "fast, rfc (RFC 5227 / RFC 4862 timing) or off (host check only)"},
			&cli.DurationFlag{Name: "probe-timeout", Value: arpcheck.DefaultWindow, Usage: "the whole probe window in fast mode"},
			&cli.StringSliceFlag{Name: "gateway", Usage: "the gateway `IP`; an address equal to it clashes; repeatable"},
		}, targetFlags()...),
		Before:       before("parent", "ip"),
		OnUsageError: onUsageError,
		Action:       probe,
	}
}

// probeRequest is a parsed probe command line.
type probeRequest struct {
	parent   string
	ips      []netip.Addr
	gateways []netip.Addr
	cfg      arpcheck.ProbeConfig
	target   *nsattach.TargetSpec
}

// probeResult is one address in probe's output.
type probeResult struct {
	IP    netip.Addr `json:"ip"`
	Free  bool       `json:"free"`
	MAC   string     `json:"mac"`
	Where string     `json:"where"`
	what  string
}

// parseProbe reads and checks the probe flags.
func parseProbe(c *cli.Context) (*probeRequest, error) {
	r := &probeRequest{parent: c.String("parent")}
	if err := link.CheckName("--parent", r.parent); err != nil {
		return nil, err
	}
	var err error
	if r.cfg.Mode, err = arpcheck.ParseMode(c.String("probe")); err != nil {
		return nil, usageErr("--probe", "%v", err)
	}
	r.cfg.Window = c.Duration("probe-timeout")
	if err := arpcheck.CheckWindow(r.cfg.Window); err != nil {
		return nil, usageErr("--probe-timeout", "%v", err)
	}
	if r.ips, err = parseAddrs("--ip", c.StringSlice("ip")); err != nil {
		return nil, err
	}
	if r.gateways, err = parseAddrs("--gateway", c.StringSlice("gateway")); err != nil {
		return nil, err
	}
	if spec := targetSpec(c); spec != (nsattach.TargetSpec{}) {
		if err := spec.Validate(); err != nil {
			return nil, err
		}
		r.target = &spec
	}
	return r, nil
}

// probe runs `lanattach probe`.
func probe(c *cli.Context) error {
	r, err := parseProbe(c)
	if err != nil {
		return err
	}
	if err := needRoot("probe"); err != nil {
		return err
	}
	var netNS ns.NetNS
	if r.target != nil {
		t, err := nsattach.OpenTarget(*r.target)
		if err != nil {
			return err
		}
		defer t.Close()
		netNS = t.NS
	}
	cs, err := during(printerOf(c), waitsFor(r.cfg.Mode), func() ([]arpcheck.Conflict, error) { return checkAddrs(c.Context, r, netNS) })
	if err != nil {
		return err
	}
	return reportProbe(printerOf(c), r.ips, cs)
}

// checkAddrs runs the host check, then probes the addresses that passed it
// from the parent (in netNS when not nil).
func checkAddrs(ctx context.Context, r *probeRequest, netNS ns.NetNS) ([]arpcheck.Conflict, error) {
	h, err := nsattach.HostHandle()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	var siblings []arpcheck.Holder
	if netNS == nil {
		parent, err := h.LinkByName(r.parent)
		if err != nil {
			return nil, usageErr("--parent", "no interface %s in this netns: %v", r.parent, err)
		}
		if siblings, err = nsattach.Siblings(parent.Attrs().Index); err != nil {
			return nil, fmt.Errorf("listing lanattach slaves of %s: %w", r.parent, err)
		}
	}
	cs, err := arpcheck.HostConflicts(h, r.ips, r.gateways, siblings)
	if err != nil {
		return nil, err
	}
	lan, err := lanProbe(ctx, r, netNS, rest(r.ips, cs))
	return append(cs, lan...), err
}

// rest returns the addresses of ips without a conflict in cs.
func rest(ips []netip.Addr, cs []arpcheck.Conflict) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if conflictOf(ip, cs) == nil {
			out = append(out, ip)
		}
	}
	return out
}

// lanProbe probes ips from the parent: IPv4 by ARP and IPv6 by DAD
// solicitations, both at once, so the whole probe takes one window.
func lanProbe(ctx context.Context, r *probeRequest, netNS ns.NetNS, ips []netip.Addr) ([]arpcheck.Conflict, error) {
	if r.cfg.Mode == arpcheck.ModeOff {
		return nil, nil
	}
	var runs []func() ([]arpcheck.Conflict, error)
	if slices.ContainsFunc(ips, netip.Addr.Is4) {
		conn, ifi, err := openProbe(r, netNS, arpcheck.Open)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		runs = append(runs, func() ([]arpcheck.Conflict, error) {
			return arpcheck.Probe(ctx, conn, ifi.HardwareAddr, ips, r.cfg)
		})
	}
	if slices.ContainsFunc(ips, netip.Addr.Is6) {
		conn, ifi, err := openProbe(r, netNS, arpcheck.OpenNDP)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		runs = append(runs, func() ([]arpcheck.Conflict, error) {
			return arpcheck.ProbeNDP(ctx, conn, ifi.HardwareAddr, ips, r.cfg)
		})
	}
	cs, err := runAll(runs)
	if err != nil {
		return nil, fmt.Errorf("probing from %s: %w", r.parent, err)
	}
	return cs, nil
}

// openProbe opens a probe socket with open on the parent, which must be up.
func openProbe[C io.Closer](r *probeRequest, netNS ns.NetNS, open func(ns.NetNS, string) (C, *net.Interface, error)) (C, *net.Interface, error) {
	var none C
	conn, ifi, err := open(netNS, r.parent)
	if err != nil {
		if netNS != nil && errors.Is(err, arpcheck.ErrNoInterface) {
			return none, nil, usageErr("--parent", "no interface %s in the target: %v", r.parent, err)
		}
		return none, nil, err
	}
	if ifi.Flags&net.FlagUp == 0 {
		conn.Close()
		return none, nil, fmt.Errorf("--parent %s is down: bring it up (ip link set %s up) to probe from it", r.parent, r.parent)
	}
	return conn, ifi, nil
}

// runAll runs every probe at once and gathers their conflicts and errors.
func runAll(runs []func() ([]arpcheck.Conflict, error)) ([]arpcheck.Conflict, error) {
	var mu sync.Mutex
	var cs []arpcheck.Conflict
	var errs []error
	var wg sync.WaitGroup
	for _, run := range runs {
		wg.Go(func() {
			c, err := run()
			mu.Lock()
			defer mu.Unlock()
			cs, errs = append(cs, c...), append(errs, err)
		})
	}
	wg.Wait()
	return cs, errors.Join(errs...)
}

// conflictOf returns the conflict for ip, or nil.
func conflictOf(ip netip.Addr, cs []arpcheck.Conflict) *arpcheck.Conflict {
	for i := range cs {
		if cs[i].IP == ip {
			return &cs[i]
		}
	}
	return nil
}

// reportProbe prints one result per address. With a clash it returns a
// *arpcheck.ConflictError (exit 3) after printing; the printer then only
// writes the error to stderr, so stdout keeps one JSON object.
func reportProbe(p *printer, ips []netip.Addr, cs []arpcheck.Conflict) error {
	var res []probeResult
	var found []arpcheck.Conflict
	for _, ip := range ips {
		r := probeResult{IP: ip, Free: true, what: "free"}
		if cf := conflictOf(ip, cs); cf != nil {
			found = append(found, *cf)
			r = probeResult{IP: ip, MAC: cf.MAC.String(), Where: string(cf.Where), what: strings.TrimPrefix(cf.String(), ip.String()+" is ")}
		}
		res = append(res, r)
	}
	p.result(map[string]any{"results": res}, func(w io.Writer) {
		for _, r := range res {
			fmt.Fprintf(w, "%s\t%s\n", r.IP, r.what)
		}
	})
	if len(found) == 0 {
		return nil
	}
	return &arpcheck.ConflictError{Conflicts: found}
}
