package arpcheck

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/mdlayher/arp"
)

// Mode selects how addresses are probed on the LAN.
type Mode string

// The probe modes of --probe.
const (
	ModeFast Mode = "fast" // 3 probes inside one short window (--probe-timeout)
	ModeRFC  Mode = "rfc"  // RFC 5227 timing: about 3 to 7 seconds
	ModeOff  Mode = "off"  // no LAN probe
)

// The whole probe window in fast mode: DefaultWindow unless --probe-timeout
// says otherwise, which must lie in [MinWindow, MaxWindow]. MinWindow still
// leaves a quarter of it between probes and half of it for the replies;
// beyond MaxWindow, rfc mode is the better choice.
const (
	DefaultWindow = 200 * time.Millisecond
	MinWindow     = 10 * time.Millisecond
	MaxWindow     = 10 * time.Second
)

// RFC 5227 section 1.1 timing constants.
const (
	probeWait        = time.Second     // PROBE_WAIT: random delay before the first probe
	probeMin         = time.Second     // PROBE_MIN
	probeMax         = 2 * time.Second // PROBE_MAX
	announceWait     = 2 * time.Second // ANNOUNCE_WAIT: listening after the last probe
	announceInterval = 2 * time.Second // ANNOUNCE_INTERVAL
	probeNum         = 3               // PROBE_NUM
	announceNum      = 2               // ANNOUNCE_NUM
)

// ParseMode parses a --probe value.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModeFast, ModeRFC, ModeOff:
		return m, nil
	}
	return "", fmt.Errorf("%q is not a probe mode (fast, rfc or off)", s)
}

// CheckWindow refuses a fast-mode window outside [MinWindow, MaxWindow]:
// a shorter one would end before any reply could arrive, a longer one
// would hold the run for nothing.
func CheckWindow(d time.Duration) error {
	if d < MinWindow || d > MaxWindow {
		return fmt.Errorf("%v is outside %v to %v (the whole fast probe window)", d, MinWindow, MaxWindow)
	}
	return nil
}

// ProbeConfig says how to probe.
type ProbeConfig struct {
	Mode   Mode
	Window time.Duration // the whole window in fast mode; 0 means DefaultWindow
	// Peers are MACs whose own probes for an address are no clash: the
	// slaves of concurrent runs of this host, which arbitrate among
	// themselves by other means. Their answers still are.
	Peers []net.HardwareAddr
}

// window returns the fast-mode window, defaulted.
func (cfg ProbeConfig) window() time.Duration {
	if cfg.Window > 0 {
		return cfg.Window
	}
	return DefaultWindow
}

// schedule returns when to send the probes, as offsets from the start, and
// how long to listen after the last one. Fast mode sends at 0, W/4 and W/2
// and listens until W; rfc mode follows RFC 5227 with jitter from rnd.
func schedule(cfg ProbeConfig, rnd func(time.Duration) time.Duration) ([probeNum]time.Duration, time.Duration) {
	if cfg.Mode != ModeRFC {
		w := cfg.window()
		return [probeNum]time.Duration{0, w / 4, w / 2}, w - w/2
	}
	var at [probeNum]time.Duration
	at[0] = rnd(probeWait)
	for i := 1; i < probeNum; i++ {
		at[i] = at[i-1] + probeMin + rnd(probeMax-probeMin)
	}
	return at, announceWait
}

// jitter returns a random duration in [0, d].
func jitter(d time.Duration) time.Duration { return rand.N(d + 1) }

// ipv4s keeps the IPv4 addresses of ips, unmapped and deduplicated.
func ipv4s(ips []netip.Addr) []netip.Addr { return distinct(ips, netip.Addr.Is4) }

// ipv6s keeps the IPv6 addresses of ips (not IPv4-mapped ones),
// deduplicated.
func ipv6s(ips []netip.Addr) []netip.Addr { return distinct(ips, netip.Addr.Is6) }

// distinct keeps the unmapped addresses of ips that keep accepts, once each.
func distinct(ips []netip.Addr, keep func(netip.Addr) bool) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if ip = ip.Unmap(); keep(ip) && !slices.Contains(out, ip) {
			out = append(out, ip)
		}
	}
	return out
}

