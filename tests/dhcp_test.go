package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// leaseOut is the "lease" object of attach and list.
type leaseOut struct {
	Address string    `json:"address"`
	Router  string    `json:"router"`
	DNS     []string  `json:"dns"`
	Server  string    `json:"server"`
	Expires time.Time `json:"expires"`
	Keeper  int       `json:"keeper_pid"`
}

// attachDHCP attaches into tg with --ip dhcp and args, and returns the
// result and its lease.
func attachDHCP(t *testing.T, l *lan, tg target, args ...string) (attachOut, leaseOut) {
	t.Helper()
	r := l.Lanattach(t, append(append([]string{"-o", "json", "attach"}, tg.args...),
		append([]string{"--parent", l.Parent, "--ip", "dhcp"}, args...)...)...)
	if r.Code != 0 {
		t.Fatalf("attach --ip dhcp failed:\n%s", r)
	}
	var out attachOut
	var lease struct {
		Lease *leaseOut `json:"lease"`
	}
	r.JSON(t, &out)
	r.JSON(t, &lease)
	if lease.Lease == nil {
		t.Fatalf("attach --ip dhcp reported no lease:\n%s", r.Stdout)
	}
	return out, *lease.Lease
}

// keeperRuns reports whether pid is a running lanattach DHCP keeper.
func keeperRuns(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(b), "__dhcp-keeper") {
		return false
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(st), ") Z ")
}

