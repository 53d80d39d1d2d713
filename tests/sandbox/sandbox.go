// Package sandbox builds throw-away LANs out of network namespaces for the
// lanattach integration tests, benchmarks and the VM run.
//
// A LAN is a "switch" netns holding bridge br0, a "host" netns whose parent
// interface (lan0 by default) is a veth into the switch, and any number of
// peer netns, each with a veth eth0 into the switch. lanattach always runs
// inside the host netns (never in the machine's root netns). Everything is
// made with iproute2 `ip` commands, which the VM guest ships as well, and
// every netns a LAN makes is deleted by t.Cleanup, also when the test fails.
//
// Namespaces are named "<prefix>-h" (host), "<prefix>-s" (switch),
// "<prefix>-pN" (peers) and "<prefix>-tN" (targets), with a random
// prefix "lt" + 8 hex digits, so parallel tests never collide.
package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultSubnet is the IPv4 subnet of a LAN when Options.Subnet is unset.
var DefaultSubnet = netip.MustParsePrefix("198.51.100.0/24")

// Options describe the LAN to build.
type Options struct {
	// Subnet is the LAN's IPv4 subnet (default 198.51.100.0/24); Addr
	// and Addr6 build addresses in it.
	Subnet netip.Prefix
	// Subnet6 is the LAN's IPv6 subnet, e.g. 2001:db8:1::/64 (optional).
	Subnet6 netip.Prefix
	// Parent names the host's parent interface (default "lan0").
	Parent string
	// HostAddrs are ADDR/PREFIX addresses put on the host's parent.
	HostAddrs []string
}

// LAN is a sandbox network: a switch, a host and peers, each in its own
// netns.
type LAN struct {
	// Prefix starts the name of every netns of this LAN.
	Prefix string
	// Host is the netns lanattach runs in.
	Host string
	// Switch is the netns holding bridge br0.
	Switch string
	// Parent is the host's interface on the LAN, in Host.
	Parent string
	// Subnet and Subnet6 are the LAN's subnets (Subnet6 may be invalid).
	Subnet, Subnet6 netip.Prefix

	mu    sync.Mutex
	ports int // switch ports made so far, for unique names
	nss   int // peers and targets made so far, for unique names
}

// New builds a LAN: switch, host with its parent up (and HostAddrs on it),
// no peers yet. It needs root; without it the test is skipped with a
// reason on the host machine and fails in the VM.
func New(t testing.TB, o Options) *LAN {
	t.Helper()
	requireRoot(t)
	if !o.Subnet.IsValid() {
		o.Subnet = DefaultSubnet
	}
	if o.Parent == "" {
		o.Parent = "lan0"
	}
	l := &LAN{Prefix: UniqueName(t, "lt"), Parent: o.Parent, Subnet: o.Subnet, Subnet6: o.Subnet6}
	l.Switch = l.Prefix + "-s"
	l.Host = l.Prefix + "-h"
	l.addNetns(t, l.Switch)
	l.addNetns(t, l.Host)
	l.must(t, "-n", l.Switch, "link", "add", "br0", "type", "bridge")
	l.must(t, "-n", l.Switch, "link", "set", "br0", "up")
	l.plug(t, l.Host, o.Parent)
	for _, a := range o.HostAddrs {
		l.AddAddr(t, l.Host, o.Parent, a)
	}
	return l
}

// UniqueName returns prefix and 8 random hex digits, e.g. for a parent
// name no other test uses (4 bytes: with hundreds of sandboxes alive in a
// run, 3 bytes collide too often; a parent "up"+8 hex still leaves room
// for a VLAN suffix like ".4095" within 15 bytes).
func UniqueName(t testing.TB, prefix string) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("sandbox: random name: %v", err)
	}
	return prefix + hex.EncodeToString(b)
}

// requireRoot skips (host) or fails (VM) a test that is not run as root.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if InVM() {
		t.Fatalf("sandbox: the VM run must be root (euid %d)", os.Geteuid())
	}
	t.Skipf("sandbox: needs root to make network namespaces (euid %d); run `make test` as root", os.Geteuid())
}

// addNetns makes netns name with lo up and IPv6 DAD off (so snapshots
// never catch a tentative address), and deletes it on cleanup.
func (l *LAN) addNetns(t testing.TB, name string) {
	t.Helper()
	l.must(t, "netns", "add", name)
	t.Cleanup(func() { deleteNetns(t, name) })
	l.must(t, "-n", name, "link", "set", "lo", "up")
	if _, err := Exec(t, name, "sysctl", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"); err != nil {
		t.Fatalf("sandbox: %v", err)
	}
}

