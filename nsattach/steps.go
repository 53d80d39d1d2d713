package nsattach

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/containernetworking/plugins/pkg/utils/sysctl"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ensureVLAN creates the 802.1q parent when it is missing. It holds the
// host-wide lock from here on, so that no gc or detach deletes the VLAN
// before the slave sits on it.
func (r *attachRun) ensureVLAN(ctx context.Context) error {
	if err := r.lock(ctx); err != nil {
		return err
	}
	if err := r.reresolve(); err != nil || r.parent.Link != nil {
		return err
	}
	l, err := link.CreateVLAN(r.host, r.parent)
	if err != nil {
		return err
	}
	r.undo.push("create VLAN "+l.Attrs().Name, func() error { return r.host.LinkDel(l) })
	r.parent.Link = l
	r.res.VLANCreated = true
	return nil
}

// create makes the slave directly inside the target under a temporary
// name, so that it never shows up in the host netns.
func (r *attachRun) create(context.Context) error {
	tmp, err := tempName()
	if err != nil {
		return err
	}
	l := r.spec.Type.Slave(r.parent.Link.Attrs().Index, tmp, int(r.target.NS.Fd()))
	if err := r.host.LinkAdd(l); err != nil {
		return fmt.Errorf("creating %s slave of %s in %s: %w", r.spec.Type.Kind, r.spec.Parent.Name(), r.target, err)
	}
	// Deleting the slave also removes its addresses and routes.
	r.undo.push("create slave "+tmp, func() error {
		if r.slave == nil {
			return r.th.LinkDel(l)
		}
		return r.th.LinkDel(r.slave)
	})
	if r.slave, err = r.th.LinkByName(tmp); err != nil {
		return fmt.Errorf("finding new slave %s in %s: %w", tmp, r.target, err)
	}
	return nil
}

// tempName returns a random interface name for the slave before rename.
func tempName() (string, error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random name: %w", err)
	}
	return "lat" + hex.EncodeToString(b), nil
}

// setMAC sets --mac.
func (r *attachRun) setMAC(context.Context) error {
	if r.spec.MAC == nil {
		return nil
	}
	if err := r.th.LinkSetHardwareAddr(r.slave, r.spec.MAC); err != nil {
		return fmt.Errorf("--mac %s: kernel refused it on the slave: %w", r.spec.MAC, err)
	}
	return nil
}

// setMTU sets --mtu.
func (r *attachRun) setMTU(context.Context) error {
	if r.spec.MTU == 0 {
		return nil
	}
	if err := r.th.LinkSetMTU(r.slave, r.spec.MTU); err != nil {
		return fmt.Errorf("--mtu %d: kernel refused it on the slave: %w", r.spec.MTU, err)
	}
	return nil
}

// rename gives the slave its final name.
func (r *attachRun) rename(context.Context) error {
	if err := r.th.LinkSetName(r.slave, r.name); err != nil {
		return fmt.Errorf("renaming slave to %s in %s: %w", r.name, r.target, err)
	}
	return r.refresh()
}

// mark records in the alias that lanattach made the slave, and off which
// parent.
func (r *attachRun) mark(context.Context) error {
	if err := r.th.LinkSetAlias(r.slave, link.SlaveMark(r.spec.Parent.Name())); err != nil {
		return fmt.Errorf("marking %s in %s: %w", r.name, r.target, err)
	}
	return nil
}

// up turns on arp_notify/ndisc_notify and brings the slave up.
func (r *attachRun) up(context.Context) error {
	err := r.target.Do(func() error {
		if _, err := sysctl.Sysctl("net/ipv4/conf/"+r.name+"/arp_notify", "1"); err != nil {
			return err
		}
		_, err := sysctl.Sysctl("net/ipv6/conf/"+r.name+"/ndisc_notify", "1")
		if os.IsNotExist(err) {
			return nil // IPv6 is off in the target
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("setting arp_notify on %s in %s: %w", r.name, r.target, err)
	}
	if err := r.th.LinkSetUp(r.slave); err != nil {
		return fmt.Errorf("bringing %s up in %s: %w", r.name, r.target, err)
	}
	return r.refresh()
}

// loUp brings the target's loopback up if it is down.
func (r *attachRun) loUp(context.Context) error {
	lo, err := r.th.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("finding lo in %s: %w", r.target, err)
	}
	if lo.Attrs().Flags&net.FlagUp != 0 {
		return nil
	}
	if err := r.th.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bringing lo up in %s: %w", r.target, err)
	}
	r.undo.push("lo up", func() error { return r.loDown(lo) })
	return nil
}

// loDown reverts loUp as far as the kernel allows: lo goes down and loses
// the 127.0.0.1/8 it got when it came up. (The default qdisc the kernel
// attached stays; no netlink request removes it.)
func (r *attachRun) loDown(lo netlink.Link) error {
	if err := r.th.LinkSetDown(lo); err != nil {
		return err
	}
	err := r.th.AddrDel(lo, &netlink.Addr{IPNet: prefixNet(netip.MustParsePrefix("127.0.0.1/8"))})
	if errors.Is(err, unix.EADDRNOTAVAIL) {
		return nil
	}
	return err
}

// refresh re-reads the slave and the result fields that come from it.
func (r *attachRun) refresh() error {
	l, err := r.th.LinkByIndex(r.slave.Attrs().Index)
	if err != nil {
		return fmt.Errorf("reading slave %s in %s: %w", r.name, r.target, err)
	}
	r.slave = l
	r.res.MAC = l.Attrs().HardwareAddr.String()
	return nil
}

// reresolve looks the VLAN parent up again under the lock: another run may
// have created or deleted it since the preflight.
func (r *attachRun) reresolve() error {
	res, err := link.Resolve(r.host, r.spec.Parent)
	if err != nil {
		return asInput(err)
	}
	r.parent = res
	return nil
}
