package nsattach

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/dhcp"
	"github.com/lanattach/lanattach/ledger"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// keeperPoll is how often a keeper checks that its attachment lives.
const keeperPoll = time.Second

// keeperStartWait bounds how long a keeper waits for its attach to finish.
const keeperStartWait = 5 * time.Minute

// RunKeeper keeps the DHCP lease of record id: it renews it at T1 and
// rebinds at T2, applying each extension to the address's lifetimes and
// to the record, until detach stops it (ctx ends), or the record, the
// slave or its netns is gone. It holds no reference to the target netns
// between exchanges, so the netns dies with its container.
func RunKeeper(ctx context.Context, id string) error {
	led, err := openLedger()
	if err != nil {
		return err
	}
	rec, ok, err := waitDone(ctx, led, id)
	if err != nil || !ok {
		return err
	}
	st := dhcpOf(rec.Extra)
	if st == nil {
		return fmt.Errorf("record %s has no DHCP lease", id)
	}
	k := &dhcp.Keeper{Lease: st.Lease, Poll: keeperPoll,
		Open:    func() (*dhcp.Client, error) { return openClientAt(rec, st.options()) },
		Alive:   func() bool { return keeperAlive(led, rec) },
		Renewed: func(l *dhcp.Lease) error { return applyRenewal(ctx, led, rec, l) },
		Refused: func(l *dhcp.Lease) error { return giveUpLease(ctx, led, rec, l) },
		Logf: func(format string, args ...any) {
			slog.Info(fmt.Sprintf(format, args...), "record", id)
		}}
	return k.Run(ctx)
}

// waitDone waits for the attach of record id to finish; ok is false when
// it failed (the record is gone or was left interrupted).
func waitDone(ctx context.Context, led *ledger.Ledger, id string) (ledger.Record, bool, error) {
	deadline := time.Now().Add(keeperStartWait)
	for time.Now().Before(deadline) {
		rec, err := led.Get(id)
		if errors.Is(err, ledger.ErrNoRecord) {
			return rec, false, nil
		}
		if err != nil || rec.State == ledger.Done {
			return rec, err == nil, err
		}
		if running, err := led.Running(id); err != nil || !running {
			return rec, false, err
		}
		select {
		case <-ctx.Done():
			return rec, false, nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	return ledger.Record{}, false, fmt.Errorf("record %s: the attach did not finish in %s", id, keeperStartWait)
}

// keeperAlive reports whether rec's attachment still exists: its record
// is there and done, and the kernel still has its slave.
func keeperAlive(led *ledger.Ledger, rec ledger.Record) bool {
	cur, err := led.Get(rec.ID)
	switch {
	case errors.Is(err, ledger.ErrNoRecord):
		return false
	case err != nil:
		return true // cannot tell: keep the lease
	case cur.State != ledger.Done:
		return false // detach is removing it
	}
	links, err := linksByNSID(nil, rec.Target.NSID)
	if errors.Is(err, errNSGone) {
		return false
	}
	return err != nil || slaveOf(links, rec) != nil
}

// openTargetAt opens rec's target netns by its path, if the path still
// leads to the same namespace.
func openTargetAt(rec ledger.Record) (ns.NetNS, error) {
	n, err := ns.GetNS(rec.Target.Path)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", rec.Target.Path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(n.Fd()), &st); err != nil || st.Ino != rec.Target.Inode {
		n.Close()
		return nil, fmt.Errorf("target %s is another netns now", rec.Target.Path)
	}
	return n, nil
}

// openClientAt opens a DHCP client on rec's slave; the socket alone keeps
// the netns while the client is open.
func openClientAt(rec ledger.Record, o dhcp.Options) (*dhcp.Client, error) {
	n, err := openTargetAt(rec)
	if err != nil {
		return nil, err
	}
	defer n.Close()
	return dhcp.Open(n, rec.Name, o)
}

// applyRenewal gives the address the extended lifetimes and records the
// extended lease, only while the record is still done (a detach may be
// removing it).
func applyRenewal(ctx context.Context, led *ledger.Ledger, rec ledger.Record, l *dhcp.Lease) error {
	err := onSlave(rec, func(h netlinksafe.Handle, slave netlink.Link) error {
		a := &netlink.Addr{IPNet: prefixNet(l.Addr)}
		setLifetimes(a, l, time.Now())
		if err := h.AddrReplace(slave, a); err != nil {
			return fmt.Errorf("extending %s on %s: %w", l.Addr, rec.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return updateDone(ctx, led, rec.ID, func(cur *ledger.Record) error {
		st := dhcpOf(cur.Extra)
		if st == nil {
			return fmt.Errorf("record %s lost its DHCP lease", rec.ID)
		}
		st.Lease = l
		return setDHCP(cur, st)
	})
}

// giveUpLease stops the use of lease l, which the server refused: it
// removes the address from rec's slave, with the default route through
// the lease's router, and the lease from the record (while the record is
// still done). The attachment stays, without the address.
func giveUpLease(ctx context.Context, led *ledger.Ledger, rec ledger.Record, l *dhcp.Lease) error {
	err := onSlave(rec, func(h netlinksafe.Handle, slave netlink.Link) error {
		if l.Router.IsValid() {
			rt := &netlink.Route{LinkIndex: slave.Attrs().Index, Gw: l.Router.AsSlice()}
			if err := h.RouteDel(rt); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("removing the route via %s from %s: %w", l.Router, rec.Name, err)
			}
		}
		err := h.AddrDel(slave, &netlink.Addr{IPNet: prefixNet(l.Addr)})
		if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			return fmt.Errorf("removing %s from %s: %w", l.Addr, rec.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return updateDone(ctx, led, rec.ID, func(cur *ledger.Record) error {
		cur.Addresses = slices.DeleteFunc(cur.Addresses, func(a string) bool { return a == l.Addr.String() })
		delete(cur.Extra, dhcpKey)
		return nil
	})
}

// onSlave runs fn with a handle in rec's target and rec's slave there.
func onSlave(rec ledger.Record, fn func(h netlinksafe.Handle, slave netlink.Link) error) error {
	n, err := openTargetAt(rec)
	if err != nil {
		return err
	}
	defer n.Close()
	h, err := handleAt(netns.NsHandle(n.Fd()), rec.Target.Path)
	if err != nil {
		return err
	}
	defer h.Close()
	slave, err := h.LinkByName(rec.Name)
	if err != nil {
		return fmt.Errorf("finding %s in %s: %w", rec.Name, rec.Target.Path, err)
	}
	return fn(h, slave)
}

// updateDone changes record id with fn and writes it, under the host-wide
// lock and only while the record is done. The wait for the lock ends with
// ctx: a detach holding it stops the keeper meanwhile.
func updateDone(ctx context.Context, led *ledger.Ledger, id string, fn func(*ledger.Record) error) error {
	unlock, err := led.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := led.Get(id)
	if err != nil || cur.State != ledger.Done {
		return fmt.Errorf("record %s is no longer done: %v", id, err)
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return led.Put(&cur)
}
