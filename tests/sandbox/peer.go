package sandbox

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Peer is another machine on the LAN: a netns with a veth eth0 into the
// switch.
type Peer struct {
	// NS is the peer's netns.
	NS string
	// Iface is its interface on the LAN ("eth0").
	Iface string
	// MAC is Iface's MAC address.
	MAC string
	// Addrs are the ADDR/PREFIX addresses on Iface.
	Addrs []string
}

// AddPeer adds a peer with addrs (ADDR/PREFIX) on its eth0, up.
func (l *LAN) AddPeer(t testing.TB, addrs ...string) *Peer {
	t.Helper()
	p := &Peer{NS: l.nextNetns("p"), Iface: "eth0", Addrs: addrs}
	l.addNetns(t, p.NS)
	l.plug(t, p.NS, p.Iface)
	for _, a := range addrs {
		l.AddAddr(t, p.NS, p.Iface, a)
	}
	p.MAC = strings.TrimSpace(l.must(t, "-n", p.NS, "-br", "link", "show", p.Iface))
	if f := strings.Fields(p.MAC); len(f) >= 3 {
		p.MAC = f[2]
	}
	return p
}

// NewTarget makes an empty named netns for lanattach to attach into (lo
// down, as `ip netns add` leaves it) and deletes it on cleanup. It
// returns the netns name.
func (l *LAN) NewTarget(t testing.TB) string {
	t.Helper()
	name := l.nextNetns("t")
	l.must(t, "netns", "add", name)
	t.Cleanup(func() { deleteNetns(t, name) })
	return name
}

// NewPIDTarget starts `sleep` in a new, unnamed netns (lo down) and returns
// its pid; the process is killed and reaped on cleanup. Its netns path is
// PIDPath(pid).
func (l *LAN) NewPIDTarget(t testing.TB) int {
	t.Helper()
	requireRoot(t)
	cmd := exec.Command("sleep", "3600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if err := cmd.Start(); err != nil {
		t.Fatalf("sandbox: starting sleep in a new netns: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}

// NetnsPath is the file of named netns name, as a CNI runtime passes it.
func NetnsPath(name string) string { return "/run/netns/" + name }

// PIDPath is the netns path of process pid, usable as ns in Exec and
// Snapshot.
func PIDPath(pid int) string { return "/proc/" + strconv.Itoa(pid) + "/ns/net" }

// Ping pings ip (no prefix) from netns ns (a name or a path) and returns
// ping's output and error. It tries up to 3 times, one echo request with a
// 3s deadline each: busybox ping (VM guest) sends exactly one request for
// -c 1, and the first one may be lost while neighbours are resolved.
func Ping(t testing.TB, ns, ip string) (string, error) {
	t.Helper()
	var all strings.Builder
	var err error
	for range 3 {
		var out string
		out, err = Exec(t, ns, "ping", "-c", "1", "-w", "3", ip)
		all.WriteString(out)
		if err == nil {
			return all.String(), nil
		}
		all.WriteString(err.Error() + "\n")
	}
	return all.String(), err
}

// MustPing fails the test unless ip answers a ping from ns, showing the
// addresses and neighbours of ns on failure.
func MustPing(t testing.TB, ns, ip string) {
	t.Helper()
	if out, err := Ping(t, ns, ip); err != nil {
		addrs, _ := Exec(t, ns, "ip", "addr", "show")
		neigh, _ := Exec(t, ns, "ip", "neigh", "show")
		t.Fatalf("ping %s from %s: %v\n%s\naddresses in %s:\n%s\nneighbours:\n%s", ip, ns, err, out, ns, addrs, neigh)
	}
}
