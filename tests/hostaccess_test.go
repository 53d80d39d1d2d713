package tests

import (
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// hostAccessOut is the host_access part of attach's JSON result.
type hostAccessOut struct {
	HostAccess struct {
		Shim     string   `json:"shim"`
		Routes   []string `json:"routes"`
		RPFilter string   `json:"rp_filter"`
	} `json:"host_access"`
}

// hostSysctls are the host's global and parent settings that host access
// must leave alone, as `sysctl` prints them in the sandbox host.
func hostSysctls(t *testing.T, l *lan) string {
	t.Helper()
	var keys []string
	for _, fam := range []string{"ipv4", "ipv6"} {
		for _, dev := range []string{"all", "default", l.Parent} {
			keys = append(keys, "/proc/sys/net/"+fam+"/conf/"+dev)
		}
	}
	// grep -s: stable_secret cannot be read until it is set.
	return sandbox.MustExec(t, l.Host, "sh", "-c", "grep -rs . "+strings.Join(keys, " ")+"; true")
}

// TestHostAccess attaches two containers with --host-access, borrowing
// the parent's addresses or with --shim-ip: the host and each container
// ping each other over IPv4 and IPv6, a LAN peer still reaches both, list
// names the shim; detaching one takes its routes only, detaching both
// leaves the host as it was, its settings included.
func TestHostAccess(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		args     []string
		from6    string // the host address a container pings over IPv6
		fromHost string // the source of the host's pings
	}{
		{"borrowed", nil, hostIP6, hostIP},
		{"shim-ip", []string{"--shim-ip", "198.51.100.9/24", "--shim-ip", "2001:db8:1::9/64"}, "2001:db8:1::9", "198.51.100.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			before, sysctls := sandbox.Snapshot(t, l.Host, l.Switch), hostSysctls(t, l)
			tg1, tg2 := l.newTarget(t, "netns"), l.newTarget(t, "pid")
			shim := attachHostAccess(t, l, tg1, slaveV4, slaveV6, tt.args)
			attachHostAccess(t, l, tg2, "198.51.100.51/24", "2001:db8:1::51/64", tt.args)
			for _, c := range []struct{ ns, ip string }{
				{l.Host, "198.51.100.50"}, {l.Host, "2001:db8:1::50"}, {l.Host, "198.51.100.51"},
				{tg1.ns, hostIP}, {tg1.ns, tt.from6}, {tg2.ns, hostIP}, {tg2.ns, tt.from6},
				{l.peer.NS, hostIP}, {l.peer.NS, hostIP6}, {l.peer.NS, "198.51.100.50"}, {l.peer.NS, "2001:db8:1::51"},
				{tg1.ns, peerIP}, {tg1.ns, peerIP6},
			} {
				sandbox.MustPing(t, c.ns, c.ip)
			}
			if out := sandbox.MustExec(t, l.Host, "ip", "route", "get", "198.51.100.50"); !strings.Contains(out, "src "+tt.fromHost) {
				t.Errorf("host route to the container: %s; want src %s", out, tt.fromHost)
			}
			for _, a := range listAll(t, l) {
				if a.Shim != shim {
					t.Errorf("list: %s in %s has shim %q, want %q", a.Interface, a.Target.Path, a.Shim, shim)
				}
			}
			detachAll(t, l, tg1)
			if out := sandbox.MustExec(t, l.Host, "ip", "route", "show", "dev", shim); strings.Contains(out, "198.51.100.50") {
				t.Errorf("route to the detached container left: %s", out)
			}
			sandbox.MustPing(t, l.Host, "2001:db8:1::51")
			sandbox.MustPing(t, tg2.ns, hostIP)
			detachAll(t, l, tg2)
			sandbox.SameSnapshot(t, "detaching both", before, sandbox.Snapshot(t, l.Host, l.Switch))
			if got := hostSysctls(t, l); got != sysctls {
				t.Errorf("host settings changed:\n%s", sandbox.Diff(sysctls, got))
			}
			wantNoRecords(t, l)
		})
	}
}

