package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// requireE2E stops an end-to-end test where it cannot run: in the VM guest
// (no container tools there; the host run covers it) it is skipped, and a
// missing tool on the host is a failure, because hack/deps.sh installs
// them.
func requireE2E(t *testing.T, tools ...string) {
	t.Helper()
	if sandbox.InVM() {
		t.Skip("end-to-end tests need podman and runc, which the VM guest lacks; the host run covers them")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (run hack/deps.sh or `make deps`): %v", tool, err)
		}
	}
}

// cmd runs a host command and fails the test on error.
func cmd(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// busyboxRootfs makes a container root file system in dir: a static
// busybox with a link per applet, and empty /proc, /sys, /dev, /tmp.
func busyboxRootfs(t *testing.T, dir string) {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatalf("busybox is missing (install busybox-static; hack/deps.sh does): %v", err)
	}
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp", "etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd(t, "cp", bb, filepath.Join(dir, "bin", "busybox"))
	for _, applet := range strings.Fields(cmd(t, bb, "--list")) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", applet)); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
}

// e2eRun attaches the container whose init is pid to l, pings the LAN
// peer from inside with inside (the argv prefix that runs a command in the
// container), detaches, and checks that nothing is left on the host, the
// switch or in the container.
func e2eRun(t *testing.T, l *lan, pid int, inside []string) {
	t.Helper()
	tg := target{kind: "pid", args: []string{"--pid", strconv.Itoa(pid)}, ns: sandbox.PIDPath(pid), pid: pid}
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	out := l.attach(t, tg, "--parent", l.Parent, "--ip", slaveV4, "--gateway", peerIP)
	checkAttachOut(t, out, "eth1", "macvlan", "bridge", l.Parent, slaveV4)
	ping := append(append([]string{}, inside...), "ping", "-c", "1", "-w", "5", peerIP)
	if o, err := runCmd(ping...); err != nil {
		t.Fatalf("ping %s from inside the container: %v\n%s", peerIP, err, o)
	}
	checkListed(t, l, tg, attachment{Interface: "eth1", Parent: l.Parent, Mode: "macvlan", MAC: out.MAC, Addresses: []string{slaveV4}})
	detachAll(t, l, tg)
	sandbox.SameSnapshot(t, "attach then detach", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// runCmd runs argv and returns its combined output.
func runCmd(argv ...string) (string, error) {
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	return string(out), err
}

// TestE2EPodman attaches a real podman container (busybox image made with
// podman import) to a sandbox LAN and pings a LAN peer from inside it.
func TestE2EPodman(t *testing.T) {
	t.Parallel()
	requireE2E(t, "podman", "runc")
	l := newLAN(t)
	name := sandbox.UniqueName(t, "lanattach-e2e-")
	dir := t.TempDir()
	busyboxRootfs(t, filepath.Join(dir, "rootfs"))
	tar := filepath.Join(dir, "rootfs.tar")
	cmd(t, "tar", "-C", filepath.Join(dir, "rootfs"), "-cf", tar, ".")
	image := "localhost/" + name + ":latest"
	cmd(t, "podman", "import", tar, image)
	t.Cleanup(func() { exec.Command("podman", "rmi", "-f", image).Run() })
	cmd(t, "podman", "run", "-d", "--name", name, "--runtime", "runc", "--network", "none",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--cap-add", "NET_RAW",
		image, "/bin/sleep", "3600")
	t.Cleanup(func() { exec.Command("podman", "rm", "-f", "-t", "0", name).Run() })
	pid, err := strconv.Atoi(cmd(t, "podman", "inspect", "-f", "{{.State.Pid}}", name))
	if err != nil || pid <= 0 {
		t.Fatalf("podman inspect: no pid for %s: %v", name, err)
	}
	e2eRun(t, l, pid, []string{"podman", "exec", name})
}

// TestE2ERunc attaches a plain runc container (busybox bundle, new netns)
// to a sandbox LAN and pings a LAN peer from inside it.
func TestE2ERunc(t *testing.T) {
	t.Parallel()
	requireE2E(t, "runc")
	l := newLAN(t)
	id := sandbox.UniqueName(t, "lanattach-e2e-")
	bundle := t.TempDir()
	busyboxRootfs(t, filepath.Join(bundle, "rootfs"))
	cmd(t, "runc", "spec", "--bundle", bundle)
	runcConfig(t, filepath.Join(bundle, "config.json"))
	run := exec.Command("runc", "run", "-d", "--bundle", bundle, id) // stdio: /dev/null
	if err := run.Run(); err != nil {
		t.Fatalf("runc run %s: %v", id, err)
	}
	t.Cleanup(func() { exec.Command("runc", "delete", "-f", id).Run() })
	var state struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(cmd(t, "runc", "state", id)), &state); err != nil || state.Pid <= 0 {
		t.Fatalf("runc state %s: no pid: %v", id, err)
	}
	e2eRun(t, l, state.Pid, []string{"runc", "exec", id})
}

// runcConfig edits the config.json `runc spec` wrote: run sleep without a
// terminal, and allow raw sockets for ping.
func runcConfig(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	proc := spec["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = []string{"/bin/sleep", "3600"}
	caps := proc["capabilities"].(map[string]any)
	for k, v := range caps {
		caps[k] = append(v.([]any), "CAP_NET_RAW")
	}
	if b, err = json.Marshal(spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
