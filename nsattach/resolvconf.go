package nsattach

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// writeResolvConf writes the lease's DNS servers (and domain) to
// --resolv-conf; rollback puts back what was there.
func (r *attachRun) writeResolvConf() error {
	path := r.spec.Dynamic.ResolvConf
	if path == "" {
		return nil
	}
	old, err := os.ReadFile(path)
	existed := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--resolv-conf: %w", err)
	}
	var b strings.Builder
	b.WriteString("# written by lanattach from the DHCP lease of " + r.name + "\n")
	if r.lease.Domain != "" {
		b.WriteString("search " + r.lease.Domain + "\n")
	}
	for _, d := range r.lease.DNS {
		b.WriteString("nameserver " + d.String() + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("--resolv-conf: %w", err)
	}
	r.undo.push("resolv", "write "+path, func() error {
		if existed {
			return os.WriteFile(path, old, 0o644)
		}
		return os.Remove(path)
	})
	return nil
}
