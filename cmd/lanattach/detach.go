package main

import (
	"fmt"
	"io"

	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// detachCommand removes what attach made in a target.
func detachCommand() *cli.Command {
	return &cli.Command{
		Name:  "detach",
		Usage: "remove the slaves lanattach made in a target, and VLANs it made that are no longer used",
		Flags: append(targetFlags(),
			&cli.StringFlag{Name: "name", Usage: "remove only interface `IFNAME` (default: every slave lanattach made there)"}),
		Before:       before(),
		OnUsageError: onUsageError,
		Action:       detach,
	}
}

// detach runs `lanattach detach`.
func detach(c *cli.Context) error {
	spec, name := targetSpec(c), c.String("name")
	if err := spec.Validate(); err != nil {
		return err
	}
	if c.IsSet("name") {
		if err := link.CheckName("--name", name); err != nil {
			return err
		}
	}
	if err := needRoot("detach"); err != nil {
		return err
	}
	d, err := nsattach.Detach(c.Context, spec, name)
	p := printerOf(c)
	if err != nil && d != nil {
		p.partialResult(d, func(w io.Writer) { printDetach(w, d) })
	}
	if err != nil {
		return err
	}
	return p.result(d, func(w io.Writer) { printDetach(w, d) })
}

// printDetach writes a detach result for people.
func printDetach(w io.Writer, d *nsattach.Detached) {
	if len(d.Interfaces)+len(d.RolledBack) == 0 {
		fmt.Fprintf(w, "nothing to detach in %s\n", describeTarget(d.Target))
	}
	for _, id := range d.RolledBack {
		fmt.Fprintf(w, "rolled back interrupted attach (record %s) in %s\n", id, describeTarget(d.Target))
	}
	for _, i := range d.Interfaces {
		fmt.Fprintf(w, "removed %s from %s\n", i, describeTarget(d.Target))
	}
	printVLANs(w, d.VLANsDeleted, d.VLANsKept)
	printShims(w, d.ShimsDeleted, d.ShimsKept)
}
