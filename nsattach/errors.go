package nsattach

import "fmt"

// InputError reports bad input caught before anything was changed. The
// command maps it to exit code 2. Flag names the offending flag ("--ip"),
// or is empty when the problem is not tied to one flag.
type InputError struct {
	Flag string
	Err  error
}

// Error returns "FLAG: reason", or the reason alone when no flag is named.
func (e *InputError) Error() string {
	if e.Flag == "" {
		return e.Err.Error()
	}
	return e.Flag + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Inputf builds an *InputError for flag with a formatted reason.
func Inputf(flag, format string, args ...any) error {
	return &InputError{Flag: flag, Err: fmt.Errorf(format, args...)}
}

// RollbackError reports an attach that failed and then could not undo
// everything: the command exits 1 whatever the first failure was, and the
// record stays for `lanattach gc` to finish the job.
type RollbackError struct {
	Err    error  // why the attach failed
	Left   error  // what could not be undone
	Record string // the record that still names it
}

// Error says what failed and what is left.
func (e *RollbackError) Error() string {
	return fmt.Sprintf("%v; rollback incomplete, left behind: %v (record %s; run `lanattach gc` to finish)",
		e.Err, e.Left, e.Record)
}

// Unwrap returns the first failure.
func (e *RollbackError) Unwrap() error { return e.Err }
