package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// enumValues are the values of flags that take one of a fixed set, by
// flag name; the completion offers them.
var enumValues = map[string][]string{
	"output":       {"text", "json"},
	"log-level":    {"debug", "info", "warn", "error"},
	"mode":         {"macvlan", "ipvlan"},
	"macvlan-mode": {"bridge", "vepa", "private", "passthru"},
	"ipvlan-mode":  {"l2", "l3", "l3s"},
	"ipvlan-flag":  {"bridge", "private", "vepa"},
	"probe":        {"fast", "rfc", "off"},
}

// completer finds completion candidates in the command definitions and,
// for flags naming things on this host, in the lookups of system.
type completer struct {
	app    *cli.App
	system map[string]func() []string // flag name -> values found on this host
}

// completeCommand is the hidden entry the shell completion scripts call:
// `lanattach __complete -- WORD...` prints the candidates for the last
// WORD (the one being completed, maybe empty), one a line.
func completeCommand() *cli.Command {
	return &cli.Command{
		Name:            "__complete",
		Hidden:          true,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			words := c.Args().Slice()
			if len(words) > 0 && words[0] == "--" {
				words = words[1:]
			}
			comp := completer{app: newApp(), system: systemValues()}
			for _, s := range comp.complete(words) {
				fmt.Fprintln(printerOf(c).stdout, s)
			}
			return nil
		},
	}
}

// complete returns the candidates for the last of words, the command line
// after the program name. Bash splits "--flag=value" into "--flag", "="
// and "value"; zsh and fish keep it one word.
func (c completer) complete(words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	prev, cur := words[:len(words)-1], words[len(words)-1]
	if cur == "=" {
		prev, cur = append(slices.Clip(prev), "="), ""
	}
	if n := len(prev); n > 0 && prev[n-1] == "=" {
		prev = prev[:n-1]
	}
	cmd, flags := c.position(prev)
	if n := len(prev); n > 0 {
		if f := findFlag(flags, prev[n-1]); f != nil && takesValue(f) {
			return withPrefix(c.values(f), cur)
		}
	}
	if name, val, isPair := strings.Cut(cur, "="); isPair && strings.HasPrefix(cur, "-") {
		var out []string
		if f := findFlag(flags, name); f != nil {
			for _, v := range withPrefix(c.values(f), val) {
				out = append(out, name+"="+v)
			}
		}
		return out
	}
	if strings.HasPrefix(cur, "-") || cmd != nil {
		return withPrefix(flagNames(flags), cur)
	}
	var names []string
	for _, cm := range c.app.VisibleCommands() {
		names = append(names, cm.Names()...)
	}
	return withPrefix(names, cur)
}

// position finds the command in prev (nil before it) and the flags that
// apply where the next word goes: the app's before the command, the
// command's after it.
func (c completer) position(prev []string) (*cli.Command, []cli.Flag) {
	flags := c.app.VisibleFlags()
	for i := 0; i < len(prev); i++ {
		w := prev[i]
		if f := findFlag(flags, w); f != nil {
			if takesValue(f) && !strings.Contains(w, "=") {
				i++ // its value
			}
			continue
		}
		if cmd := c.app.Command(w); cmd != nil && !cmd.Hidden {
			return cmd, cmd.VisibleFlags()
		}
	}
	return nil, flags
}

// values returns the values flag f may take: its enum, or what the host
// has (interfaces, netns, container pids).
func (c completer) values(f cli.Flag) []string {
	name := f.Names()[0]
	if vs, ok := enumValues[name]; ok {
		return vs
	}
	if look, ok := c.system[name]; ok {
		return look()
	}
	return nil
}

// findFlag returns the flag of flags that word ("--name", "-n" or
// "--name=value") names, or nil.
func findFlag(flags []cli.Flag, word string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(word, "-"), "=")
	if !strings.HasPrefix(word, "-") || name == "" {
		return nil
	}
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// takesValue reports whether f needs a value.
func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// flagNames spells every name of flags as on a command line, and --help.
func flagNames(flags []cli.Flag) []string {
	out := []string{"--help"}
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) == 1 {
				out = append(out, "-"+n)
			} else {
				out = append(out, "--"+n)
			}
		}
	}
	return out
}

// withPrefix returns the words of ws that start with prefix, each once.
func withPrefix(ws []string, prefix string) []string {
	var out []string
	for _, w := range ws {
		if strings.HasPrefix(w, prefix) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
