//go:build failpoint

package nsattach

import (
	"fmt"
	"os"

	"github.com/lanattach/lanattach/link"
)

// failpoint fails the attach right after step when the environment variable
// LANATTACH_FAILPOINT names it. Only test builds (-tags failpoint) have it;
// the rollback tests use it to fail every step in turn.
func failpoint(step string) error {
	if os.Getenv("LANATTACH_FAILPOINT") == step {
		return fmt.Errorf("failpoint %s reached", step)
	}
	return nil
}

// unsupported makes the kernel support check for kind fail when
// LANATTACH_FAILPOINT is "unsupported-KIND", as on a kernel without it.
func unsupported(kind string) error {
	if os.Getenv("LANATTACH_FAILPOINT") == "unsupported-"+kind {
		return fmt.Errorf("%s: %w (failpoint)", kind, link.ErrNotSupported)
	}
	return nil
}
