package tests

import (
	"encoding/json"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
	"golang.org/x/sys/unix"
)

// Addresses of the standard LAN built by newLAN.
const (
	hostIP  = "198.51.100.1"
	peerIP  = "198.51.100.2"
	hostIP6 = "2001:db8:1::1"
	peerIP6 = "2001:db8:1::2"
	slaveV4 = "198.51.100.50/24"
	slaveV6 = "2001:db8:1::50/64"
)

// lan is the standard test LAN: host 198.51.100.1 and 2001:db8:1::1 on
// its parent, one peer at .2 and ::2.
type lan struct {
	*sandbox.LAN
	peer *sandbox.Peer
}

// newLAN builds the standard LAN. Its parent has a name no other test
// uses ("up" and 6 hex digits), so that `list` output is easy to tell
// apart between tests running in parallel (TestSeparateLANs checks that
// lanattach itself tells same-named parents of different hosts apart).
func newLAN(t *testing.T) *lan {
	t.Helper()
	l := sandbox.New(t, sandbox.Options{
		Parent:    sandbox.UniqueName(t, "up"),
		Subnet6:   netip.MustParsePrefix("2001:db8:1::/64"),
		HostAddrs: []string{hostIP + "/24", hostIP6 + "/64"},
	})
	ll := &lan{LAN: l, peer: l.AddPeer(t, peerIP+"/24", peerIP6+"/64")}
	// The record directory of the host netns dies with it: remove it
	// (registered after the netns, so it runs first).
	t.Cleanup(func() { os.RemoveAll(recordDir(t, ll)) })
	return ll
}

// target is where a test attaches: the flags that name it, the netns to
// run commands in (name or path), and how list reports it.
type target struct {
	kind string // "netns", "netns-path" or "pid"
	args []string
	ns   string
	name string // netns name, for kind "netns"
	pid  int    // for kind "pid"
}

// targetKinds are the ways to name a target: --netns, --netns-path with
// a /run/netns path, --pid, and --netns-path with a /proc/PID/ns/net path.
var targetKinds = []string{"netns", "netns-path", "pid", "proc-path"}

// newTarget makes a target of kind in l.
func (l *lan) newTarget(t *testing.T, kind string) target {
	t.Helper()
	switch kind {
	case "netns":
		n := l.NewTarget(t)
		return target{kind: kind, args: []string{"--netns", n}, ns: n, name: n}
	case "netns-path":
		n := l.NewTarget(t)
		return target{kind: kind, args: []string{"--netns-path", "/run/netns/" + n}, ns: n, name: n}
	case "pid":
		pid := l.NewPIDTarget(t)
		return target{kind: kind, args: []string{"--pid", strconv.Itoa(pid)}, ns: sandbox.PIDPath(pid), pid: pid}
	case "proc-path":
		pid := l.NewPIDTarget(t)
		p := sandbox.PIDPath(pid)
		return target{kind: kind, args: []string{"--netns-path", p}, ns: p, pid: pid}
	}
	t.Fatalf("unknown target kind %q", kind)
	return target{}
}

// targetInfo is a target as lanattach's JSON reports it.
type targetInfo struct {
	PID   int    `json:"pid"`
	Netns string `json:"netns"`
	Path  string `json:"path"`
	Inode uint64 `json:"inode"`
}

// attachOut is attach's JSON result.
type attachOut struct {
	Target      targetInfo      `json:"target"`
	Interface   string          `json:"interface"`
	MAC         string          `json:"mac"`
	Mode        string          `json:"mode"`
	Submode     string          `json:"submode"`
	Parent      string          `json:"parent"`
	VLANCreated bool            `json:"vlan_created"`
	Addresses   []string        `json:"addresses"`
	Routes      json.RawMessage `json:"routes"`
	Record      string          `json:"record"`
	Probe       struct {
		Mode   string `json:"mode"`
		Result string `json:"result"`
	} `json:"probe"`
}

// errorOut is the JSON every failure prints.
type errorOut struct {
	Error string `json:"error"`
	Code  *int   `json:"code"`
}

// attachment is one entry of list's JSON.
type attachment struct {
	Target    targetInfo `json:"target"`
	Interface string     `json:"interface"`
	Parent    string     `json:"parent"`
	Mode      string     `json:"mode"`
	Submode   string     `json:"submode"`
	MAC       string     `json:"mac"`
	Addresses []string   `json:"addresses"`
	State     string     `json:"state"`
	Record    string     `json:"record"`
	Shim      string     `json:"shim"`
}

// attach runs `lanattach -o json attach` into tg with args and fails the
// test unless it succeeds.
func (l *lan) attach(t *testing.T, tg target, args ...string) attachOut {
	t.Helper()
	r := l.Lanattach(t, append(append([]string{"-o", "json", "attach"}, tg.args...), args...)...)
	if r.Code != 0 {
		t.Fatalf("attach failed:\n%s", r)
	}
	var out attachOut
	r.JSON(t, &out)
	return out
}

// list returns list's entries for target tg only (other tests run
// concurrently and have their own).
func (l *lan) list(t *testing.T, tg target) []attachment {
	t.Helper()
	r := l.Lanattach(t, "-o", "json", "list")
	if r.Code != 0 {
		t.Fatalf("list failed:\n%s", r)
	}
	var out struct {
		Attachments []attachment `json:"attachments"`
	}
	r.JSON(t, &out)
	ino := tg.inode(t)
	var mine []attachment
	for _, a := range out.Attachments {
		if a.Target.Inode == ino {
			mine = append(mine, a)
		}
	}
	return mine
}

// inode is the nsfs inode of tg's netns: how list entries are picked,
// independent of the names and pids list reports.
func (tg target) inode(t *testing.T) uint64 {
	t.Helper()
	p := tg.ns
	if !strings.HasPrefix(p, "/") {
		p = "/run/netns/" + p
	}
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		t.Fatalf("stat of target %s: %v", p, err)
	}
	return st.Ino
}

// named reports whether attach's target info names tg: by the netns name,
// path or pid it was given.
func (tg target) named(ti targetInfo) bool {
	switch tg.kind {
	case "netns":
		return ti.Netns == tg.name
	case "pid":
		return ti.PID == tg.pid
	}
	return ti.Path == tg.args[1]
}

// matches reports whether list's target info names tg by the netns name
// or pid it has.
func (tg target) matches(ti targetInfo) bool {
	if tg.pid != 0 {
		return ti.PID == tg.pid
	}
	return ti.Netns == tg.name
}

// wantFail checks that r failed with code and a one-line stderr message
// containing every string of want.
func wantFail(t *testing.T, r sandbox.Result, code int, want ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("want exit %d, got:\n%s", code, r)
	}
	msg := strings.TrimSpace(r.Stderr)
	if msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("want one line on stderr, got %q", r.Stderr)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("stderr %q does not mention %q", msg, w)
		}
	}
}

// wantJSONFail checks a failure printed with -o json: one object with
// "error" and "code" equal to r's exit code.
func wantJSONFail(t *testing.T, r sandbox.Result) errorOut {
	t.Helper()
	var e errorOut
	r.JSON(t, &e)
	if e.Error == "" || e.Code == nil || *e.Code != r.Code {
		t.Errorf("want {\"error\": ..., \"code\": %d}, got %s", r.Code, r.Stdout)
	}
	return e
}
