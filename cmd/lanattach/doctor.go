package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/lanattach/lanattach/doctor"
	"github.com/lanattach/lanattach/link"
	"github.com/urfave/cli/v2"
)

// doctorCommand runs the read-only preflight.
func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check this host and a parent for what keeps macvlan/ipvlan from working, change nothing",
		Description: "One verdict per check (ok, warn or fail) with what to do: kernel support, the parent's state,\n" +
			"MTU and stacking, Wi-Fi, virtual NICs, network managers, rp_filter, IPv6 DAD, leftovers of killed runs.\n" +
			"Exit 0 when no check fails, 1 otherwise.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "parent", Usage: "check parent `IFACE` (or IFACE.VID) too"},
			&cli.StringFlag{Name: "mode", Value: "macvlan", Usage: "the slave type you plan: macvlan or ipvlan"},
		},
		Before:       before(),
		OnUsageError: onUsageError,
		Action:       runDoctor,
	}
}

// runDoctor runs `lanattach doctor`.
func runDoctor(c *cli.Context) error {
	mode := c.String("mode")
	if _, err := link.ParseType(mode, "bridge", "l2", "bridge"); err != nil {
		return err
	}
	checks, err := doctor.Run(doctor.Options{Parent: c.String("parent"), Mode: mode})
	if err != nil {
		return err
	}
	printerOf(c).result(map[string]any{"checks": checks}, func(w io.Writer) { printChecks(w, checks) })
	if failed := doctor.Failed(checks); len(failed) > 0 {
		return fmt.Errorf("doctor: %s failed; see the fix on each line", strings.Join(failed, ", "))
	}
	return nil
}

// printChecks writes one line per check: verdict, name, detail and fix.
func printChecks(w io.Writer, checks []doctor.Check) {
	for _, c := range checks {
		line := fmt.Sprintf("%-4s  %-15s  %s", c.Verdict, c.Name, c.Detail)
		if c.Fix != "" {
			line += "; fix: " + c.Fix
		}
		fmt.Fprintln(w, line)
	}
}
