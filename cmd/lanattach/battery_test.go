package main

import (
	"slices"
	"testing"

	"github.com/lanattach/lanattach/tests/battery"
	"github.com/urfave/cli/v2"
)

// TestBatteryCoversEveryFlag checks that the bad-input battery run by
// tests.TestBadInput has, for every flag of every command, at least one
// case, and for every single-value flag an empty and a duplicated one; and
// for every command a stray-argument case. A new flag without cases, or a
// case for a flag that does not exist, fails here.
func TestBatteryCoversEveryFlag(t *testing.T) {
	app := newApp()
	kinds := map[[2]string][]string{} // command, flag -> kinds
	for _, c := range battery.All() {
		kinds[[2]string{c.Cmd, c.Flag}] = append(kinds[[2]string{c.Cmd, c.Flag}], c.Kind)
	}
	scopes := map[string][]cli.Flag{"": app.Flags}
	for _, cmd := range app.Commands {
		if cmd.Hidden {
			continue // internal: the shells' completion and the docs build
		}
		scopes[cmd.Name] = cmd.Flags
		if !slices.Contains(kinds[[2]string{cmd.Name, ""}], "argument") {
			t.Errorf("battery: no stray-argument case for %s", cmd.Name)
		}
	}
	for cmd, flags := range scopes {
		known := map[string]bool{"": true}
		for fi := range flagTable(flags) {
			known[fi] = true
		}
		for key := range kinds {
			if key[0] == cmd && !known[key[1]] {
				t.Errorf("battery: cases for %s --%s, which has no such flag", cmd, key[1])
			}
		}
		for _, f := range flags {
			var got []string
			for _, n := range f.Names() {
				got = append(got, kinds[[2]string{cmd, n}]...)
			}
			checkCovered(t, cmd, flagTable([]cli.Flag{f})[f.Names()[0]], got)
		}
	}
}

// checkCovered checks the battery kinds got of one flag.
func checkCovered(t *testing.T, cmd string, fi flagInfo, got []string) {
	t.Helper()
	var want []string
	if !fi.repeatable {
		want = append(want, "duplicated")
	}
	if fi.takesValue {
		want = append(want, "empty")
	}
	if len(got) < 2 {
		t.Errorf("battery: %s --%s has %d cases, want at least two", cmd, fi.name, len(got))
	}
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("battery: no %q case for %s --%s", k, cmd, fi.name)
		}
	}
}