// Probe checks every IPv4 address of ips at once with RFC 5227 ARP probes
// sent from hw on c (other addresses are ignored) and reports the ones in
// use on the LAN: an ARP packet from another MAC whose sender IP is a
// candidate, or another host's probe for a candidate. It listens until the
// window closes after the last probe, or until every candidate clashed.
func Probe(ctx context.Context, c Conn, hw net.HardwareAddr, ips []netip.Addr, cfg ProbeConfig) ([]Conflict, error) {
	cands := ipv4s(ips)
	if cfg.Mode == ModeOff || len(cands) == 0 {
		return nil, nil
	}
	pkts := make([][]byte, len(cands))
	for i, ip := range cands {
		var err error
		if pkts[i], err = request(hw, netip.IPv4Unspecified(), ip); err != nil {
			return nil, err
		}
	}
	at, linger := schedule(cfg, jitter)
	w := newWatch(hw, cands)
	w.peers = cfg.Peers
	start := time.Now()
	step := rounds(start, at[:], func() error {
		for _, p := range pkts {
			if err := send(c, p); err != nil {
				return err
			}
		}
		return nil
	})
	err := exchange(ctx, c, start.Add(at[0]), linger, step, w.handle)
	if err != nil {
		err = fmt.Errorf("ARP probe for %v: %w", cands, err)
	}
	return w.conflicts(), err
}

// watch classifies received ARP packets against the candidates of a probe.
type watch struct {
	hw    net.HardwareAddr
	peers []net.HardwareAddr // whose probes are no clash
	index map[netip.Addr]int
	found []Conflict
	left  int
}

// newWatch watches for clashes with cands from any MAC but hw.
func newWatch(hw net.HardwareAddr, cands []netip.Addr) *watch {
	w := &watch{hw: hw, index: map[netip.Addr]int{}, found: make([]Conflict, len(cands)), left: len(cands)}
	for i, ip := range cands {
		w.index[ip] = i
	}
	return w
}

// handle records the clash a packet shows, if any, and says whether every
// candidate has clashed.
func (w *watch) handle(b []byte, _ net.Addr) bool {
	p, ok := parseARP(b)
	if !ok || bytes.Equal(p.SenderHardwareAddr, w.hw) {
		return false
	}
	ip, detail := p.SenderIP, "answered the ARP probe"
	if ip.IsUnspecified() {
		if p.Operation != arp.OperationRequest {
			return false
		}
		if w.peer(p.SenderHardwareAddr) {
			return false
		}
		ip, detail = p.TargetIP, "another host is probing for it"
	}
	return w.record(ip, p.SenderHardwareAddr, WhereLAN, detail)
}

// peer reports whether mac is one of the configured peers.
func (w *watch) peer(mac net.HardwareAddr) bool {
	return slices.ContainsFunc(w.peers, func(p net.HardwareAddr) bool { return bytes.Equal(p, mac) })
}

// record keeps the first clash seen for a candidate ip (other addresses
// are ignored) and says whether every candidate has clashed.
func (w *watch) record(ip netip.Addr, mac net.HardwareAddr, where Where, detail string) bool {
	i, ok := w.index[ip]
	if !ok || w.found[i].IP.IsValid() {
		return false
	}
	w.found[i] = Conflict{IP: ip, MAC: slices.Clone(mac), Where: where, Detail: detail}
	w.left--
	return w.left == 0
}

// conflicts returns the clashes found, in candidate order.
func (w *watch) conflicts() []Conflict {
	var out []Conflict
	for _, c := range w.found {
		if c.IP.IsValid() {
			out = append(out, c)
		}
	}
	return out
}

// Announce sends announceNum RFC 5227 ARP announcements (sender IP = target
// IP, target MAC zero) for every IPv4 address of ips. They are
// announceInterval (2s) apart in rfc mode, a tenth of the window (20ms by
// default) apart in fast mode, and back to back with probing off, which
// never waits.
func Announce(ctx context.Context, c Conn, hw net.HardwareAddr, ips []netip.Addr, cfg ProbeConfig) error {
	gap := cfg.window() / 10
	switch cfg.Mode {
	case ModeRFC:
		gap = announceInterval
	case ModeOff:
		gap = 0 // --probe off never waits: back to back
	}
	for n := range announceNum {
		if n > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("announcing %v: %w", ipv4s(ips), ctx.Err())
			case <-time.After(gap):
			}
		}
		for _, ip := range ipv4s(ips) {
			b, err := request(hw, ip, ip)
			if err == nil {
				err = send(c, b)
			}
			if err != nil {
				return fmt.Errorf("announcing %s: %w", ip, err)
			}
		}
	}
	return nil
}
