//go:build !failpoint

package nsattach

// failpoint is a no-op in normal builds; see failpoint_on.go.
func failpoint(string) error { return nil }

// unsupported is a no-op in normal builds; see failpoint_on.go.
func unsupported(string) error { return nil }
