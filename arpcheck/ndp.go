package arpcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/mdlayher/packet"
)

// RFC 4862 / RFC 4861 constants of the rfc-mode DAD probe.
const (
	// dupAddrDetectTransmits is RFC 4862's DupAddrDetectTransmits default
	// (also Linux's dad_transmits): one Neighbor Solicitation.
	dupAddrDetectTransmits = 1
	// retransTimer is RFC 4861's RETRANS_TIMER: the gap between
	// solicitations and the wait after the last one.
	retransTimer = time.Second
	// maxRtrSolicitationDelay is RFC 4861's MAX_RTR_SOLICITATION_DELAY:
	// RFC 4862 section 5.4.2 delays the first solicitation of a freshly
	// enabled interface by a random time up to it.
	maxRtrSolicitationDelay = time.Second
)

// dadSchedule returns when to send the DAD probes, as offsets from the
// start, and how long to listen after the last one. Fast mode is the ARP
// schedule (3 probes at 0, W/4 and W/2, listening until W); rfc mode is
// RFC 4862: a random delay up to 1s, DupAddrDetectTransmits (1)
// solicitations RetransTimer (1s) apart, then RetransTimer of listening,
// 1 to 2 seconds in all.
func dadSchedule(cfg ProbeConfig, rnd func(time.Duration) time.Duration) ([]time.Duration, time.Duration) {
	if cfg.Mode != ModeRFC {
		at, linger := schedule(cfg, rnd)
		return at[:], linger
	}
	delay := rnd(maxRtrSolicitationDelay)
	at := make([]time.Duration, dupAddrDetectTransmits)
	for i := range at {
		at[i] = delay + time.Duration(i)*retransTimer
	}
	return at, retransTimer
}

// ProbeNDP checks every IPv6 address of ips at once with RFC 4862 duplicate
// address detection sent from hw on c (other addresses are ignored) and
// reports the ones in use: a Neighbor Advertisement for a candidate from
// another node, or another node's DAD Neighbor Solicitation for it (it is
// probing at the same time). Conflicts are WhereDAD, with the MAC of the
// advertisement's target link-layer option, else of the frame's sender.
// It joins the candidates' solicited-node groups for the probe, changes
// nothing else, and listens until the window closes after the last
// probe, or until every candidate clashed.
func ProbeNDP(ctx context.Context, c NDPConn, hw net.HardwareAddr, ips []netip.Addr, cfg ProbeConfig) ([]Conflict, error) {
	cands := ipv6s(ips)
	if cfg.Mode == ModeOff || len(cands) == 0 {
		return nil, nil
	}
	nonce := ndp.NewNonce()
	pkts, tos := make([][]byte, len(cands)), make([]net.Addr, len(cands))
	var groups []netip.Addr
	for i, ip := range cands {
		var g netip.Addr
		var err error
		if pkts[i], g, tos[i], err = dadProbe(ip, nonce); err != nil {
			return nil, err
		}
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	leave, err := joinAll(c, groups)
	if err != nil {
		return nil, err
	}
	at, linger := dadSchedule(cfg, jitter)
	w := &ndpWatch{watch: newWatch(hw, cands), nonce: nonce}
	w.peers = cfg.Peers
	start := time.Now()
	step := rounds(start, at, func() error {
		for i, p := range pkts {
			if _, err := c.WriteTo(p, tos[i]); err != nil {
				return fmt.Errorf("sending DAD probe for %s: %w", cands[i], err)
			}
		}
		return nil
	})
	err = errors.Join(exchange(ctx, c, start.Add(at[0]), linger, step, w.handle), leave())
	if err != nil {
		err = fmt.Errorf("IPv6 DAD probe for %v: %w", cands, err)
	}
	return w.conflicts(), err
}

// joinAll joins every group on c and returns a func leaving them; on
// failure it leaves the ones it joined.
func joinAll(c NDPConn, groups []netip.Addr) (leave func() error, err error) {
	var joined []netip.Addr
	leave = func() error {
		var errs []error
		for _, g := range joined {
			if err := c.LeaveGroup(g); err != nil {
				errs = append(errs, fmt.Errorf("leaving multicast group %s: %w", g, err))
			}
		}
		return errors.Join(errs...)
	}
	for _, g := range groups {
		if err := c.JoinGroup(g); err != nil {
			return nil, errors.Join(fmt.Errorf("joining solicited-node multicast group %s: %w", g, err), leave())
		}
		joined = append(joined, g)
	}
	return leave, nil
}

// ndpWatch classifies received IPv6 packets against the candidates of a
// DAD probe.
type ndpWatch struct {
	*watch
	nonce *ndp.Nonce // ours: a solicitation carrying it is our own echo
}

// handle records the clash a packet from link-layer address from shows,
// if any, and says whether every candidate has clashed. Frames from our
// own MAC are ignored.
func (w *ndpWatch) handle(b []byte, from net.Addr) bool {
	m, src, ok := parseNDP(b)
	var mac net.HardwareAddr
	if a, isPacket := from.(*packet.Addr); isPacket {
		mac = a.HardwareAddr
	}
	if !ok || bytes.Equal(mac, w.hw) {
		return false
	}
	switch m := m.(type) {
	case *ndp.NeighborAdvertisement:
		if t := targetLLA(m.Options); t != nil {
			mac = t
		}
		return w.record(m.TargetAddress, mac, WhereDAD, "answered the IPv6 DAD probe")
	case *ndp.NeighborSolicitation:
		if src.IsUnspecified() && !w.ours(m.Options) && !w.peer(mac) {
			return w.record(m.TargetAddress, mac, WhereDAD, "another node is doing DAD for it")
		}
	}
	return false
}

// ours reports whether opts carry our nonce.
func (w *ndpWatch) ours(opts []ndp.Option) bool {
	for _, o := range opts {
		if n, ok := o.(*ndp.Nonce); ok && n.Equal(w.nonce) {
			return true
		}
	}
	return false
}

// targetLLA returns the Ethernet address of a target link-layer address
// option, or nil.
func targetLLA(opts []ndp.Option) net.HardwareAddr {
	for _, o := range opts {
		if l, ok := o.(*ndp.LinkLayerAddress); ok && l.Direction == ndp.Target && len(l.Addr) == 6 {
			return l.Addr
		}
	}
	return nil
}
