package cni

import (
	"context"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
)

// check is CHECK: the record exists, its parent (a VLAN included) is
// there, and the slave in CNI_NETNS is lanattach's, of the recorded mode,
// with prevResult's MAC, addresses and routes; then IPAM's CHECK.
func check(args *skel.CmdArgs) error {
	c, err := parseConf(args.StdinData)
	if err != nil {
		return err
	}
	if c.PrevResult == nil {
		return badConf("CHECK needs a prevResult")
	}
	prev, err := current.NewResultFromResult(c.PrevResult)
	if err != nil {
		return badConf("prevResult: %v", err)
	}
	recs, err := nsattach.Records(attachmentKeys(args.ContainerID, c.Name, args.IfName))
	if err == nil && len(recs) == 0 {
		err = fmt.Errorf("lanattach's record has no attachment of container %s on network %s as %s",
			args.ContainerID, c.Name, args.IfName)
	}
	if err != nil {
		return types.NewError(CodeFailed, err.Error(), "")
	}
	if err := checkParent(recs[0]); err != nil {
		return types.NewError(CodeFailed, err.Error(), "")
	}
	if err := checkSlave(args, recs[0], prev); err != nil {
		return types.NewError(CodeFailed, err.Error(), "")
	}
	if ipm := newIPAM(c, args.StdinData, args); ipm != nil {
		a := ipm.args("CHECK", args.ContainerID, args.Netns, args.IfName)
		if err := ipm.noResult(context.Background(), "0.4.0", a); err != nil {
			return types.NewError(CodeFailed, err.Error(), "")
		}
	}
	return nil
}

// checkParent checks that the recorded parent is still there.
func checkParent(r ledger.Record) error {
	h, err := nsattach.HostHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	if _, err := h.LinkByName(r.Parent); err != nil {
		return fmt.Errorf("parent %s of %s is missing: %w", r.Parent, r.Name, err)
	}
	return nil
}

// checkSlave checks the slave in the container against the record and
// prevResult.
func checkSlave(args *skel.CmdArgs, r ledger.Record, prev *current.Result) error {
	var want *current.Interface
	var ips []*current.IPConfig
	for i, ifc := range prev.Interfaces {
		if ifc.Name == args.IfName && (ifc.Sandbox == "" || ifc.Sandbox == args.Netns) {
			want = ifc
			for _, ipc := range prev.IPs {
				if ipc.Interface != nil && *ipc.Interface == i {
					ips = append(ips, ipc)
				}
			}
		}
	}
	if want == nil {
		return fmt.Errorf("prevResult has no interface %s", args.IfName)
	}
	return ns.WithNetNSPath(args.Netns, func(ns.NetNS) error {
		l, err := netlinksafe.LinkByName(args.IfName)
		if err != nil {
			return fmt.Errorf("%s in %s: %w", args.IfName, args.Netns, err)
		}
		t, _ := link.TypeOf(l)
		switch {
		case link.SlaveID(l.Attrs().Alias) != r.ID:
			return fmt.Errorf("%s in %s is not the slave of record %s", args.IfName, args.Netns, r.ID)
		case t != link.Type{Kind: r.Kind, Mode: r.Mode, Flag: r.Flag}:
			return fmt.Errorf("%s is %s/%s, recorded as %s/%s", args.IfName, t.Kind, t.Mode, r.Kind, r.Mode)
		case want.Mac != "" && l.Attrs().HardwareAddr.String() != want.Mac:
			return fmt.Errorf("%s has MAC %s, prevResult says %s", args.IfName, l.Attrs().HardwareAddr, want.Mac)
		}
		if err := ip.ValidateExpectedInterfaceIPs(args.IfName, ips); err != nil {
			return err
		}
		return ip.ValidateExpectedRoute(prev.Routes)
	})
}

// status is STATUS: the parent is there and up (or its VLAN can be
// made) and the kernel has the slave type; else code 50.
func status(args *skel.CmdArgs) error {
	c, err := parseConf(args.StdinData)
	if err != nil {
		return err
	}
	p, err := link.ParseParent(c.Master, 0)
	if err != nil {
		return badConf("master: %v", err)
	}
	if err := nsattach.CheckParent(p, c.Mode); err != nil {
		return types.NewError(types.ErrPluginNotAvailable, err.Error(), "")
	}
	if ipm := newIPAM(c, args.StdinData, args); ipm != nil {
		if err := ipm.noResult(context.Background(), "1.1.0", ipm.args("STATUS", "", "", "")); err != nil {
			return types.NewError(types.ErrPluginNotAvailable, err.Error(), "")
		}
	}
	return nil
}
