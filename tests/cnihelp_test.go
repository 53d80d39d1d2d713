package tests

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// stockCNIDir is where Debian's containernetworking-plugins puts the
// stock plugins (host-local, static, macvlan, ...).
const stockCNIDir = "/usr/lib/cni"

// cniNet is one CNI network on a sandbox LAN, driven through libcni as a
// runtime drives it: the plugin runs inside the sandbox host netns (a
// wrapper "lanattach" in binDir enters it), the IPAM plugins come from
// stockCNIDir.
type cniNet struct {
	l       *lan
	name    string
	ver     string
	binDir  string
	dataDir string // host-local's allocations
	plugin  map[string]any
}

// newCNINet makes a network named uniquely with cniVersion ver whose
// lanattach plugin config is {"type": "lanattach", "master": parent} plus
// keys.
func newCNINet(t testing.TB, l *lan, ver string, keys map[string]any) *cniNet {
	t.Helper()
	if _, err := os.Stat(filepath.Join(stockCNIDir, "host-local")); err != nil {
		t.Fatalf("the stock CNI plugins are missing (hack/deps.sh installs containernetworking-plugins, hack/vmtest ships them): %v", err)
	}
	n := &cniNet{l: l, name: sandbox.UniqueName(t, "lan-"), ver: ver, binDir: t.TempDir(), dataDir: t.TempDir(),
		plugin: map[string]any{"type": "lanattach", "master": l.Parent}}
	for k, v := range keys {
		n.plugin[k] = v
	}
	n.wrap(t, "lanattach", sandbox.Bin(t))
	return n
}

// wrap puts plugin name into binDir: a script that runs bin inside the
// sandbox host netns, with extra environment env ("KEY=VALUE").
func (n *cniNet) wrap(t testing.TB, name, bin string, env ...string) {
	t.Helper()
	script := "#!/bin/sh\nexec nsenter --net=" + sandbox.NetnsPath(n.l.Host) + " -- env " +
		strings.Join(env, " ") + " " + bin + " \"$@\"\n"
	writeExec(t, filepath.Join(n.binDir, name), []byte(script))
}

// hostLocal is a host-local IPAM config handing out first..last of the
// LAN's subnet (its gateway .254, so that .1 can be handed out), keeping
// its allocations in n.dataDir.
func (n *cniNet) hostLocal(first, last int) map[string]any {
	return map[string]any{"type": "host-local", "dataDir": n.dataDir, "ranges": [][]map[string]any{{{
		"subnet": n.l.Subnet.String(), "rangeStart": n.l.IP(first), "rangeEnd": n.l.IP(last),
		"gateway": n.l.IP(254)}}}}
}

// allocated reports whether host-local holds ip for the network.
func (n *cniNet) allocated(ip string) bool {
	_, err := os.Stat(filepath.Join(n.dataDir, n.name, ip))
	return err == nil
}

// list is the network's conflist.
func (n *cniNet) list(t testing.TB) *libcni.NetworkConfigList {
	t.Helper()
	b, err := json.Marshal(map[string]any{"cniVersion": n.ver, "name": n.name, "plugins": []any{n.plugin}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := libcni.ConfListFromBytes(b)
	if err != nil {
		t.Fatalf("conflist: %v\n%s", err, b)
	}
	return l
}

// cfg is a libcni runtime with its own cache dir.
func (n *cniNet) cfg(t testing.TB) *libcni.CNIConfig {
	return libcni.NewCNIConfigWithCacheDir([]string{n.binDir, stockCNIDir}, t.TempDir(), nil)
}

// rt is the runtime config of container id in target netns tg as eth0.
func rt(id string, tg target) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{ContainerID: id, NetNS: tg.nsPath(), IfName: "eth0"}
}

// nsPath is the netns file of tg.
func (tg target) nsPath() string {
	if strings.HasPrefix(tg.ns, "/") {
		return tg.ns
	}
	return sandbox.NetnsPath(tg.ns)
}

// add runs ADD and fails the test unless it succeeds with a 1.0.0-able
// result with one interface (MAC and sandbox set) and its addresses.
func (n *cniNet) add(t testing.TB, c *libcni.CNIConfig, r *libcni.RuntimeConf) *current.Result {
	t.Helper()
	res, err := c.AddNetworkList(context.Background(), n.list(t), r)
	if err != nil {
		t.Fatalf("ADD %s: %v", r.ContainerID, err)
	}
	out, err := current.NewResultFromResult(res)
	if err != nil {
		t.Fatalf("ADD result: %v", err)
	}
	if len(out.Interfaces) != 1 || out.Interfaces[0].Mac == "" || out.Interfaces[0].Sandbox != r.NetNS ||
		out.Interfaces[0].Name != r.IfName || len(out.IPs) == 0 {
		t.Fatalf("ADD result %s lacks the interface (name, mac, sandbox) or addresses", out)
	}
	return out
}

// wantCode checks that err is a CNI error with code and a message naming
// every string of want.
func wantCode(t testing.TB, err error, code uint, want ...string) {
	t.Helper()
	var e *types.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("want CNI error code %d, got %#v (%v)", code, err, err)
	}
	for _, w := range want {
		if !strings.Contains(e.Msg, w) {
			t.Errorf("error %q does not name %q", e.Msg, w)
		}
	}
}

// cniListed returns list's entries of network n, with their cni ids.
func (n *cniNet) listed(t testing.TB) []cniAttachment {
	t.Helper()
	r := n.l.Lanattach(t, "-o", "json", "list")
	if r.Code != 0 {
		t.Fatalf("list failed:\n%s", r)
	}
	var out struct {
		Attachments []cniAttachment `json:"attachments"`
	}
	r.JSON(t, &out)
	var mine []cniAttachment
	for _, a := range out.Attachments {
		if a.CNI.Network == n.name {
			mine = append(mine, a)
		}
	}
	return mine
}

// cniAttachment is a list entry with its "cni" object.
type cniAttachment struct {
	attachment
	CNI struct {
		ContainerID string `json:"container_id"`
		Network     string `json:"network"`
	} `json:"cni"`
}

// checkDel checks after an ADD of container c1 as eth0 that list shows it
// ok and CHECK passes, then runs DEL twice and checks that the container
// has only lo left and list shows nothing.
func (n *cniNet) checkDel(t *testing.T, c *libcni.CNIConfig, r *libcni.RuntimeConf, tg target) {
	t.Helper()
	if got := n.listed(t); len(got) != 1 || got[0].CNI.ContainerID != "c1" || got[0].Interface != "eth0" || got[0].State != "ok" {
		t.Errorf("list shows %+v, want one ok eth0 of container c1", got)
	}
	ctx := context.Background()
	if err := c.CheckNetworkList(ctx, n.list(t), r); err != nil {
		t.Errorf("CHECK after ADD: %v", err)
	}
	for i := range 2 {
		if err := c.DelNetworkList(ctx, n.list(t), r); err != nil {
			t.Fatalf("DEL #%d: %v", i+1, err)
		}
	}
	checkOnly(t, tg.ns, "lo")
	if got := n.listed(t); len(got) != 0 {
		t.Errorf("list still shows %+v after DEL", got)
	}
}
