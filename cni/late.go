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

// lateIPAM gives the attach the IPAM plugin's addresses
// (nsattach.LateAddrs): a plugin that does not work on the interface runs
// in the background from the start of ADD, while the slave is made; one
// that does (dhcp) runs when the attach asks, once the slave is up. Either
// way the addresses get the same checks, and a rollback releases them.
type lateIPAM struct {
	ip    *ipam
	conf  *NetConf
	args  *skel.CmdArgs
	alloc *allocation     // the background ADD, nil for a plugin on the link
	asked bool            // the attach asked for the addresses
	res   *current.Result // the IPAM result, once Acquire ran
}

// newLateIPAM starts the IPAM plugin in the background unless it works
// on the interface.
func newLateIPAM(ctx context.Context, c *NetConf, args *skel.CmdArgs, ip *ipam) *lateIPAM {
	l := &lateIPAM{ip: ip, conf: c, args: args}
	if !ip.onLink() {
		l.alloc = ip.start(ctx, args)
	}
	return l
}

// OnLink says whether the plugin needs the slave up (nsattach.LateAddrs).
func (l *lateIPAM) OnLink() bool { return l.ip.onLink() }

// Acquire returns the IPAM plugin's addresses and routes, with the
// network's own gateways and routes, as flags.
func (l *lateIPAM) Acquire(ctx context.Context) (nsattach.Flags, error) {
	l.asked = true
	var res *current.Result
	var err error
	if l.alloc != nil {
		res, err = l.alloc.wait()
	} else {
		res, err = l.ip.add(ctx, l.args)
	}
	if err != nil {
		return nsattach.Flags{}, types.NewError(CodeFailed, err.Error(), "")
	}
	l.res = res
	return l.conf.flags(l.args, res)
}

// Release runs the IPAM plugin's DEL.
func (l *lateIPAM) Release(ctx context.Context) error {
	return l.ip.del(ctx, l.args.ContainerID, l.args.Netns, l.args.IfName)
}

// abandon ends a failed ADD: what the background plugin allocated for an
// attach that failed before it asked is released (after asking, the
// attach's rollback released it).
func (l *lateIPAM) abandon(ctx context.Context, cause error) error {
	if l.alloc == nil || l.asked {
		return cause
	}
	if _, err := l.alloc.wait(); err != nil {
		return cause // nothing allocated
	}
	return l.ip.release(ctx, l.args, cause)
}
