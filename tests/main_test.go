// Package tests holds lanattach's black-box integration and end-to-end
// tests: each builds a sandbox LAN in fresh network namespaces
// (tests/sandbox), runs the built binary ($LANATTACH_BIN) inside the
// sandbox host netns, and checks what it did against the contract.
package tests

import (
	"os"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestMain removes binaries built because LANATTACH_BIN was unset.
func TestMain(m *testing.M) {
	code := m.Run()
	sandbox.RemoveBuilds()
	os.Exit(code)
}
