package main

import (
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/urfave/cli/v2"
)

// fakeCompleter completes over the real command definitions with made-up
// host lookups.
func fakeCompleter() completer {
	return completer{app: newApp(), system: map[string]func() []string{
		"parent": func() []string { return []string{"eth0", "eth0.50", "wlan0"} },
		"netns":  func() []string { return []string{"web", "db"} },
		"pid":    func() []string { return []string{"4242"} },
	}}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		line string // words separated by spaces; a trailing space starts an empty word
		want []string
		none []string // must not be offered
	}{
		{"", []string{"attach", "detach", "doctor", "version"}, []string{"__complete", "--parent"}},
		{"at", []string{"attach"}, []string{"detach"}},
		{"-", []string{"--output", "-o", "--log-level", "--help"}, []string{"--parent"}},
		{"-o ", []string{"text", "json"}, []string{"attach"}},
		{"-o json d", []string{"detach", "doctor"}, []string{"attach"}},
		{"attach --pa", []string{"--parent"}, []string{"--output"}},
		{"attach ", []string{"--mode", "--ip", "--netns", "--help"}, []string{"attach"}},
		{"attach --mode ", []string{"macvlan", "ipvlan"}, nil},
		{"attach --mode i", []string{"ipvlan"}, []string{"macvlan"}},
		{"attach --mode = ", []string{"macvlan", "ipvlan"}, nil}, // bash: --mode=<TAB>
		{"attach --mode =", []string{"macvlan", "ipvlan"}, nil},
		{"attach --mode = m", []string{"macvlan"}, nil},
		{"attach --mode=m", []string{"--mode=macvlan"}, nil}, // zsh, fish
		{"attach --macvlan-mode ", []string{"bridge", "vepa", "private", "passthru"}, nil},
		{"attach --ipvlan-mode l", []string{"l2", "l3", "l3s"}, nil},
		{"attach --ipvlan-flag ", []string{"bridge", "private", "vepa"}, nil},
		{"attach --probe ", []string{"fast", "rfc", "off"}, nil},
		{"probe --probe r", []string{"rfc"}, nil},
		{"doctor --mode ", []string{"macvlan", "ipvlan"}, nil},
		{"attach --parent ", []string{"eth0", "eth0.50", "wlan0"}, nil},
		{"doctor --parent eth", []string{"eth0", "eth0.50"}, []string{"wlan0"}},
		{"detach --netns ", []string{"web", "db"}, nil},
		{"attach --netns w", []string{"web"}, []string{"db"}},
		{"attach --pid ", []string{"4242"}, nil},
		{"attach --netns web --parent eth0 --mode macvlan --", []string{"--ip", "--gateway"}, []string{"--output"}},
		{"attach --ip ", nil, []string{"--ip", "attach"}},
		{"attach --dry-run ", []string{"--ip"}, nil}, // a bool flag takes no value
		{"--log-level ", []string{"debug", "error"}, nil},
	}
	c := fakeCompleter()
	for _, tt := range tests {
		words := strings.Split(tt.line, " ")
		got := c.complete(words)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %v lacks %q", tt.line, got, w)
			}
		}
		for _, w := range tt.none {
			if slices.Contains(got, w) {
				t.Errorf("%q: %v offers %q", tt.line, got, w)
			}
		}
		if tt.want == nil && len(got) != 0 {
			t.Errorf("%q: %v, want nothing", tt.line, got)
		}
	}
}

// TestEnumValues checks that the completion's enum values are the ones
// the parsers accept, and that each names a flag of some command.
func TestEnumValues(t *testing.T) {
	accepts := map[string]func(string) error{
		"mode":         func(v string) error { _, err := link.ParseType(v, "bridge", "l2", "bridge"); return err },
		"macvlan-mode": func(v string) error { _, err := link.ParseType("macvlan", v, "", ""); return err },
		"ipvlan-mode":  func(v string) error { _, err := link.ParseType("ipvlan", "", v, "bridge"); return err },
		"ipvlan-flag":  func(v string) error { _, err := link.ParseType("ipvlan", "", "l2", v); return err },
		"probe":        func(v string) error { _, err := arpcheck.ParseMode(v); return err },
		"log-level":    func(v string) error { var l slog.Level; return l.UnmarshalText([]byte(v)) },
		"output": func(v string) error {
			if _, _, code := runCLI("-o", v, "version"); code != 0 {
				return os.ErrInvalid
			}
			return nil
		},
	}
	app := newApp()
	for name, vals := range enumValues {
		check, ok := accepts[name]
		if !ok {
			t.Errorf("enum %s has no parser check here", name)
			continue
		}
		for _, v := range vals {
			if err := check(v); err != nil {
				t.Errorf("--%s %s: refused by its parser: %v", name, v, err)
			}
		}
		if !definesFlag(app, name) {
			t.Errorf("enum %s is no flag of any command", name)
		}
	}
}

// definesFlag reports whether the app or a command has flag name.
func definesFlag(app *cli.App, name string) bool {
	has := func(fs []cli.Flag) bool {
		return slices.ContainsFunc(fs, func(f cli.Flag) bool { return slices.Contains(f.Names(), name) })
	}
	if has(app.Flags) {
		return true
	}
	return slices.ContainsFunc(app.Commands, func(c *cli.Command) bool { return has(c.Flags) })
}

func TestLowestPIDs(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	got := lowestPIDs("/proc", []string{"/proc/self/ns/net"})
	if slices.Contains(got, self) {
		t.Errorf("lowestPIDs offers pid %s, which is in the skipped netns", self)
	}
	if !slices.IsSortedFunc(got, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y }) {
		t.Errorf("lowestPIDs = %v, not ascending", got)
	}
	all := lowestPIDs("/proc", nil)
	if !slices.ContainsFunc(all, func(p string) bool { n, _ := strconv.Atoi(p); return n <= os.Getpid() }) {
		t.Errorf("lowestPIDs without skips = %v, lacks the lowest pid of this test's netns", all)
	}
}
