package nsattach

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/lanattach/lanattach/internal/failpoint"
)

// undoStack records how to revert each change, from the first one on.
type undoStack struct {
	steps []undoStep
}

// undoStep reverts one change.
type undoStep struct {
	key  string // names the kind of change, for failpoints ("undo.KEY")
	what string
	fn   func() error
}

// push records fn as the way to revert the change described by what, of
// the kind key.
func (u *undoStack) push(key, what string, fn func() error) {
	u.steps = append(u.steps, undoStep{key, what, fn})
}

// run reverts every recorded change, newest first, and reports those that
// could not be reverted.
func (u *undoStack) run() error {
	var errs []error
	for i := len(u.steps) - 1; i >= 0; i-- {
		s := u.steps[i]
		slog.Debug("rollback", "undo", s.what)
		err := failpoint.Hit("undo." + s.key)
		if err == nil {
			err = s.fn()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("undo %s: %w", s.what, err))
		}
	}
	u.steps = nil
	return errors.Join(errs...)
}
