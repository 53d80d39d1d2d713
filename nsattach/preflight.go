package nsattach

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// errLaterHostAccess: the host-access preflight needs the addresses, so
// they cannot come later.
var errLaterHostAccess = errors.New("internal error: host access with addresses given later (Spec.Late)")

// preflight checks everything that can be checked before the first
// change: the target, the parent, kernel support, MTU, the name and the
// host check of the static addresses (preflightAddrs). The kernel's part
// of the sibling check starts here in the background; the sibling check,
// with it and the record, runs under the lock before the addresses are
// assigned.
func (r *attachRun) preflight() error {
	if r.spec.Late != nil && r.spec.HostAccess {
		return errLaterHostAccess
	}
	var err error
	if r.target, err = OpenTarget(r.spec.Target); err != nil {
		return err
	}
	r.sysDir = openSysctlDir(r.target)
	if r.host, err = HostHandle(); err != nil {
		return err
	}
	if r.th, err = r.target.Handle(); err != nil {
		return err
	}
	if r.parent, err = link.Resolve(r.host, r.spec.Parent); err != nil {
		return asInput(err)
	}
	if err := kernelSupports(r.host, r.spec.Type.Kind); err != nil {
		return err
	}
	if r.spec.MTU > r.parent.MTU() {
		return Inputf("--mtu", "%d is above the MTU %d of parent %s", r.spec.MTU, r.parent.MTU(), r.spec.Parent.Name())
	}
	if r.name, err = r.pickName(); err != nil {
		return err
	}
	r.initResult()
	if err := r.preflightShim(); err != nil {
		return err
	}
	if r.spec.Target.PID != 0 {
		if r.pidStart, err = procStart(r.spec.Target.PID); err != nil {
			return Inputf("--pid", "%d: %v", r.spec.Target.PID, err)
		}
	}
	if r.spec.Late != nil || len(r.spec.Addrs.Static)+len(r.spec.Addrs.Auto) > 0 {
		r.startScan()
	}
	return r.preflightAddrs()
}

// preflightAddrs is the preflight's check of the static addresses:
// against the host's addresses, and against the siblings' too when a probe
// follows (a sibling would answer it and be taken for a LAN host). Without
// a probe the siblings are checked under the lock (claim), where the
// record is read anyway.
func (r *attachRun) preflightAddrs() error {
	if r.spec.Probe.Mode != arpcheck.ModeOff {
		return r.checkStatic()
	}
	return r.checkHost()
}

// checkStatic checks the static addresses against the host's and the
// siblings' addresses.
func (r *attachRun) checkStatic() error {
	if len(r.spec.Addrs.Static) == 0 {
		return nil
	}
	if err := r.loadSiblings(); err != nil {
		return err
	}
	return r.checkHost()
}

// checkHost checks the static addresses against the host's addresses and
// the siblings' that loadSiblings read (none before).
func (r *attachRun) checkHost() error {
	if len(r.spec.Addrs.Static) == 0 {
		return nil
	}
	cs, err := r.hostOnly(context.Background(), staticIPs(r.spec.Addrs.Static))
	return firstErr(err, conflictErr(cs))
}

// pickName returns --name if it is free in the target, else eth1 or the
// next free ethN.
func (r *attachRun) pickName() (string, error) {
	if r.spec.Name != "" {
		if taken, err := r.nameTaken(r.spec.Name); err != nil || taken {
			if err == nil {
				err = Inputf("--name", "%s already exists in %s; pick another --name", r.spec.Name, r.target)
			}
			return "", err
		}
		return r.spec.Name, nil
	}
	for i := 1; i < 1000; i++ {
		name := "eth" + strconv.Itoa(i)
		taken, err := r.nameTaken(name)
		if err != nil {
			return "", err
		}
		if !taken {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free ethN name in %s; give --name", r.target)
}

// nameTaken reports whether the target has a link called name.
func (r *attachRun) nameTaken(name string) (bool, error) {
	_, err := r.th.LinkByName(name)
	var nf netlink.LinkNotFoundError
	switch {
	case errors.As(err, &nf):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("looking up %s in %s: %w", name, r.target, err)
	}
	return true, nil
}

// staticIPs returns the addresses of ps.
func staticIPs(ps []netip.Prefix) []netip.Addr {
	out := make([]netip.Addr, len(ps))
	for i, p := range ps {
		out[i] = p.Addr()
	}
	return out
}

// initResult fills the parts of the result known before any change.
func (r *attachRun) initResult() {
	t := r.spec.Type
	r.res = Result{Target: r.target.Info(), Interface: r.name, Type: t,
		Parent: r.spec.Parent.Name(), Addresses: []string{}, Routes: []string{},
		Probe: ProbeResult{Mode: string(r.spec.Probe.Mode), Result: "off"}}
}
