package cni

import (
	"context"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/lanattach/lanattach/nsattach"
)

// onLink reports whether the IPAM plugin works on the container's
// interface: the dhcp plugin's daemon runs its DHCP client there, so its
// ADD needs the slave up in the container, and its DEL must come while
// the slave exists, for the DHCP release to reach the server.
func (p *ipam) onLink() bool { return p != nil && p.typ == "dhcp" }

// lateIPAM is an IPAM plugin that works on the interface, run by the
// attach once the slave is up (nsattach.LateAddrs): its addresses get the
// same checks, and a rollback releases them before the slave goes.
type lateIPAM struct {
	ip   *ipam
	conf *NetConf
	args *skel.CmdArgs
	res  *current.Result // the IPAM result, once Acquire ran
}

// Acquire runs the IPAM plugin's ADD.
func (l *lateIPAM) Acquire(ctx context.Context) (nsattach.Flags, error) {
	var f nsattach.Flags
	res, err := l.ip.add(ctx, l.args)
	if err != nil {
		return f, types.NewError(CodeFailed, err.Error(), "")
	}
	l.res = res
	return f, ipamFlags(&f, l.conf, res)
}

// Release runs the IPAM plugin's DEL.
func (l *lateIPAM) Release(ctx context.Context) error {
	return l.ip.del(ctx, l.args.ContainerID, l.args.Netns, l.args.IfName)
}

// removeReleasing is DEL's removal of an attachment (detach) and release
// of its IPAM allocation: a plugin that works on the interface first,
// while the slave still exists (its failure does not keep the slave), any
// other after the slave is gone, so that its address is not handed out
// while it is still assigned. A release failure is a CNI error (code
// 102). GC releases after the removal: its containers are gone already.
func (p *ipam) removeReleasing(ctx context.Context, id, netns, ifname string, detach func() error) error {
	var rerr error
	if p.onLink() {
		rerr = p.del(ctx, id, netns, ifname)
	}
	if err := detach(); err != nil {
		return err
	}
	if p != nil && !p.onLink() {
		rerr = p.del(ctx, id, netns, ifname)
	}
	if rerr != nil {
		return types.NewError(CodeFailed, rerr.Error(), "")
	}
	return nil
}
