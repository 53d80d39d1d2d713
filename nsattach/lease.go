package nsattach

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/lanattach/lanattach/dhcp"
	"github.com/lanattach/lanattach/ledger"
	"github.com/vishvananda/netlink"
)

// dhcpKey is the record's Extra key of the DHCP state.
const dhcpKey = "dhcp"

// dhcpState is what the record keeps of a lease: the lease, how the
// client identifies itself, and the keeper process.
type dhcpState struct {
	Lease     *dhcp.Lease `json:"lease"`
	ClientID  []byte      `json:"client_id,omitempty"`
	Broadcast bool        `json:"broadcast,omitempty"`
	Keeper    int         `json:"keeper_pid,omitempty"`
}

// options are the client options the state was made with.
func (s *dhcpState) options() dhcp.Options {
	return dhcp.Options{ClientID: s.ClientID, Broadcast: s.Broadcast}
}

// obtainLease gets the --ip dhcp lease on the slave. The acknowledged
// address gets the same host, sibling and ARP checks as any address, and
// is declined on a clash; it is recorded before it is assigned, and
// released on rollback.
func (r *attachRun) obtainLease(ctx context.Context) error {
	if !r.spec.Addrs.DHCP {
		return nil
	}
	st := r.clientIdentity()
	c, err := dhcp.Open(r.target.NS, r.name, st.options())
	if err != nil {
		return fmt.Errorf("--ip dhcp: %w", err)
	}
	r.dhcpc = c
	var took time.Duration // spent checking offers for clashes
	l, err := c.Obtain(ctx, r.spec.Dynamic.DHCPTimeout, func(ctx context.Context, l *dhcp.Lease) (bool, error) {
		start := time.Now()
		defer func() { took += time.Since(start) }()
		return r.leaseClash(ctx, l)
	})
	if err != nil {
		return fmt.Errorf("--ip dhcp: %w", err)
	}
	r.undo.push("dhcp", "lease "+l.Addr.String(), func() error { return c.Release(l) })
	r.lease, st.Lease = l, l
	if err := r.saveDHCP(st); err != nil {
		return err
	}
	r.v4 = append(r.v4, l.Addr)
	r.unclaimed = append(r.unclaimed, l.Addr) // claimed in step addr, like any other
	r.res.Probe.Checks = append(r.res.Probe.Checks, r.checksOf([]netip.Prefix{l.Addr}, "arp", took)...)
	r.res.Lease = leaseInfo(st)
	return nil
}

// clientIdentity is how the client tells itself apart: ipvlan slaves share
// the parent's MAC, so they send a client identifier derived from the
// --mac-seed or the target, and ask for broadcast replies.
func (r *attachRun) clientIdentity() *dhcpState {
	if r.spec.Type.Kind != "ipvlan" {
		return &dhcpState{}
	}
	seed := r.spec.Dynamic.MACSeed
	if seed == "" {
		seed = r.target.Spec.Name
	}
	if seed == "" {
		seed = "inode:" + strconv.FormatUint(r.target.Inode, 10)
	}
	return &dhcpState{ClientID: dhcp.ClientID(seed + "/" + r.name), Broadcast: true}
}

// leaseClash checks an acknowledged address like any other: host,
// siblings, concurrent runs, then an ARP probe.
func (r *attachRun) leaseClash(ctx context.Context, l *dhcp.Lease) (bool, error) {
	cs, err := r.hostAndLAN(ctx, []netip.Addr{l.Addr.Addr()})
	return len(cs) > 0, err
}

// saveDHCP writes the DHCP state into the run's record.
func (r *attachRun) saveDHCP(st *dhcpState) error {
	if err := setDHCP(&r.rec, st); err != nil {
		return err
	}
	return r.save()
}

// setDHCP puts the DHCP state into rec's Extra.
func setDHCP(rec *ledger.Record, st *dhcpState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding the DHCP lease: %w", err)
	}
	if rec.Extra == nil {
		rec.Extra = map[string]string{}
	}
	rec.Extra[dhcpKey] = string(b)
	return nil
}

// leaseLifetimes gives the leased address the lease's lifetimes, so that
// the kernel drops it if nobody renews it.
func (r *attachRun) leaseLifetimes(a *netlink.Addr, p netip.Prefix) {
	if r.lease == nil || p != r.lease.Addr {
		return
	}
	setLifetimes(a, r.lease, time.Now())
}

// setLifetimes sets a's valid and preferred lifetimes to what is left of l.
func setLifetimes(a *netlink.Addr, l *dhcp.Lease, now time.Time) {
	left := max(int(l.Remaining(now)), 1)
	a.ValidLft, a.PreferedLft = left, left
}

// leaseRoutes is the default route through the lease's router.
func (r *attachRun) leaseRoutes() []Route {
	if r.lease == nil || !r.lease.Router.IsValid() {
		return nil
	}
	return []Route{{Via: r.lease.Router}}
}

// dhcpOf reads the DHCP state of a record's Extra; nil when it has none.
func dhcpOf(extra map[string]string) *dhcpState {
	s, ok := extra[dhcpKey]
	if !ok {
		return nil
	}
	var st dhcpState
	if json.Unmarshal([]byte(s), &st) != nil || st.Lease == nil {
		return nil
	}
	return &st
}

// LeaseInfo describes a DHCP lease in results and in list.
type LeaseInfo struct {
	Address string       `json:"address"`
	Router  string       `json:"router,omitempty"`
	DNS     []netip.Addr `json:"dns"`
	Domain  string       `json:"domain,omitempty"`
	Server  string       `json:"server"`
	Expires time.Time    `json:"expires"`
	Keeper  int          `json:"keeper_pid,omitempty"`
}

// leaseInfo describes st's lease; nil for nil.
func leaseInfo(st *dhcpState) *LeaseInfo {
	if st == nil {
		return nil
	}
	l := st.Lease
	li := &LeaseInfo{Address: l.Addr.String(), DNS: append([]netip.Addr{}, l.DNS...), Domain: l.Domain,
		Server: l.Server.String(), Expires: l.Expires().UTC().Truncate(time.Second), Keeper: st.Keeper}
	if l.Router.IsValid() {
		li.Router = l.Router.String()
	}
	return li
}
