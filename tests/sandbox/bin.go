package sandbox

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// builds holds binaries built because LANATTACH_BIN or
// LANATTACH_FAILPOINT_BIN was unset.
var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string // tag ("" or "failpoint") -> path
}

// Bin returns the lanattach binary: $LANATTACH_BIN, or else one built with
// `go build` into a temporary directory (once per test binary).
func Bin(t testing.TB) string {
	t.Helper()
	return binary(t, "LANATTACH_BIN", "")
}

// FailpointBin returns the lanattach binary built with -tags failpoint:
// $LANATTACH_FAILPOINT_BIN, or else one built with `go build`.
func FailpointBin(t testing.TB) string {
	t.Helper()
	return binary(t, "LANATTACH_FAILPOINT_BIN", "failpoint")
}

// binary returns $env, or builds cmd/lanattach with build tag tag.
func binary(t testing.TB, env, tag string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("sandbox: %s=%s: %v (run `make build`)", env, p, err)
		}
		return p
	}
	builds.Lock()
	defer builds.Unlock()
	if p, ok := builds.bins[tag]; ok {
		return p
	}
	if builds.dir == "" {
		d, err := os.MkdirTemp("", "lanattach-test-")
		if err != nil {
			t.Fatalf("sandbox: %v", err)
		}
		builds.dir, builds.bins = d, map[string]string{}
	}
	p := filepath.Join(builds.dir, "lanattach"+tag)
	args := []string{"build", "-o", p}
	if tag != "" {
		args = append(args, "-tags", tag)
	}
	if _, err := run([]string{"CGO_ENABLED=0"}, "go", append(args, "github.com/lanattach/lanattach/cmd/lanattach")...); err != nil {
		t.Fatalf("sandbox: %s is unset and building failed (no Go here? set %s): %v", env, env, err)
	}
	builds.bins[tag] = p
	return p
}

// RemoveBuilds deletes binaries Bin and FailpointBin built; call it from
// TestMain after the tests ran.
func RemoveBuilds() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
		builds.dir, builds.bins = "", nil
	}
}
