package nsattach

import (
	"os"
	"testing"

	"github.com/lanattach/lanattach/internal/linkdel"
)

// TestMain lets the test binary serve as linkdel's child: the deletes of
// detach and gc start /proc/self/exe.
func TestMain(m *testing.M) {
	linkdel.RunIfChild()
	os.Exit(m.Run())
}
