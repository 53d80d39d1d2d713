package arpcheck

import (
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/packet"
)

// arrival is a payload a fakeConn delivers at a time.
type arrival struct {
	at   time.Time
	b    []byte
	from net.HardwareAddr
}

// fakeConn is an in-memory ARP socket on real time: ReadFrom delivers the
// queued arrivals in time order and honours read deadlines; WriteTo records
// what was sent and lets onSend queue answers.
type fakeConn struct {
	mu       sync.Mutex
	queue    []arrival
	deadline time.Time
	wake     chan struct{}
	sent     [][]byte
	to       []net.Addr // where each sent payload went
	onSend   func(f *fakeConn, b []byte)
}

func newFakeConn() *fakeConn { return &fakeConn{wake: make(chan struct{}, 1)} }

// deliver queues b from MAC from to arrive after d.
func (f *fakeConn) deliver(d time.Duration, b []byte, from net.HardwareAddr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := arrival{at: time.Now().Add(d), b: b, from: from}
	i := 0
	for i < len(f.queue) && !f.queue[i].at.After(a.at) {
		i++
	}
	f.queue = append(f.queue[:i], append([]arrival{a}, f.queue[i:]...)...)
	f.poke()
}

func (f *fakeConn) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *fakeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		f.mu.Lock()
		now := time.Now()
		if len(f.queue) > 0 && !f.queue[0].at.After(now) {
			a := f.queue[0]
			f.queue = f.queue[1:]
			f.mu.Unlock()
			return copy(b, a.b), &packet.Addr{HardwareAddr: a.from}, nil
		}
		if !f.deadline.IsZero() && !now.Before(f.deadline) {
			f.mu.Unlock()
			return 0, nil, os.ErrDeadlineExceeded
		}
		wait := time.Hour
		if !f.deadline.IsZero() {
			wait = f.deadline.Sub(now)
		}
		if len(f.queue) > 0 {
			wait = min(wait, f.queue[0].at.Sub(now))
		}
		f.mu.Unlock()
		select {
		case <-time.After(wait):
		case <-f.wake:
		}
	}
}

func (f *fakeConn) WriteTo(b []byte, to net.Addr) (int, error) {
	f.mu.Lock()
	f.sent = append(f.sent, append([]byte(nil), b...))
	f.to = append(f.to, to)
	on := f.onSend
	f.mu.Unlock()
	if on != nil {
		on(f, b)
	}
	return len(b), nil
}

func (f *fakeConn) SetReadDeadline(t time.Time) error {
	f.mu.Lock()
	f.deadline = t
	f.poke()
	f.mu.Unlock()
	return nil
}

func (f *fakeConn) Close() error { return nil }

// sentPackets decodes everything sent so far.
func (f *fakeConn) sentPackets(t *testing.T) []*arp.Packet {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*arp.Packet
	for _, b := range f.sent {
		p, ok := parseARP(b)
		if !ok {
			t.Fatalf("sent a malformed ARP packet %x", b)
		}
		out = append(out, p)
	}
	return out
}

// mustARP builds an ARP payload.
func mustARP(t testing.TB, op arp.Operation, hw net.HardwareAddr, sender netip.Addr, targetHW net.HardwareAddr, target netip.Addr) []byte {
	t.Helper()
	p, err := arp.NewPacket(op, hw, sender, targetHW, target)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
