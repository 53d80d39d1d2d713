package sandbox

import (
	"os"
	"sync"
	"testing"
)

// probes are the commands that show whether the kernel has a link kind;
// each runs in a scratch netns that holds a veth pair v0/v1.
var probes = map[string][]string{
	"macvlan": {"link", "add", "link", "v0", "name", "k0", "type", "macvlan"},
	"ipvlan":  {"link", "add", "link", "v0", "name", "k0", "type", "ipvlan"},
	"vlan":    {"link", "add", "link", "v0", "name", "k0", "type", "vlan", "id", "5"},
	"dummy":   {"link", "add", "k0", "type", "dummy"},
}

// kernel caches KernelHas results.
var kernel struct {
	sync.Mutex
	has map[string]bool
}

// InVM reports whether the tests run in the QEMU guest (LANATTACH_VMTEST=1),
// where a missing kernel feature is a failure rather than a skip.
func InVM() bool { return os.Getenv("LANATTACH_VMTEST") == "1" }

// KernelHas reports whether the running kernel can make links of kind
// "macvlan", "ipvlan", "vlan" or "dummy" (tried in a scratch netns, once).
func KernelHas(t testing.TB, kind string) bool {
	t.Helper()
	requireRoot(t)
	probe, ok := probes[kind]
	if !ok {
		t.Fatalf("sandbox: KernelHas: unknown kind %q", kind)
	}
	kernel.Lock()
	defer kernel.Unlock()
	if has, ok := kernel.has[kind]; ok {
		return has
	}
	ns := UniqueName(t, "lt") + "-k"
	if out, err := runIP("netns", "add", ns); err != nil {
		t.Fatalf("sandbox: %v: %s", err, out)
	}
	defer deleteNetns(t, ns)
	if out, err := runIP("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1"); err != nil {
		t.Fatalf("sandbox: %v: %s", err, out)
	}
	_, err := runIP(append([]string{"-n", ns}, probe...)...)
	if kernel.has == nil {
		kernel.has = map[string]bool{}
	}
	kernel.has[kind] = err == nil
	return err == nil
}

// RequireKernel stops a test that needs link kind: on the host machine it
// is skipped with the reason, in the VM (LANATTACH_VMTEST=1) it fails.
func RequireKernel(t testing.TB, kind string) {
	t.Helper()
	if KernelHas(t, kind) {
		return
	}
	if InVM() {
		t.Fatalf("kernel has no %s support, but the VM run must test it (load the module in the guest)", kind)
	}
	t.Skipf("kernel has no %s support; this case runs in the VM (hack/vmtest)", kind)
}
