package cni

import (
	"context"
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/nsattach"
)

// del is DEL: idempotent. It removes the attachment the record names for
// (container, network, ifname) wherever its netns is, or, without a
// record, lanattach's slave of that name in CNI_NETNS, then releases the
// IPAM allocation. A netns, slave or record already gone is no error.
//
// The allocation is released only once the slave is gone: a DEL that
// cannot remove it (its ADD is still running) keeps the addresses
// allocated, so that no other container is handed them meanwhile. A
// plugin that works on the interface (dhcp) releases over it, so it runs
// before the slave goes.
func del(args *skel.CmdArgs) error {
	ctx := context.Background()
	c, err := parseConf(args.StdinData)
	if err != nil {
		return err
	}
	ip := newIPAM(c, args.StdinData, args)
	release := func() error {
		if err := ip.del(ctx, args.ContainerID, args.Netns, args.IfName); err != nil {
			return types.NewError(CodeFailed, err.Error(), "")
		}
		return nil
	}
	var released error
	if ip != nil && ip.onLink() {
		released = release()
	}
	if err := detachAttachment(ctx, c, args); err != nil {
		return err
	}
	if ip != nil && !ip.onLink() {
		released = release()
	}
	return released
}

// detachAttachment removes the slave of DEL's attachment, found by the
// record or, without one, by its name in CNI_NETNS.
func detachAttachment(ctx context.Context, c *NetConf, args *skel.CmdArgs) error {
	recs, err := nsattach.Records(attachmentKeys(args.ContainerID, c.Name, args.IfName))
	if err != nil {
		return types.NewError(CodeFailed, err.Error(), "")
	}
	for _, r := range recs {
		if _, err := nsattach.DetachRecord(ctx, r.ID); err != nil {
			return cniError(err)
		}
	}
	if len(recs) == 0 && args.Netns != "" {
		_, err := nsattach.Detach(ctx, nsattach.TargetSpec{Path: args.Netns}, args.IfName)
		var ie *nsattach.InputError
		if err != nil && !errors.As(err, &ie) { // no such netns or slave: nothing to do
			return cniError(err)
		}
	}
	return nil
}

// gc is GC: every attachment of this network in the record that the
// valid list (either key) does not name is removed, with its IPAM
// allocation and the VLAN made for it once nothing uses it. Attaches
// still running are left alone.
func gc(args *skel.CmdArgs) error {
	ctx := context.Background()
	c, err := parseConf(args.StdinData)
	if err != nil {
		return err
	}
	valid := map[types.GCAttachment]bool{}
	for _, a := range append(c.ValidAttachments, c.OldAttachments...) {
		valid[a] = true
	}
	recs, err := nsattach.Records(attachmentKeys("", c.Name, ""))
	if err != nil {
		return types.NewError(CodeFailed, err.Error(), "")
	}
	ip := newIPAM(c, args.StdinData, args)
	var errs []error
	for _, r := range recs {
		if valid[types.GCAttachment{ContainerID: r.Extra[keyContainer], IfName: r.Extra[keyIfname]}] {
			continue
		}
		errs = append(errs, collect(ctx, r, ip))
	}
	if ip != nil {
		errs = append(errs, ip.noResult(ctx, "1.1.0", ip.args("GC", "", "", "")))
	}
	if err := errors.Join(errs...); err != nil {
		return types.NewError(CodeFailed, err.Error(), "")
	}
	return nil
}

// collect removes one stale attachment and releases its addresses.
func collect(ctx context.Context, r ledger.Record, ip *ipam) error {
	_, err := nsattach.DetachRecord(ctx, r.ID)
	if errors.Is(err, nsattach.ErrAttaching) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("container %s: %w", r.Extra[keyContainer], err)
	}
	if ip == nil {
		return nil
	}
	return ip.del(ctx, r.Extra[keyContainer], "", r.Extra[keyIfname])
}
