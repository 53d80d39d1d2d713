package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// ctrCNIScript runs ctr in a private mount namespace where the CNI
// directories ctr reads (it has no flags for them) are the test's: $1 the
// conflist dir over /etc/cni/net.d, $2 the plugin dir at /opt/cni/bin;
// then inside the sandbox host netns $3.
const ctrCNIScript = `set -e
mount --make-rprivate /
mount --bind "$1" /etc/cni/net.d
mount -t tmpfs tmpfs /opt
mkdir -p /opt/cni/bin
mount --bind "$2" /opt/cni/bin
ns=$3
shift 3
exec nsenter --net="$ns" -- ctr "$@"`

// containerd is a containerd daemon of the test's own: root, state and
// sockets in a temp dir, the CRI plugin off.
type containerd struct {
	dir, sock string
	netd, bin string
	l         *lan
}

// startContainerd starts the daemon (stopped on cleanup) and writes a
// conflist (1.0.0: lanattach, host-local .50-.60) for network name.
func startContainerd(t *testing.T, l *lan, name string) *containerd {
	t.Helper()
	dir := t.TempDir()
	c := &containerd{dir: dir, sock: filepath.Join(dir, "ctrd.sock"), netd: filepath.Join(dir, "net.d"), bin: filepath.Join(dir, "bin"), l: l}
	for _, d := range []string{c.netd, c.bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"lanattach": sandbox.Bin(t), "host-local": filepath.Join(stockCNIDir, "host-local")} {
		if err := os.Symlink(target, filepath.Join(c.bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": name, "plugins": []any{map[string]any{
		"type": "lanattach", "master": l.Parent, "ipam": map[string]any{"type": "host-local",
			"dataDir": filepath.Join(dir, "ipam"), "ranges": [][]map[string]any{{{"subnet": l.Subnet.String(),
				"rangeStart": l.IP(50), "rangeEnd": l.IP(60), "gateway": l.IP(254)}}}}}}})
	writeFile(t, filepath.Join(c.netd, "10-"+name+".conflist"), string(list))
	writeFile(t, filepath.Join(dir, "config.toml"), "version = 2\nroot = \""+dir+"/root\"\nstate = \""+dir+
		"/state\"\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = \""+c.sock+
		"\"\n[ttrpc]\n  address = \""+c.sock+".ttrpc\"\n")
	d := exec.Command("containerd", "--config", filepath.Join(dir, "config.toml"))
	d.Stdout, d.Stderr = nil, nil
	if err := d.Start(); err != nil {
		t.Fatalf("starting containerd: %v", err)
	}
	t.Cleanup(func() {
		d.Process.Kill()
		d.Wait()
	})
	for start := time.Now(); exec.Command("ctr", "--address", c.sock, "version").Run() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			t.Fatal("containerd did not come up in 20s")
		}
	}
	return c
}

// ctr runs ctr args with the test's CNI dirs in the sandbox host netns.
func (c *containerd) ctr(args ...string) (string, error) {
	argv := append([]string{"--mount", "sh", "-c", ctrCNIScript, "ctr-cni", c.netd, c.bin,
		sandbox.NetnsPath(c.l.Host), "--address", c.sock}, args...)
	out, err := exec.Command("unshare", argv...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// TestCNIContainerd: `ctr run --cni --rm` (containerd from Debian, the
// test's own daemon) attaches a container through the lanattach plugin;
// it pings a LAN peer from inside, and when it exits ctr's DEL leaves
// nothing: no record, no host-local allocation, no change on the host.
func TestCNIContainerd(t *testing.T) {
	t.Parallel()
	requireE2E(t, "containerd", "ctr", "runc", "unshare", "nsenter")
	l := newLAN(t)
	name := sandbox.UniqueName(t, "lanattach-ctrd-")
	c := startContainerd(t, l, name)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	busyboxRootfs(t, rootfs)
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	out, err := c.ctr("run", "--rm", "--cni", "--rootfs", rootfs, name, "/bin/ping", "-c", "1", "-w", "5", peerIP)
	if err != nil || !strings.Contains(out, "1 packets received") {
		t.Fatalf("ctr run --cni ping %s: %v\n%s", peerIP, err, out)
	}
	n := &cniNet{l: l, name: name}
	if got := n.listed(t); len(got) != 0 {
		t.Errorf("list still shows %+v after the container exited", got)
	}
	if ents, _ := os.ReadDir(filepath.Join(c.dir, "ipam", name)); len(ents) > 2 { // lock, last_reserved_ip.0
		t.Errorf("host-local still holds an address: %v", ents)
	}
	// The container's netns dies with its task; the kernel tears it down
	// (and what was in it) in the background.
	sandbox.SameSnapshotEventually(t, "ctr run --cni --rm", before, l.Host, l.Switch)
}
