package main

import (
	"net/netip"
	"strings"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// flagInfo is what checkArgs needs to know about a flag.
type flagInfo struct {
	name       string // canonical name, without dashes
	takesValue bool
	repeatable bool // a slice flag such as --ip
}

// flagTable maps every name and alias of flags to its flagInfo.
func flagTable(flags []cli.Flag) map[string]flagInfo {
	t := map[string]flagInfo{}
	for _, f := range flags {
		fi := flagInfo{name: f.Names()[0], takesValue: true}
		if v, ok := f.(cli.DocGenerationFlag); ok {
			fi.takesValue = v.TakesValue()
		}
		if s, ok := f.(interface{ IsSliceFlag() bool }); ok {
			fi.repeatable = s.IsSliceFlag()
		}
		for _, n := range f.Names() {
			t[n] = fi
		}
	}
	return t
}

// checkArgs refuses, before urfave/cli parses anything, a flag given an
// empty value and a single-value flag given twice (urfave/cli would keep
// the last one silently): first among the global flags, then among those
// of the command. It leaves everything else (unknown flags, missing
// commandOf returns the command that args (a whole command line) run, ""
// when they name none: global flags, and the values of those that take
// one, come before it.
func commandOf(app *cli.App, args []string) string {
	table := flagTable(app.Flags)
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case len(a) < 2 || a[0] != '-':
			return a
		}
		spelled, _, hasValue := strings.Cut(a, "=")
		if fi, ok := table[strings.TrimLeft(spelled, "-")]; ok && fi.takesValue && !hasValue {
			i++
		}
	}
	return ""
}

// values, stray arguments) to the parser and the commands.
func checkArgs(app *cli.App, args []string) error {
	table, seen, inCmd := flagTable(app.Flags), map[string]string{}, false
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if len(a) < 2 || a[0] != '-' {
			cmd := app.Command(a)
			if inCmd || cmd == nil {
				return nil // the command's arguments, or an unknown command
			}
			table, seen, inCmd = flagTable(cmd.Flags), map[string]string{}, true
			continue
		}
		spelled, value, hasValue := strings.Cut(a, "=")
		fi, ok := table[strings.TrimLeft(spelled, "-")]
		if !ok {
			continue
		}
		if fi.takesValue && !hasValue && i+1 < len(args) {
			i++
			value, hasValue = args[i], true
		}
		if err := checkFlag(fi, spelled, value, hasValue, seen); err != nil {
			return err
		}
	}
	return nil
}

// checkFlag checks one occurrence of a flag, spelled as given, against
// the flags seen before it.
func checkFlag(fi flagInfo, spelled, value string, hasValue bool, seen map[string]string) error {
	if fi.takesValue && hasValue && strings.TrimSpace(value) == "" {
		return usageErr(spelled, "empty or blank value: give a value or leave the flag out")
	}
	if first, dup := seen[fi.name]; dup && !fi.repeatable {
		if first != spelled {
			return usageErr(spelled, "given twice (as %s and as %s): give it once", first, spelled)
		}
		return usageErr(spelled, "given twice: give it once")
	}
	seen[fi.name] = spelled
	return nil
}

// before returns a command's Before: it refuses arguments that are not
// flags and checks that the required flags were given (urfave/cli's own
// check prints the help text, which must not reach JSON output).
func before(required ...string) cli.BeforeFunc {
	return func(c *cli.Context) error {
		if c.NArg() > 0 {
			return usageErr("", "unexpected argument %q: %s takes flags only (see lanattach %s --help)",
				c.Args().First(), c.Command.Name, c.Command.Name)
		}
		for _, f := range required {
			if !c.IsSet(f) {
				return usageErr("--"+f, "required, not given (see lanattach %s --help)", c.Command.Name)
			}
		}
		return nil
	}
}

// noCommand is the app's action: it runs when no command, or an unknown
// one, was given.
func noCommand(c *cli.Context) error {
	var names []string
	for _, cmd := range c.App.Commands {
		if !cmd.Hidden {
			names = append(names, cmd.Name)
		}
	}
	if c.NArg() > 0 {
		return usageErr("", "unknown command %q; the commands are %s", c.Args().First(), strings.Join(names, ", "))
	}
	return usageErr("", "no command given; the commands are %s (see lanattach --help)", strings.Join(names, ", "))
}

// parseAddrs parses ADDR or ADDR/PREFIX values of flag.
func parseAddrs(flag string, vals []string) ([]netip.Addr, error) {
	out := make([]netip.Addr, 0, len(vals))
	for _, v := range vals {
		addr, _, _ := strings.Cut(v, "/")
		a, err := nsattach.ParseAddr(flag, addr)
		if err == nil && addr != v {
			_, err = nsattach.ParsePrefix(flag, v)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
