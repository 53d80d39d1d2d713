//go:build failpoint

// Package failpoint lets test builds (-tags failpoint) fail, hang or panic
// lanattach at a named point, so that tests can check the rollback, the
// record and gc at every point of the flow. In normal builds Hit does
// nothing.
package failpoint

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Hit acts at point name when the environment variable LANATTACH_FAILPOINT
// (a comma-separated list, e.g. "done,undo.slave": fail, then fail an undo
// too) names it: by default it returns an error; with
// LANATTACH_FAILPOINT_ACTION "hang" it says so on stderr and blocks forever
// (for a test to kill the process there), with "wait" it says so and
// goes on once the file LANATTACH_FAILPOINT_RESUME exists (for a test to
// act meanwhile), with "panic" it panics.
func Hit(name string) error {
	if !slices.Contains(strings.Split(os.Getenv("LANATTACH_FAILPOINT"), ","), name) {
		return nil
	}
	switch os.Getenv("LANATTACH_FAILPOINT_ACTION") {
	case "hang":
		fmt.Fprintf(os.Stderr, "failpoint %s: hanging\n", name)
		for { // a pending timer: the runtime sees no deadlock where nothing else runs (CNI mode)
			time.Sleep(time.Hour)
		}
	case "wait":
		resume := os.Getenv("LANATTACH_FAILPOINT_RESUME")
		if resume == "" {
			return fmt.Errorf("failpoint %s: action wait needs LANATTACH_FAILPOINT_RESUME", name)
		}
		fmt.Fprintf(os.Stderr, "failpoint %s: waiting for %s\n", name, resume)
		for _, err := os.Stat(resume); err != nil; _, err = os.Stat(resume) {
			time.Sleep(10 * time.Millisecond)
		}
		return nil
	case "panic":
		panic("failpoint " + name)
	}
	return fmt.Errorf("failpoint %s reached", name)
}
