//go:build failpoint

package nsattach

import (
	"fmt"
	"os"
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
