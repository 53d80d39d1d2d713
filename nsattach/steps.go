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
	"strconv"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ensureVLAN creates the 802.1q parent when it is missing, under the
// host-wide lock so that no other run creates or deletes it meanwhile. The
// record names the VLAN before it is made; from then on gc and detach see
// it as in use by this run.
func (r *attachRun) ensureVLAN(ctx context.Context) error {
	return r.locked(ctx, func() error {
		if err := r.reresolve(); err != nil || r.parent.Link != nil {
			return err
		}
		tmp, err := tempName("lav")
		if err != nil {
			return err
		}
		r.rec.VLANCreated, r.rec.VLANTemp = true, tmp
		if err := r.save(); err != nil {
			return err
		}
		l, err := link.CreateVLAN(r.host, r.parent, tmp)
		if err != nil {
			return err
		}
		r.rec.ParentIndex = l.Attrs().Index
		r.undo.push("vlan", "create VLAN "+l.Attrs().Name, func() error { return r.host.LinkDel(l) })
		r.parent.Link = l
		r.res.VLANCreated = true
		return nil
	})
}

// create makes the slave directly inside the target under its temporary
// name, with its MAC and MTU, in one request (so it never shows up in the
// host netns), and marks it. Until it is marked, only its temporary name,
// random and recorded beforehand, tells that it is lanattach's.
func (r *attachRun) create(context.Context) error {
	mac, err := r.slaveMAC()
	if err != nil {
		return err
	}
	l := r.spec.Type.Slave(link.SlaveAttrs{Parent: r.parent.Link.Attrs().Index, Name: r.rec.TempName,
		NsFd: int(r.target.NS.Fd()), MAC: mac, MTU: r.spec.MTU})
	if err := r.host.LinkAdd(l); err != nil {
		return fmt.Errorf("creating %s slave of %s in %s%s: %w", r.spec.Type.Kind, r.spec.Parent.Name(),
			r.target, r.createOpts(), err)
	}
	// Deleting the slave also removes its addresses and routes.
	r.undo.push("slave", "create slave "+r.rec.TempName, func() error {
		if r.slave == nil {
			return r.th.LinkDel(l)
		}
		return r.th.LinkDel(r.slave)
	})
	if err := failpoint.Hit("create.made"); err != nil {
		return err
	}
	if r.slave, err = r.th.LinkByName(r.rec.TempName); err != nil {
		return fmt.Errorf("finding new slave %s in %s: %w", r.rec.TempName, r.target, err)
	}
	if err := r.th.LinkSetAlias(r.slave, link.SlaveMark(r.spec.Parent.Name(), r.rec.ID)); err != nil {
		return fmt.Errorf("marking %s in %s: %w", r.rec.TempName, r.target, err)
	}
	r.rec.MAC = r.slave.Attrs().HardwareAddr.String() // its probes are no clash to other runs
	return r.save()
}

// createOpts names the --mac and --mtu given, for a refused create.
func (r *attachRun) createOpts() string {
	s := ""
	if r.spec.MAC != nil {
		s += " with --mac " + r.spec.MAC.String()
	}
	if r.spec.MTU != 0 {
		s += " with --mtu " + strconv.Itoa(r.spec.MTU)
	}
	return s
}

// tempName returns a random interface name (prefix and 10 hex digits)
// for a link before it is marked and renamed.
func tempName(prefix string) (string, error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random name: %w", err)
	}
	return prefix + hex.EncodeToString(b), nil
}

// maxRenames bounds the retries of rename with the next free name.
const maxRenames = 64

// rename gives the slave its final name. When the default name was taken
// meanwhile (a concurrent attach into the same target), the next free ethN
// is taken instead. It waits for the target's sysctl directories first:
// their lookups and the rename, which registers the slave's sysctls anew,
// take the kernel's sysctl lock in turn (measured with 200 namespaces: a
// rename overlapping the lookups took 1 ms, alone 0.2 ms).
func (r *attachRun) rename(context.Context) error {
	_, _ = r.sysDir.wait() // its error is for up to report
	for try := 0; ; try++ {
		err := r.th.LinkSetName(r.slave, r.name)
		if err == nil {
			r.res.Interface = r.name
			return r.refresh()
		}
		if !errors.Is(err, unix.EEXIST) || r.spec.Name != "" || try == maxRenames {
			return fmt.Errorf("renaming slave to %s in %s: %w", r.name, r.target, err)
		}
		if r.name, err = r.pickName(); err != nil {
			return err
		}
	}
}

// up turns on arp_notify/ndisc_notify, sets how the slave takes router
// advertisements (raSysctls) and brings it up (unless the kernel announces
// its addresses: then step addr does). Addresses from Spec.Late that do
// not need the slave up arrive in between: what comes before does not
// depend on them.
func (r *attachRun) up(ctx context.Context) error {
	if err := r.target.Do(r.notifySysctls); err != nil {
		return err
	}
	if err := r.takeLate(ctx, false); err != nil {
		return err
	}
	if r.kernelAnnounces() {
		return nil
	}
	return r.setUp()
}

// notifySysctls turns on arp_notify and ndisc_notify and sets the router
// advertisement sysctls of the slave; run in the target.
func (r *attachRun) notifySysctls() error {
	s, err := r.sysDir.wait()
	if err != nil {
		return fmt.Errorf("setting arp_notify on %s in %s: %w", r.name, r.target, err)
	}
	if err := s.set("ipv4/conf/"+r.name+"/arp_notify", "1"); err != nil {
		return fmt.Errorf("setting arp_notify on %s in %s: %w", r.name, r.target, err)
	}
	err = s.set("ipv6/conf/"+r.name+"/ndisc_notify", "1")
	if err != nil && !os.IsNotExist(err) { // not there: IPv6 is off in the target
		return fmt.Errorf("setting ndisc_notify on %s in %s: %w", r.name, r.target, err)
	}
	return r.raSysctls(s)
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
	r.rec.LoUp = true
	if err := r.save(); err != nil {
		return err
	}
	if err := r.th.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bringing lo up in %s: %w", r.target, err)
	}
	r.undo.push("lo", "lo up", func() error { return r.loDown(lo) })
	return nil
}

// loDown reverts loUp as far as the kernel allows: lo goes down and loses
// the 127.0.0.1/8 it got when it came up. (The default qdisc the kernel
// attached stays; no netlink request removes it.)
func (r *attachRun) loDown(lo netlink.Link) error {
	return setLoDown(r.th, lo)
}

// setLoDown brings lo down and removes the 127.0.0.1/8 it got coming up.
func setLoDown(th netlinksafe.Handle, lo netlink.Link) error {
	if err := th.LinkSetDown(lo); err != nil {
		return err
	}
	err := th.AddrDel(lo, &netlink.Addr{IPNet: prefixNet(netip.MustParsePrefix("127.0.0.1/8"))})
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
