package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// shimCommand prepares or takes away the host-side shim of a parent.
func shimCommand() *cli.Command {
	return &cli.Command{
		Name:  "shim",
		Usage: "prepare (or with --remove take away) the host-side shim of a parent that --host-access uses",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "parent", Usage: "parent `IFACE` in this netns (an existing interface)"},
			&cli.StringFlag{Name: "name", Usage: "the shim's `IFNAME` (default PARENT-shim)"},
			&cli.StringSliceFlag{Name: "shim-ip", Usage: "give the shim its own `ADDR/PREFIX` (one per family)"},
			&cli.BoolFlag{Name: "remove", Usage: "take the shim away (now, or with its last attachment)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan as ip(8) commands, change nothing"},
		},
		Before:       before("parent"),
		OnUsageError: onUsageError,
		Action:       shim,
	}
}

// shim runs `lanattach shim`.
func shim(c *cli.Context) error {
	spec, err := nsattach.ParseShim(nsattach.ShimFlags{Parent: c.String("parent"), Name: c.String("name"),
		NameSet: c.IsSet("name"), IPs: c.StringSlice("shim-ip"), Remove: c.Bool("remove"), DryRun: c.Bool("dry-run")})
	if err != nil {
		return err
	}
	if err := needRoot("shim"); err != nil {
		return err
	}
	p := printerOf(c)
	if spec.DryRun {
		cmds, err := nsattach.ShimPlan(spec)
		if err != nil {
			return err
		}
		return p.result(map[string]any{"dry_run": true, "commands": cmds}, func(w io.Writer) {
			fmt.Fprintln(w, strings.Join(cmds, "\n"))
		})
	}
	run := nsattach.PrepareShim
	if spec.Remove {
		run = nsattach.RemoveShim
	}
	info, err := run(c.Context, spec)
	if err != nil {
		return err
	}
	return p.result(info, func(w io.Writer) { printShim(w, info, spec.Remove) })
}

// printShim writes a shim result for people.
func printShim(w io.Writer, s *nsattach.ShimInfo, remove bool) {
	switch {
	case remove && s.Deleted:
		fmt.Fprintf(w, "removed shim %s of %s\n", s.Name, s.Parent)
	case remove:
		fmt.Fprintf(w, "kept shim %s of %s: %s\n", s.Name, s.Parent, s.Why)
	default:
		fmt.Fprintf(w, "shim %s of %s ready (created: %t), rp_filter %s\n", s.Name, s.Parent, s.Created, s.RPFilter)
	}
}

// printShims writes the shims deleted and kept (with why).
func printShims(w io.Writer, deleted, kept []string) {
	for _, s := range deleted {
		fmt.Fprintf(w, "deleted unused shim %s\n", s)
	}
	for _, s := range kept {
		fmt.Fprintf(w, "kept shim %s\n", s)
	}
}

// printShimList writes the shims and whom they serve, under list's table.
func printShimList(w io.Writer, shims []nsattach.ShimInfo) {
	for _, s := range shims {
		kept := ""
		if s.Kept {
			kept = ", kept"
		}
		fmt.Fprintf(w, "shim %s on %s%s serves: %s\n", s.Name, s.Parent, kept, strings.Join(s.Serves, ", "))
	}
}
