package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// podmanCNI runs podman with a test-local containers.conf (CNI backend,
// lanattach next to the stock plugins) inside the sandbox host netns:
// nsenter, because `ip netns exec` remounts /sys and runc then finds no
// cgroup mount.
type podmanCNI struct {
	l    *lan
	conf string // containers.conf
}

// newPodmanCNI writes the containers.conf and a conflist (cniVersion
// 1.0.0) for network name: lanattach on the LAN's parent, host-local IPAM
// over .2-.60 (so a container can ask for a peer's address) with a default
// route via the range's gateway .254, as README's podman example.
func newPodmanCNI(t *testing.T, l *lan, name string) *podmanCNI {
	t.Helper()
	dir := t.TempDir()
	bin, netd := filepath.Join(dir, "bin"), filepath.Join(dir, "net.d")
	for _, d := range []string{bin, netd} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(sandbox.Bin(t), filepath.Join(bin, "lanattach")); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "containers.conf")
	writeFile(t, conf, "[network]\nnetwork_backend = \"cni\"\ncni_plugin_dirs = [\""+bin+"\", \""+stockCNIDir+
		"\"]\nnetwork_config_dir = \""+netd+"\"\n")
	list, err := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": name, "plugins": []any{map[string]any{
		"type": "lanattach", "master": l.Parent, "ipam": map[string]any{"type": "host-local",
			"dataDir": filepath.Join(dir, "ipam"), "ranges": [][]map[string]any{{{"subnet": l.Subnet.String(),
				"rangeStart": l.IP(2), "rangeEnd": l.IP(60), "gateway": l.IP(254)}}},
			"routes": []map[string]any{{"dst": "0.0.0.0/0"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(netd, name+".conflist"), string(list))
	return &podmanCNI{l: l, conf: conf}
}

// writeFile writes s to path.
func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs podman args in the sandbox host netns and returns its
// combined output.
func (p *podmanCNI) run(args ...string) (string, error) {
	c := exec.Command("nsenter", append([]string{"--net=" + sandbox.NetnsPath(p.l.Host), "--", "podman"}, args...)...)
	c.Env = append(os.Environ(), "CONTAINERS_CONF="+p.conf)
	out, err := c.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// TestCNIPodman: podman's CNI backend attaches a container through the
// lanattach plugin (host-local IPAM); the container reaches a LAN peer and
// list shows it with its container id and network; a second container
// asking for the peer's address fails with lanattach's clash message;
// `podman rm` removes everything.
func TestCNIPodman(t *testing.T) {
	t.Parallel()
	requireE2E(t, "podman", "runc", "nsenter")
	l := newLAN(t)
	name := sandbox.UniqueName(t, "lanattach-cni-")
	p := newPodmanCNI(t, l, name)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	busyboxRootfs(t, rootfs)
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	base := []string{"--runtime", "runc", "run", "-d", "--network", name, "--cap-add", "NET_RAW",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}
	out, err := p.run(append(base, "--name", name, "--ip", l.IP(50), "--rootfs", rootfs, "/bin/sleep", "3600")...)
	t.Cleanup(func() { p.run("rm", "-f", "-t", "0", name) })
	if err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	if out, err := p.run("exec", name, "ping", "-c", "1", "-w", "5", peerIP); err != nil {
		t.Fatalf("ping %s from the container: %v\n%s", peerIP, err, out)
	}
	if out, err := p.run("exec", name, "ip", "route"); err != nil || !strings.Contains(out, "default via "+l.IP(254)) {
		t.Errorf("routes in the container: %v\n%s\nwant default via %s", err, out, l.IP(254))
	}
	n := &cniNet{l: l, name: name}
	if got := n.listed(t); len(got) != 1 || got[0].CNI.ContainerID == "" || !slicesHas(got[0].Addresses, l.Addr(50)) {
		t.Errorf("list shows %+v, want the container with %s and its container id", got, l.Addr(50))
	}
	second := name + "-2"
	out, err = p.run(append(base, "--name", second, "--ip", peerIP, "--rootfs", rootfs, "/bin/sleep", "3600")...)
	t.Cleanup(func() { p.run("rm", "-f", "-t", "0", second) })
	if err == nil || !strings.Contains(out, "address clash") || !strings.Contains(out, peerIP) {
		t.Errorf("podman run asking for the peer's %s: want lanattach's clash message, got %v\n%s", peerIP, err, out)
	}
	for _, c := range []string{second, name} {
		if out, err := p.run("rm", "-f", "-t", "0", c); err != nil {
			t.Errorf("podman rm %s: %v\n%s", c, err, out)
		}
	}
	if got := n.listed(t); len(got) != 0 {
		t.Errorf("list still shows %+v after podman rm", got)
	}
	sandbox.SameSnapshot(t, "podman run then rm", before, sandbox.Snapshot(t, l.Host, l.Switch))
}

// slicesHas reports whether ss holds s.
func slicesHas(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
