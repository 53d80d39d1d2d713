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
	alloc *allocation // the IPAM ADD: started at once, or (on the link) when asked
	// handed: the attach took the addresses; its rollback releases them.
	handed bool
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
	if l.alloc == nil {
		l.alloc = l.ip.start(ctx, l.args)
	}
	res, err := l.alloc.wait()
	if err != nil {
		return nsattach.Flags{}, types.NewError(CodeFailed, err.Error(), "")
	}
	f, err := l.conf.flags(l.args, res)
	l.handed = err == nil
	return f, err
}

// result is the IPAM result the attach took.
func (l *lateIPAM) result() *current.Result { return l.alloc.res }

// Release runs the IPAM plugin's DEL.
func (l *lateIPAM) Release(ctx context.Context) error {
	return l.ip.del(ctx, l.args.ContainerID, l.args.Netns, l.args.IfName)
}

// abandon ends a failed ADD: what IPAM allocated and the attach did not
// take (it failed before it asked, or the result was refused) is released;
// what it took, its rollback released.
func (l *lateIPAM) abandon(ctx context.Context, cause error) error {
	if l.alloc == nil || l.handed {
		return cause
	}
	if _, err := l.alloc.wait(); err != nil {
		return cause // nothing allocated
	}
	return l.ip.release(ctx, l.args, cause)
}