// deleteNetns deletes a netns made by the sandbox, reporting failure. One
// a test deleted itself (a container that died) is fine.
func deleteNetns(t testing.TB, name string) {
	if _, err := os.Stat("/run/netns/" + name); os.IsNotExist(err) {
		return
	}
	if out, err := runIP("netns", "del", name); err != nil {
		t.Errorf("sandbox: cleanup: ip netns del %s: %v: %s", name, err, out)
	}
}

// plug connects a new veth iface in netns ns to the switch and brings both
// ends up. It returns the switch-side port name.
func (l *LAN) plug(t testing.TB, ns, iface string) string {
	t.Helper()
	port := l.nextPort()
	l.must(t, "-n", l.Switch, "link", "add", port, "type", "veth", "peer", "name", iface, "netns", ns)
	l.must(t, "-n", l.Switch, "link", "set", port, "master", "br0", "up")
	l.must(t, "-n", ns, "link", "set", iface, "up")
	waitOperUp(t, l.Switch, port)
	waitOperUp(t, ns, iface)
	waitOperUp(t, l.Switch, "br0")
	return port
}

// waitOperUp waits until iface in ns is operationally up: the kernel
// settles a new veth's state a moment after it is set up, and a snapshot
// must not catch it half-way.
func waitOperUp(t testing.TB, ns, iface string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := runIP("-n", ns, "-o", "link", "show", "dev", iface)
		if err != nil {
			t.Fatalf("sandbox: %v", err)
		}
		if strings.Contains(out, " state UP ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox: %s in %s is not up after 10s: %s", iface, ns, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// nextPort returns a fresh switch port name: p1, p2, ...
func (l *LAN) nextPort() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ports++
	return fmt.Sprintf("p%d", l.ports)
}

// nextNetns returns a fresh netns name "<prefix>-<kind>N".
func (l *LAN) nextNetns(kind string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nss++
	return fmt.Sprintf("%s-%s%d", l.Prefix, kind, l.nss)
}

// AddAddr adds addr (ADDR/PREFIX) to iface in netns ns, without IPv6 DAD.
func (l *LAN) AddAddr(t testing.TB, ns, iface, addr string) {
	t.Helper()
	args := []string{"-n", ns, "addr", "add", addr, "dev", iface}
	if p, err := netip.ParsePrefix(addr); err == nil && p.Addr().Is6() {
		args = append(args, "nodad")
	}
	l.must(t, args...)
}

// AddHostIface adds another interface name to the host, up, with addrs,
// that is not connected to the LAN (a veth whose other end sits unbridged
// in the switch netns): for "the host holds this address on another
// interface".
func (l *LAN) AddHostIface(t testing.TB, name string, addrs ...string) {
	t.Helper()
	port := l.nextPort()
	l.must(t, "-n", l.Switch, "link", "add", port, "type", "veth", "peer", "name", name, "netns", l.Host)
	l.must(t, "-n", l.Switch, "link", "set", port, "up")
	l.must(t, "-n", l.Host, "link", "set", name, "up")
	waitOperUp(t, l.Switch, port)
	waitOperUp(t, l.Host, name)
	for _, a := range addrs {
		l.AddAddr(t, l.Host, name, a)
	}
}

// Addr returns host number n of Subnet as ADDR/PREFIX, e.g. Addr(10) =
// "198.51.100.10/24".
func (l *LAN) Addr(n int) string { return hostAddr(l.Subnet, n) }

// Addr6 returns host number n of Subnet6 as ADDR/PREFIX, e.g.
// "2001:db8:1::a/64".
func (l *LAN) Addr6(n int) string { return hostAddr(l.Subnet6, n) }

// IP returns host number n of Subnet without the prefix length.
func (l *LAN) IP(n int) string { return netip.MustParsePrefix(l.Addr(n)).Addr().String() }

// IP6 returns host number n of Subnet6 without the prefix length.
func (l *LAN) IP6(n int) string { return netip.MustParsePrefix(l.Addr6(n)).Addr().String() }

// hostAddr adds n to the subnet's network address.
func hostAddr(p netip.Prefix, n int) string {
	b := p.Masked().Addr().AsSlice()
	for i := len(b) - 1; i >= 0 && n > 0; i-- {
		s := int(b[i]) + n
		b[i], n = byte(s), s>>8
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(a, p.Bits()).String()
}
