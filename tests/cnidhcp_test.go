package tests

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// startCNIDHCP runs the stock dhcp IPAM plugin's daemon for one test, in
// the sandbox host netns (where the plugin runs: the daemon enters the
// container netns from there) on its own socket, so that parallel tests
// and the machine's /run/cni/dhcp.sock stay apart. It returns the ipam
// config that reaches it and its log; cleanup stops it by its pid.
func startCNIDHCP(t *testing.T, l *lan) (map[string]any, *logBuf) {
	t.Helper()
	bin := filepath.Join(stockCNIDir, "dhcp")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the stock dhcp IPAM plugin is missing (hack/deps.sh installs containernetworking-plugins): %v", err)
	}
	sock := filepath.Join(t.TempDir(), "dhcp.sock")
	log := &logBuf{}
	startLogged(t, "dhcp daemon", exec.Command("nsenter", "--net="+sandbox.NetnsPath(l.Host), "--", bin, "daemon", "-socketpath", sock), log)
	eventually(t, 5*time.Second, "the dhcp daemon's socket", func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	return map[string]any{"type": "dhcp", "daemonSocketPath": sock}, log
}

// TestCNIDHCP: with the dhcp IPAM plugin (spec 1.1.0, which lanattach
// hands to Debian's 1.0.0 plugin) ADD gets a lease from dnsmasq's pool
// on the slave, which carries it and the lease's default route (a LAN
// peer and an address beyond the router answer); list shows the
// attachment; CHECK passes; DEL releases the lease (the release reaches
// dnsmasq, so it went out before the slave was deleted); DEL again
// succeeds; nothing is left.
func TestCNIDHCP(t *testing.T) {
	t.Parallel()
	l, d := dhcpLAN(t, "--no-ping") // its ping check would hold each offer 3 s
	n := newCNINet(t, l, "1.1.0", nil)
	var dlog *logBuf
	n.plugin["ipam"], dlog = startCNIDHCP(t, l)
	tg := l.newTarget(t, "netns")
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	cfg, r := n.cfg(t), rt("c1", tg)
	res := n.add(t, cfg, r)
	got := res.IPs[0].Address.String()
	ip := netip.MustParsePrefix(got).Addr()
	if ip.Less(netip.MustParseAddr(leaseFrom)) || netip.MustParseAddr(leaseTo).Less(ip) || !slices.Contains(d.leased(t), ip.String()) {
		t.Fatalf("ADD gave %s, not a lease of dnsmasq's pool %s-%s (leases: %v)", got, leaseFrom, leaseTo, d.leased(t))
	}
	if gw := res.IPs[0].Gateway.String(); gw != routerIP {
		t.Errorf("ADD result's gateway %s, want the lease's router %s", gw, routerIP)
	}
	checkAddrs(t, tg.ns, "eth0", got)
	sandbox.MustPing(t, tg.ns, peerIP)
	sandbox.MustPing(t, tg.ns, beyondIP)
	n.checkDel(t, cfg, r, tg)
	eventually(t, 5*time.Second, "dnsmasq to drop the released lease", func() bool { return !slices.Contains(d.leased(t), ip.String()) })
	if dlog.count("failed to release") > 0 {
		t.Errorf("the dhcp daemon could not release the lease")
	}
	sandbox.SameSnapshot(t, "ADD then DEL", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// TestCNIDHCPFails: an ADD that fails after the dhcp plugin got its
// lease leaves nothing, and the lease is released to dnsmasq before the
// slave goes. dnsmasq (its ping check off) has one address to lease:
// "lan": a LAN peer holds it already, lanattach's probe finds the peer;
// "host": the host's own address, the host check finds it (both code 100
// naming the address and where it is held); "route": a failpoint after
// the address is assigned (code 102).
func TestCNIDHCPFails(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		code uint
		want string
	}{{"lan", 100, "lan"}, {"host", 100, "host"}, {"route", 102, "failpoint route"}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			router := l.AddPeer(t, routerIP+"/24")
			pool := leaseFrom
			switch c.name {
			case "lan":
				l.AddPeer(t, pool+"/24")
			case "host":
				pool = l.IP(1)
			}
			d := startDnsmasq(t, router.NS, router.Iface, pool, pool, "--no-ping")
			n := newCNINet(t, l, "1.1.0", nil)
			if c.name == "route" {
				n.wrap(t, "lanattach", sandbox.FailpointBin(t), "LANATTACH_FAILPOINT=route")
			}
			var dlog *logBuf
			n.plugin["ipam"], dlog = startCNIDHCP(t, l)
			tg := l.newTarget(t, "netns")
			before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
			_, err := n.cfg(t).AddNetworkList(context.Background(), n.list(t), rt("c1", tg))
			named := []string{c.want}
			if c.code == 100 {
				named = append(named, pool)
			}
			wantCode(t, err, c.code, named...)
			sandbox.SameSnapshot(t, "a failed ADD", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
			eventually(t, 5*time.Second, "dnsmasq to drop the released lease", func() bool {
				return d.count("DHCPRELEASE") == 1 && len(d.leased(t)) == 0
			})
			if dlog.count("releasing lease") != 1 || dlog.count("failed to release") > 0 {
				t.Errorf("the dhcp daemon did not release the lease once")
			}
			if ls := n.listed(t); len(ls) != 0 {
				t.Errorf("list shows %+v after the failed ADD", ls)
			}
		})
	}
}
