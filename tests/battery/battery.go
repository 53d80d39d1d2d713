// Package battery is the table of hostile command lines that the
// bad-input test (tests.TestBadInput) runs on the sandbox LAN: for every
// command and every flag, empty, huge, negative, repeated, malformed,
// wrong-family and path-traversal values. Each must be refused before
// anything changes. cmd/lanattach's tests check that every flag of every
// command has cases here, so a new flag cannot miss the battery.
package battery

import "strings"

// Placeholders in Case.Args, replaced by the test.
const (
	// Target stands for the flags that name the test's target netns
	// (it becomes two arguments, --netns NAME).
	Target = "TARGET"
	// Parent stands for the sandbox host's parent interface, also inside
	// an argument (PARENT.4095).
	Parent = "PARENT"
	// HostNS stands for the name of the sandbox host netns, the one
	// lanattach runs in.
	HostNS = "HOSTNS"
)

// Case is one bad command line.
type Case struct {
	Cmd  string   // the command; "" for the global flags
	Flag string   // the flag it attacks, without dashes; "" for arguments
	Kind string   // what is wrong: empty, duplicated, huge, negative, ...
	Args []string // the command line after the program name (and -o json)
	// Want are strings the stderr line must hold besides the flag.
	Want []string
	// Text runs the case without -o json (cases about -o itself).
	Text bool
}

// Name names the case for a subtest.
func (c Case) Name() string {
	cmd, flag := c.Cmd, c.Flag
	if cmd == "" {
		cmd = "global"
	}
	if flag == "" {
		flag = "args"
	}
	return cmd + "/" + flag + "/" + c.Kind
}

// FlagName is the flag as the message must name it: "--mtu", "-o"; empty
// for cases about arguments.
func (c Case) FlagName() string {
	switch {
	case c.Flag == "":
		return ""
	case len(c.Flag) == 1:
		return "-" + c.Flag
	}
	return "--" + c.Flag
}

// All returns every case.
func All() []Case {
	var out []Case
	for _, cs := range [][]Case{globalCases(), attachCases(), attachAddrCases(), dynamicCases(), targetCases(), probeCases(), scanCases(), doctorCases(), hostAccessCases(), shimCases()} {
		out = append(out, cs...)
	}
	return out
}

// huge is a value far longer than any flag takes.
var huge = strings.Repeat("9", 4096)

// with returns base followed by extra, in a new slice.
func with(base []string, extra ...string) []string {
	return append(append([]string{}, base...), extra...)
}

// maker returns a function that makes cases of cmd.
func maker(cmd string) func(flag, kind string, args ...string) Case {
	return func(flag, kind string, args ...string) Case {
		return Case{Cmd: cmd, Flag: flag, Kind: kind, Args: args}
	}
}

// valueCases are the cases every single-value flag of cmd gets: an empty
// value and the flag given twice with good values, after base.
func valueCases(cmd, flag string, base []string, good1, good2 string) []Case {
	return []Case{
		{Cmd: cmd, Flag: flag, Kind: "empty", Args: with(base, "--"+flag, "")},
		{Cmd: cmd, Flag: flag, Kind: "duplicated", Args: with(base, "--"+flag, good1, "--"+flag, good2)},
	}
}

// globalCases attack -o and --log-level, and the commands without flags.
func globalCases() []Case {
	cs := []Case{
		{Flag: "o", Kind: "empty", Args: []string{"-o", "", "version"}, Text: true},
		{Flag: "o", Kind: "malformed", Args: []string{"-o", "yaml", "version"}, Text: true},
		{Flag: "o", Kind: "huge", Args: []string{"-o", huge, "version"}, Text: true},
		{Flag: "o", Kind: "duplicated", Args: []string{"-o", "text", "--output", "text", "version"}, Text: true},
		{Flag: "log-level", Kind: "empty", Args: []string{"--log-level", "", "version"}},
		{Flag: "log-level", Kind: "malformed", Args: []string{"--log-level", "loud", "version"}},
		{Flag: "log-level", Kind: "duplicated", Args: []string{"--log-level", "warn", "--log-level=debug", "version"}},
		{Kind: "unknown command", Args: []string{"nosuch"}, Want: []string{"unknown command", "attach, detach, list"}},
		{Kind: "no command", Args: []string{}, Want: []string{"no command"}},
		{Kind: "path traversal as command", Args: []string{"../../bin/sh"}, Want: []string{"unknown command"}},
	}
	for _, cmd := range []string{"list", "gc", "version"} {
		cs = append(cs,
			Case{Cmd: cmd, Kind: "argument", Args: []string{cmd, "extra"}, Want: []string{`unexpected argument "extra"`}},
			Case{Cmd: cmd, Kind: "argument after --", Args: []string{cmd, "--", "--all"}, Want: []string{`unexpected argument "--all"`}},
			Case{Cmd: cmd, Kind: "path traversal argument", Args: []string{cmd, "../../etc"}, Want: []string{"unexpected argument"}},
			Case{Cmd: cmd, Kind: "unknown flag", Args: []string{cmd, "--all"}, Want: []string{"--all"}},
		)
	}
	return cs
}
