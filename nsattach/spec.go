package nsattach

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
)

// Flags are the attach flags as given on the command line.
type Flags struct {
	Target                                 TargetSpec
	Parent                                 string
	VLAN                                   int
	VLANSet                                bool // --vlan was given (even as 0)
	Mode, MacvlanMode, IPVlanMode, IPVFlag string
	Name                                   string
	IPs, Subnets, Ranges, Excludes         []string
	Gateways, Routes                       []string
	MAC                                    string
	MTU                                    int
	Probe                                  string
	ProbeTimeout                           time.Duration
	NoAnnounce, DryRun                     bool
	DHCPTimeout, RATimeout                 time.Duration
	MACSeed, ResolvConf                    string
	HostAccess                             bool     // --host-access
	ShimIPs                                []string // --shim-ip
}

// Spec is a checked attach request. Parse builds it from Flags without
// looking at the system; Attach checks the rest before changing anything.
type Spec struct {
	Target   TargetSpec
	Parent   link.Parent
	Type     link.Type
	Name     string // empty: eth1 or the next free ethN
	Addrs    Addrs
	MAC      net.HardwareAddr
	MTU      int // 0: the parent's
	Probe    arpcheck.ProbeConfig
	Announce bool
	DryRun   bool
	// Extra is kept in the attachment's record as is (ledger.Record.Extra):
	// a front door's own ids, e.g. a CNI container id. Keys named
	// "GROUP.KEY" show in list's JSON as "GROUP": {"KEY": value}.
	Extra   map[string]string
	Dynamic Dynamic // --ip dhcp, --ip slaac, --mac stable
	// HostAccess: the host reaches the slave through the parent's shim,
	// from ShimIPs (one per family) or the parent's own addresses.
	HostAccess bool
	ShimIPs    []netip.Prefix
	// Late, if set, gives the addresses while the attach runs (see
	// LateAddrs). Not with HostAccess, whose preflight needs them.
	Late LateAddrs
}

// Parse checks f and returns the request it describes. Every error is an
// *InputError naming the flag.
func Parse(f Flags) (Spec, error) {
	if err := f.Target.Validate(); err != nil {
		return Spec{}, err
	}
	s := Spec{Target: f.Target, MTU: f.MTU, Announce: !f.NoAnnounce, DryRun: f.DryRun}
	if f.VLANSet && f.VLAN == 0 {
		return Spec{}, Inputf("--vlan", "VLAN ID 0 out of range 1-4094")
	}
	var err error
	if s.Parent, err = link.ParseParent(f.Parent, f.VLAN); err != nil {
		return Spec{}, asInput(err)
	}
	if s.Type, err = link.ParseType(f.Mode, f.MacvlanMode, f.IPVlanMode, f.IPVFlag); err != nil {
		return Spec{}, asInput(err)
	}
	if f.Name != "" {
		if err := link.CheckName("--name", f.Name); err != nil {
			return Spec{}, asInput(err)
		}
		s.Name = f.Name
	}
	if s.MAC, err = parseMAC(f.MAC, s.Type); err != nil {
		return Spec{}, err
	}
	if f.MTU < 0 || (f.MTU > 0 && f.MTU < 68) {
		return Spec{}, Inputf("--mtu", "%d is not a usable MTU (68 or more, at most the parent's)", f.MTU)
	}
	if s.Probe, err = parseProbe(f.Probe, f.ProbeTimeout); err != nil {
		return Spec{}, err
	}
	if s.Addrs, err = parseAddrs(f); err != nil {
		return Spec{}, err
	}
	if s.Dynamic, err = parseDynamic(f, s); err != nil {
		return Spec{}, err
	}
	if s.HostAccess, s.ShimIPs, err = parseHostAccess(f, s.Type, s.Addrs); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// asInput turns a link.ErrInvalid error into an *InputError.
func asInput(err error) error {
	if errors.Is(err, link.ErrInvalid) {
		return &InputError{Err: err}
	}
	return err
}

// parseMAC reads --mac: a unicast Ethernet address, macvlan only.
func parseMAC(s string, t link.Type) (net.HardwareAddr, error) {
	if s == "" || s == "stable" { // stable: see parseDynamic
		return nil, nil
	}
	if t.Kind != "macvlan" {
		return nil, Inputf("--mac", "only macvlan slaves have their own MAC; ipvlan slaves use the parent's")
	}
	mac, err := net.ParseMAC(s)
	if err != nil || len(mac) != 6 {
		return nil, Inputf("--mac", "%q is not an Ethernet MAC address (like 02:00:5e:10:00:01)", s)
	}
	if mac[0]&1 == 1 || isZero(mac) {
		return nil, Inputf("--mac", "%s is not a unicast address (the low bit of the first byte must be 0)", mac)
	}
	return mac, nil
}

// isZero reports whether every byte of b is zero.
func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// parseProbe reads --probe and --probe-timeout.
func parseProbe(mode string, timeout time.Duration) (arpcheck.ProbeConfig, error) {
	m, err := arpcheck.ParseMode(mode)
	if err != nil {
		return arpcheck.ProbeConfig{}, Inputf("--probe", "%v", err)
	}
	if err := arpcheck.CheckWindow(timeout); err != nil {
		return arpcheck.ProbeConfig{}, &InputError{Flag: "--probe-timeout", Err: err}
	}
	return arpcheck.ProbeConfig{Mode: m, Window: timeout}, nil
}