// keeperLog returns the log of the keeper of record id (next to the
// record, in the directory of the host netns lanattach ran in).
func keeperLog(t *testing.T, id string) string {
	t.Helper()
	paths, _ := filepath.Glob("/run/lanattach/net-*/" + id + ".log")
	if len(paths) != 1 {
		t.Fatalf("want one log of record %s, found %v", id, paths)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stopKeeperOnCleanup ends a keeper a failed test left behind.
func stopKeeperOnCleanup(t *testing.T, pid int) {
	t.Cleanup(func() {
		if keeperRuns(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// TestDHCPLease: the slave gets a lease from the LAN's server, with the
// default route through the leased router and the DNS servers reported
// and written to --resolv-conf; the address's lifetime is the lease's;
// list shows the lease; detach releases it and stops the keeper.
func TestDHCPLease(t *testing.T) {
	l, srv := dhcpLAN(t)
	tg := l.newTarget(t, "netns")
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	out, lease := attachDHCP(t, l, tg, "--resolv-conf", resolv)
	stopKeeperOnCleanup(t, lease.Keeper)
	if lease.Router != routerIP || !slices.Equal(lease.DNS, []string{dnsIP}) || lease.Server != routerIP {
		t.Errorf("lease %+v: want router and server %s, dns [%s]", lease, routerIP, dnsIP)
	}
	if len(out.Addresses) != 1 || out.Addresses[0] != lease.Address || !strings.HasPrefix(lease.Address, "198.51.100.10") {
		t.Fatalf("addresses %v, lease %s: want the leased address in %s-%s", out.Addresses, lease.Address, leaseFrom, leaseTo)
	}
	ip := strings.TrimSuffix(lease.Address, "/24")
	if got := srv.leased(t); !slices.Equal(got, []string{ip}) {
		t.Errorf("dnsmasq leases %v, want [%s]", got, ip)
	}
	sandbox.MustPing(t, tg.ns, beyondIP)
	if b, err := os.ReadFile(resolv); err != nil || !strings.Contains(string(b), "nameserver "+dnsIP) {
		t.Errorf("--resolv-conf: %q, %v", b, err)
	}
	addr := sandbox.MustExec(t, tg.ns, "ip", "-4", "addr", "show", "dev", out.Interface)
	if !strings.Contains(addr, "valid_lft 1") || strings.Contains(addr, "forever") {
		t.Errorf("leased address should live as long as the lease (2 min):\n%s", addr)
	}
	if !keeperRuns(lease.Keeper) {
		t.Fatalf("keeper %d does not run", lease.Keeper)
	}
	wantListedLease(t, l, tg, lease.Address)
	detachAll(t, l, tg)
	eventually(t, 3*time.Second, "the lease to be released", func() bool { return len(srv.leased(t)) == 0 })
	if keeperRuns(lease.Keeper) {
		t.Errorf("keeper %d still runs after detach", lease.Keeper)
	}
	wantNoRecords(t, l)
}

// wantListedLease checks that list shows tg's lease of addr with its expiry.
func wantListedLease(t *testing.T, l *lan, tg target, addr string) {
	t.Helper()
	r := l.Lanattach(t, "-o", "json", "list")
	var out struct {
		Attachments []struct {
			Target targetInfo `json:"target"`
			Lease  *leaseOut  `json:"lease"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil {
		t.Fatalf("list: %v\n%s", err, r)
	}
	for _, a := range out.Attachments {
		if tg.matches(a.Target) && a.Lease != nil && a.Lease.Address == addr && a.Lease.Expires.After(time.Now()) {
			return
		}
	}
	t.Errorf("list shows no lease of %s with an expiry to come:\n%s", addr, r.Stdout)
}

// TestDHCPRenewal: with T1 at 10 s the keeper renews at least twice, and
// the address stays with a lifetime that the renewals extend.
func TestDHCPRenewal(t *testing.T) {
	l, srv := dhcpLAN(t, "--dhcp-option=option:T1,10")
	tg := l.newTarget(t, "netns")
	out, lease := attachDHCP(t, l, tg)
	stopKeeperOnCleanup(t, lease.Keeper)
	acks := srv.count("DHCPACK(")
	eventually(t, 40*time.Second, "two renewals", func() bool { return srv.count("DHCPACK(") >= acks+2 })
	addr := sandbox.MustExec(t, tg.ns, "ip", "-4", "addr", "show", "dev", out.Interface)
	if !strings.Contains(addr, lease.Address) {
		t.Fatalf("the leased address is gone after renewals:\n%s", addr)
	}
	if !keeperRuns(lease.Keeper) {
		t.Errorf("keeper %d stopped", lease.Keeper)
	}
	if log := keeperLog(t, out.Record); !strings.Contains(log, "extended "+lease.Address) {
		t.Errorf("the keeper's log tells of no renewal:\n%s", log)
	}
	detachAll(t, l, tg)
	if paths, _ := filepath.Glob("/run/lanattach/net-*/" + out.Record + ".log"); len(paths) != 0 {
		t.Errorf("detach left the keeper's log: %v", paths)
	}
}

// TestDHCPNak: when the server refuses the renewal (DHCPNAK: a new
// server whose range no longer holds the address), the keeper gives the
// address up at once (RFC 2131 section 4.4.5), with the default route
// through the lease's router, drops the lease from the record and exits;
// the attachment stays, and detach still removes it.
func TestDHCPNak(t *testing.T) {
	l, srv := dhcpLAN(t, "--dhcp-option=option:T1,3")
	tg := l.newTarget(t, "netns")
	out, lease := attachDHCP(t, l, tg)
	stopKeeperOnCleanup(t, lease.Keeper)
	srv.stop()
	other := startDnsmasq(t, srv.ns, srv.iface, "198.51.100.110", "198.51.100.119")
	eventually(t, 30*time.Second, "the DHCPNAK", func() bool { return other.count("DHCPNAK(") > 0 })
	eventually(t, 10*time.Second, "the keeper to exit", func() bool { return !keeperRuns(lease.Keeper) })
	addrs := sandbox.MustExec(t, tg.ns, "ip", "-4", "addr", "show", "dev", out.Interface)
	routes := sandbox.MustExec(t, tg.ns, "ip", "-4", "route", "show", "default")
	if strings.Contains(addrs, strings.Split(lease.Address, "/")[0]) || strings.Contains(routes, routerIP) {
		t.Errorf("the refused address or its route is still there:\n%s\n%s", addrs, routes)
	}
	if log := keeperLog(t, out.Record); !strings.Contains(log, "DHCPNAK") {
		t.Errorf("the keeper's log does not say why it gave the address up:\n%s", log)
	}
	lr := l.Lanattach(t, "-o", "json", "list")
	if lr.Code != 0 || strings.Contains(lr.Stdout, lease.Address) || !strings.Contains(lr.Stdout, out.Interface) {
		t.Errorf("list must show the attachment without the refused lease:\n%s", lr)
	}
	detachAll(t, l, tg)
}

// TestDHCPDecline: the server offers an address a LAN peer already holds
// (and that the server does not know of): the client declines it and ends
// with the other address of the range.
func TestDHCPDecline(t *testing.T) {
	const mac, taken, free = "02:00:5e:11:00:01", "198.51.100.100", "198.51.100.101"
	l := newLAN(t)
	r := l.AddPeer(t, routerIP+"/24")
	l.AddPeer(t, taken+"/24") // the squatter
	srv := startDnsmasq(t, r.NS, r.Iface, taken, free, "--no-ping", "--dhcp-host="+mac+","+taken)
	tg := l.newTarget(t, "netns")
	out, lease := attachDHCP(t, l, tg, "--mac", mac)
	stopKeeperOnCleanup(t, lease.Keeper)
	if lease.Address != free+"/24" || !slices.Equal(out.Addresses, []string{free + "/24"}) {
		t.Errorf("got %s (%v), want %s/24", lease.Address, out.Addresses, free)
	}
	if srv.count("DHCPDECLINE") == 0 {
		t.Errorf("dnsmasq saw no DHCPDECLINE for %s", taken)
	}
	detachAll(t, l, tg)
}

// TestDHCPKeeperEndsWithContainer: when the container's process dies, its
// netns goes away (the keeper holds no reference to it) and the keeper
// exits within a few seconds.
func TestDHCPKeeperEndsWithContainer(t *testing.T) {
	l, _ := dhcpLAN(t)
	tg := l.newTarget(t, "pid")
	_, lease := attachDHCP(t, l, tg)
	stopKeeperOnCleanup(t, lease.Keeper)
	if err := syscall.Kill(tg.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the keeper to exit", func() bool { return !keeperRuns(lease.Keeper) })
	eventuallyState(t, l, "eth1", "gone")
	if r := l.Lanattach(t, "-o", "json", "gc"); r.Code != 0 {
		t.Fatalf("gc:\n%s", r)
	}
	wantNoRecords(t, l)
}

// TestDHCPNoOffer: without a server the attach fails after
// --dhcp-timeout, naming the interface and the timeout, and leaves
// nothing behind.
func TestDHCPNoOffer(t *testing.T) {
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	r := l.Lanattach(t, append(append([]string{"attach"}, tg.args...),
		"--parent", l.Parent, "--ip", "dhcp", "--dhcp-timeout", "1s")...)
	wantFail(t, r, 1, "eth1", "--dhcp-timeout 1s", "no DHCP offer")
	sandbox.SameSnapshot(t, "failed --ip dhcp (target)", before.target, sandbox.Snapshot(t, tg.ns))
	sandbox.SameSnapshot(t, "failed --ip dhcp", before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	wantNoRecords(t, l)
}

// TestDHCPIPvlanTwoLeases: two ipvlan slaves share the parent's MAC; the
// client identifier and the broadcast flag get each its own lease.
func TestDHCPIPvlanTwoLeases(t *testing.T) {
	sandbox.RequireKernel(t, "ipvlan")
	l, srv := dhcpLAN(t)
	var got []string
	for range 2 {
		tg := l.newTarget(t, "netns")
		_, lease := attachDHCP(t, l, tg, "--mode", "ipvlan")
		stopKeeperOnCleanup(t, lease.Keeper)
		got = append(got, lease.Address)
		sandbox.MustPing(t, tg.ns, beyondIP)
		t.Cleanup(func() { detachAll(t, l, tg) })
	}
	if got[0] == got[1] {
		t.Errorf("both ipvlan slaves got %s", got[0])
	}
	if n := len(srv.leased(t)); n != 2 {
		t.Errorf("dnsmasq has %d leases, want 2: %v", n, srv.leased(t))
	}
}