// attachHostAccess attaches tg with addresses v4 and v6 and
// --host-access, and returns the shim's name.
func attachHostAccess(t *testing.T, l *lan, tg target, v4, v6 string, extra []string) string {
	t.Helper()
	args := append([]string{"-o", "json", "attach"}, tg.args...)
	args = append(append(args, "--parent", l.Parent, "--ip", v4, "--ip", v6, "--host-access"), extra...)
	r := l.Lanattach(t, args...)
	if r.Code != 0 {
		t.Fatalf("attach --host-access:\n%s", r)
	}
	var out hostAccessOut
	r.JSON(t, &out)
	if out.HostAccess.Shim == "" || len(out.HostAccess.Routes) != 2 {
		t.Fatalf("attach result: %s", r.Stdout)
	}
	return out.HostAccess.Shim
}

// TestHostAccessStrictRPFilter sets strict reverse-path filtering on the
// host (all and default): host access still works both ways and the
// result says the shim is loose; after detach the host's settings are as
// they were.
func TestHostAccessStrictRPFilter(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	sandbox.MustExec(t, l.Host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.default.rp_filter=1")
	before, sysctls := sandbox.Snapshot(t, l.Host, l.Switch), hostSysctls(t, l)
	tg := l.newTarget(t, "netns")
	r := l.Lanattach(t, append(append([]string{"-o", "json", "attach"}, tg.args...),
		"--parent", l.Parent, "--ip", slaveV4, "--host-access")...)
	if r.Code != 0 {
		t.Fatalf("attach:\n%s", r)
	}
	var out hostAccessOut
	r.JSON(t, &out)
	if !strings.HasPrefix(out.HostAccess.RPFilter, "loose") {
		t.Errorf("rp_filter reported %q, want loose", out.HostAccess.RPFilter)
	}
	if got := strings.TrimSpace(sandbox.MustExec(t, l.Host, "cat", "/proc/sys/net/ipv4/conf/"+out.HostAccess.Shim+"/rp_filter")); got != "2" {
		t.Errorf("rp_filter of the shim is %s, want 2", got)
	}
	sandbox.MustPing(t, l.Host, "198.51.100.50")
	sandbox.MustPing(t, tg.ns, hostIP)
	sandbox.MustPing(t, l.peer.NS, hostIP)
	detachAll(t, l, tg)
	sandbox.SameSnapshot(t, "detach", before, sandbox.Snapshot(t, l.Host, l.Switch))
	if got := hostSysctls(t, l); got != sysctls {
		t.Errorf("host settings changed:\n%s", sandbox.Diff(sysctls, got))
	}
}

// TestHostAccessDryRun: attach --dry-run --host-access prints the shim's
// commands and the host routes, and changes nothing.
func TestHostAccessDryRun(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	r := l.Lanattach(t, append(append([]string{"attach"}, tg.args...),
		"--parent", l.Parent, "--ip", slaveV4, "--ip", slaveV6, "--host-access", "--dry-run")...)
	if r.Code != 0 {
		t.Fatalf("dry run:\n%s", r)
	}
	shim := l.Parent + "-shim"
	for _, want := range []string{
		"ip link add link " + l.Parent + " name " + shim + " type macvlan mode bridge",
		"ip route add 198.51.100.50/32 dev " + shim + " src " + hostIP,
		"ip route add 2001:db8:1::50/128 dev " + shim + " src " + hostIP6,
		"ip -6 neigh add proxy " + hostIP6 + " dev " + shim,
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r.Stdout)
		}
	}
	sandbox.SameSnapshot(t, "dry run", before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	sandbox.SameSnapshot(t, "dry run (target)", before.target, sandbox.Snapshot(t, tg.ns))
}

// TestHostAccessRollbackKeepsOthers: an attach through the shim another
// container uses fails late; its rollback takes its own routes only, and
// the other container still reaches the host and back.
func TestHostAccessRollbackKeepsOthers(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg1, tg2 := l.newTarget(t, "netns"), l.newTarget(t, "netns")
	attachHostAccess(t, l, tg1, slaveV4, slaveV6, nil)
	mid := sandbox.Snapshot(t, l.Host, l.Switch)
	r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=alive"},
		append(append([]string{"-o", "json", "attach"}, tg2.args...),
			"--parent", l.Parent, "--ip", "198.51.100.51/24", "--ip", "2001:db8:1::51/64", "--host-access")...)
	wantFail(t, r, 1, "failpoint alive")
	sandbox.SameSnapshot(t, "failed second attach", mid, sandbox.Snapshot(t, l.Host, l.Switch))
	sandbox.MustPing(t, l.Host, "2001:db8:1::50")
	sandbox.MustPing(t, tg1.ns, hostIP6)
	sandbox.MustPing(t, tg1.ns, hostIP)
}
