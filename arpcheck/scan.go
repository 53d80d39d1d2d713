package arpcheck

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"
)

// Scan defaults.
const (
	// DefaultBandwidth (bits/s) sends a /24 in about 65 ms.
	DefaultBandwidth = 2_000_000
	// DefaultScanWait is how long Scan listens after its last request.
	DefaultScanWait = 150 * time.Millisecond
	// DefaultTries is how often an address that did not answer is asked.
	DefaultTries = 2
	// MaxScanBits is the shortest prefix Scan accepts (a /16).
	MaxScanBits = 16
	// frameBits is one ARP request on the wire: a minimum Ethernet frame
	// (64 bytes with FCS), as arp-scan's --bandwidth counts it.
	frameBits = 64 * 8
)

// ScanConfig says what to scan and how fast.
type ScanConfig struct {
	Subnet    netip.Prefix // an IPv4 subnet of /16 or smaller
	Bandwidth int64        // sending rate in bits/s like arp-scan --bandwidth; 0 means DefaultBandwidth
	Wait      time.Duration
	Tries     int                  // 0 means DefaultTries
	Progress  func(p ScanProgress) // called after each burst of requests; may be nil
}

// ScanProgress is how far a scan got.
type ScanProgress struct {
	Try, Tries    int // the current pass, from 1
	Sent, Targets int // requests sent in this pass, addresses in the subnet
	Found         int // addresses found in use so far
}

// Used is an address found in use.
type Used struct {
	IP    netip.Addr
	MAC   net.HardwareAddr
	Where Where
}

// Hosts returns the first and last address of an IPv4 or IPv6 subnet a
// host may use (no network, broadcast or subnet-router anycast address).
func Hosts(s netip.Prefix) (first, last netip.Addr) { return hostBounds(s.Masked()) }

// Scan asks every host address of cfg.Subnet by ARP from hw with sender
// IP src (0.0.0.0 for ARP probes) and returns the addresses that answered,
// or that any ARP packet from another MAC showed in use, sorted. It sends
// at most cfg.Bandwidth bits/s, asks addresses that stay silent again up
// to cfg.Tries times, and listens cfg.Wait after the last request.
func Scan(ctx context.Context, c Conn, hw net.HardwareAddr, src netip.Addr, cfg ScanConfig) ([]Used, error) {
	s := cfg.Subnet.Masked()
	if !s.Addr().Is4() || s.Bits() < MaxScanBits {
		return nil, fmt.Errorf("cannot ARP-scan %s: give an IPv4 subnet of /%d or smaller", cfg.Subnet, MaxScanBits)
	}
	sc := newScanner(c, hw, src, s, cfg)
	err := exchange(ctx, c, time.Now(), sc.wait, sc.step, sc.handle)
	if err != nil {
		err = fmt.Errorf("ARP scan of %s: %w", s, err)
	}
	return sc.used(), err
}

// scanner is the state of one Scan.
type scanner struct {
	c        Conn
	hw       net.HardwareAddr
	src      netip.Addr
	subnet   netip.Prefix
	first    netip.Addr
	targets  int
	interval time.Duration
	wait     time.Duration
	tries    int
	progress func(ScanProgress)

	start     time.Time
	sent      int // requests sent in all passes
	try, next int // the current pass and its next target index
	found     map[netip.Addr]net.HardwareAddr
}

// newScanner applies cfg's defaults.
func newScanner(c Conn, hw net.HardwareAddr, src netip.Addr, s netip.Prefix, cfg ScanConfig) *scanner {
	cfg = cfg.withDefaults()
	first, _ := Hosts(s)
	return &scanner{c: c, hw: hw, src: src, subnet: s, first: first,
		targets: cfg.targets(), interval: cfg.interval(),
		wait: cfg.Wait, tries: cfg.Tries, progress: cfg.Progress,
		try: 1, found: map[netip.Addr]net.HardwareAddr{}}
}

// ipOffset is b - a for IPv4 addresses.
func ipOffset(a, b netip.Addr) uint32 {
	a4, b4 := a.As4(), b.As4()
	return beUint32(b4) - beUint32(a4)
}

// beUint32 reads a big-endian IPv4 address.
func beUint32(b [4]byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// target returns host number i of the subnet.
func (sc *scanner) target(i int) netip.Addr {
	n := beUint32(sc.first.As4()) + uint32(i)
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// step sends every request the rate allows by now, skipping addresses that
// answered in an earlier pass.
func (sc *scanner) step(now time.Time) (time.Time, bool, error) {
	if sc.start.IsZero() {
		sc.start = now
	}
	due := int(now.Sub(sc.start)/sc.interval) + 1
	for sc.sent < due {
		if sc.next == sc.targets {
			if sc.try == sc.tries {
				sc.report()
				return time.Time{}, false, nil
			}
			sc.try, sc.next = sc.try+1, 0
		}
		ip := sc.target(sc.next)
		sc.next++
		if _, ok := sc.found[ip]; ok && sc.try > 1 {
			continue
		}
		if err := sc.ask(ip); err != nil {
			return time.Time{}, false, err
		}
	}
	sc.report()
	return sc.start.Add(time.Duration(sc.sent) * sc.interval), true, nil
}

// ask sends one request for ip.
func (sc *scanner) ask(ip netip.Addr) error {
	b, err := request(sc.hw, sc.src, ip)
	if err == nil {
		err = send(sc.c, b)
	}
	if err != nil {
		return fmt.Errorf("asking for %s: %w", ip, err)
	}
	sc.sent++
	return nil
}

// report calls the progress callback.
func (sc *scanner) report() {
	if sc.progress != nil {
		sc.progress(ScanProgress{Try: sc.try, Tries: sc.tries, Sent: sc.next, Targets: sc.targets, Found: len(sc.found)})
	}
}

// handle records the sender of any ARP packet from another MAC whose
// sender IP lies in the subnet.
func (sc *scanner) handle(b []byte, _ net.Addr) bool {
	p, ok := parseARP(b)
	if !ok || bytes.Equal(p.SenderHardwareAddr, sc.hw) || p.SenderIP.IsUnspecified() || !sc.subnet.Contains(p.SenderIP) {
		return false
	}
	if _, seen := sc.found[p.SenderIP]; !seen {
		sc.found[p.SenderIP] = slices.Clone(p.SenderHardwareAddr)
	}
	return false
}

// used returns the addresses found, sorted.
func (sc *scanner) used() []Used {
	out := make([]Used, 0, len(sc.found))
	for ip, mac := range sc.found {
		out = append(out, Used{IP: ip, MAC: mac, Where: WhereLAN})
	}
	slices.SortFunc(out, func(a, b Used) int { return a.IP.Compare(b.IP) })
	return out
}
