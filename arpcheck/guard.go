package arpcheck

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdlayher/ndp"
	"github.com/mdlayher/packet"
)

// NDPGuard keeps listening for other nodes claiming IPv6 addresses after
// they passed a DAD probe and were assigned without the kernel's DAD
// (IFA_F_NODAD): with NODAD the kernel finds no duplicate any more, so the
// guard does in its place. A Neighbor Advertisement for a guarded address
// from another MAC is a clash (WhereDAD). A DAD solicitation for one is
// not: the address is ours by then, and the kernel defends it as RFC 4862
// section 5.4.3 says, which makes the other node's DAD fail.
type NDPGuard struct {
	c        NDPConn
	w        *watch
	stopping atomic.Bool
	done     chan struct{}
	err      error // a read error, set before done closes
	stop     sync.Once
}

// GuardNDP starts guarding the IPv6 addresses of ips (others are ignored)
// on c, ignoring frames from hw (our own). It reads c from a goroutine
// until Stop: c must not be read elsewhere meanwhile. Unsolicited and
// DAD-answering advertisements go to all-nodes, which every interface
// receives, so it joins no group.
func GuardNDP(c NDPConn, hw net.HardwareAddr, ips []netip.Addr) (*NDPGuard, error) {
	g := &NDPGuard{c: c, w: newWatch(hw, ipv6s(ips)), done: make(chan struct{})}
	if g.w.left == 0 {
		close(g.done)
		return g, nil
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil { // a probe left its deadline
		return nil, fmt.Errorf("guarding %v: %w", ipv6s(ips), err)
	}
	go g.run()
	return g, nil
}

// run reads c until Stop or a read error.
func (g *NDPGuard) run() {
	defer close(g.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := g.c.ReadFrom(buf)
		if g.stopping.Load() {
			return
		}
		if err != nil {
			g.err = fmt.Errorf("reading IPv6 packets while guarding %v: %w", g.addrs(), err)
			return
		}
		if g.handle(buf[:n], from) {
			return
		}
	}
}

// handle records the clash an advertisement shows and says whether every
// guarded address has clashed.
func (g *NDPGuard) handle(b []byte, from net.Addr) bool {
	m, _, ok := parseNDP(b)
	na, isNA := m.(*ndp.NeighborAdvertisement)
	if !ok || !isNA {
		return false
	}
	var mac net.HardwareAddr
	if a, isPacket := from.(*packet.Addr); isPacket {
		mac = a.HardwareAddr
	}
	if bytes.Equal(mac, g.w.hw) {
		return false
	}
	if t := targetLLA(na.Options); t != nil {
		mac = t
	}
	return g.w.record(na.TargetAddress, mac, WhereDAD, "advertised by another node after the DAD probe passed")
}

// addrs lists the guarded addresses.
func (g *NDPGuard) addrs() []netip.Addr {
	out := make([]netip.Addr, len(g.w.index))
	for ip, i := range g.w.index {
		out[i] = ip
	}
	return out
}

// Stop ends the guard and returns the clashes it saw, and a read error
// that ended it early. It leaves c's read deadline in the past. Calling it
// again returns the same.
func (g *NDPGuard) Stop() ([]Conflict, error) {
	var err error
	g.stop.Do(func() {
		g.stopping.Store(true)
		select {
		case <-g.done:
		default:
			err = g.c.SetReadDeadline(time.Now())
		}
		<-g.done
	})
	if err != nil {
		err = fmt.Errorf("stopping the guard of %v: %w", g.addrs(), err)
	}
	return g.w.conflicts(), errors.Join(g.err, err)
}
