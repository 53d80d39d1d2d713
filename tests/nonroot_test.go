package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// The setpriv(1) flags that run a program as nobody, without any
// capability, or as nobody with the capabilities lanattach asks for.
var (
	asNobody     = []string{"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"}
	asNobodyCaps = []string{"--reuid=65534", "--regid=65534", "--clear-groups",
		"--inh-caps=+net_admin,+net_raw,+sys_admin", "--ambient-caps=+net_admin,+net_raw,+sys_admin"}
)

// TestNonRoot runs every command as nobody without capabilities: each
// says that root is needed, naming the capabilities, exits 1 and changes
// nothing; list does not print an empty table. version needs no root.
func TestNonRoot(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	l.attach(t, tg, "--parent", l.Parent, "--ip", "198.51.100.40/24", "--probe", "off")
	bin := publicCopy(t, sandbox.Bin(t))
	attach := append(append([]string{"attach"}, tg.args...), "--parent", l.Parent, "--ip", "198.51.100.60/24")
	cases := map[string][]string{
		"attach":         attach,
		"attach dry-run": append(attach, "--dry-run"),
		"detach":         append([]string{"detach"}, tg.args...),
		"list":           {"list"},
		"gc":             {"gc"},
		"probe":          {"probe", "--parent", l.Parent, "--ip", "198.51.100.60"},
		"probe target":   append([]string{"probe", "--parent", "eth1", "--ip", "198.51.100.60"}, tg.args...),
		"scan":           {"scan", "--parent", l.Parent, "--subnet", "198.51.100.0/24"},
	}
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r := sandbox.RunIn(t, l.Host, "setpriv", nil, append(asNobody, append([]string{bin, "-o", "json"}, args...)...)...)
			wantFail(t, r, 1, args[0]+" needs root", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SYS_ADMIN")
			wantJSONFail(t, r)
			sandbox.SameSnapshot(t, "unprivileged "+name, before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
	r := sandbox.RunIn(t, l.Host, "setpriv", nil, append(asNobody, bin, "version")...)
	if r.Code != 0 {
		t.Errorf("version as nobody:\n%s", r)
	}
}

// TestPermissionDeniedTarget runs attach, detach and probe as nobody with
// the capabilities but without access to the target (a root process's
// netns): a permission failure, exit 1, never "not a network namespace"
// with exit 2.
func TestPermissionDeniedTarget(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "pid")
	bin := publicCopy(t, sandbox.Bin(t))
	path := sandbox.PIDPath(tg.pid)
	cases := map[string][]string{
		"attach --pid":        {"attach", "--pid", strconv.Itoa(tg.pid), "--parent", l.Parent, "--ip", "198.51.100.60/24"},
		"attach --netns-path": {"attach", "--netns-path", path, "--parent", l.Parent, "--ip", "198.51.100.60/24"},
		"detach --pid":        {"detach", "--pid", strconv.Itoa(tg.pid)},
		"probe --netns-path":  {"probe", "--netns-path", path, "--parent", "lo", "--ip", "198.51.100.60"},
	}
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r := sandbox.RunIn(t, l.Host, "setpriv", nil, append(asNobodyCaps, append([]string{bin, "-o", "json"}, args...)...)...)
			wantFail(t, r, 1, path, "permission denied", "needs root")
			wantJSONFail(t, r)
			sandbox.SameSnapshot(t, "refused "+name, before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
}

// publicCopy copies bin into a new directory that any user may read, so
// that nobody can run it (a built binary may sit in a private directory).
func publicCopy(t *testing.T, bin string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "lanattach-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "lanattach")
	writeExec(t, dst, data)
	return dst
}
