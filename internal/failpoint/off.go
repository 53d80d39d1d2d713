//go:build !failpoint

// Package failpoint lets test builds (-tags failpoint) fail, hang or panic
// lanattach at a named point; in normal builds Hit does nothing.
package failpoint

// Hit does nothing in normal builds; see on.go.
func Hit(string) error { return nil }
