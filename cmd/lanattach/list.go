package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// listCommand shows every slave lanattach made.
func listCommand() *cli.Command {
	return &cli.Command{
		Name:         "list",
		Usage:        "show every slave lanattach made, across named netns and processes",
		Before:       before(),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if err := needRoot("list"); err != nil {
				return err
			}
			as, err := nsattach.List()
			if err != nil {
				return err
			}
			if as == nil {
				as = []nsattach.Attachment{}
			}
			return printerOf(c).result(map[string]any{"attachments": as}, func(w io.Writer) { printList(w, as) })
		},
	}
}

// printList writes the attachments as a table.
func printList(w io.Writer, as []nsattach.Attachment) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tINTERFACE\tPARENT\tMODE\tMAC\tADDRESSES")
	for _, a := range as {
		mode := a.Kind + "/" + a.Mode
		if a.Flag != "" {
			mode += "/" + a.Flag
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", describeTarget(a.Target), a.Interface, a.Parent, mode,
			a.MAC, strings.Join(a.Addresses, ","))
	}
	tw.Flush()
}

// gcCommand deletes auto-made VLANs no slave uses.
func gcCommand() *cli.Command {
	return &cli.Command{
		Name:         "gc",
		Usage:        "delete VLAN sub-interfaces lanattach made that no slave uses any more",
		Before:       before(),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if err := needRoot("gc"); err != nil {
				return err
			}
			deleted, err := nsattach.GC(c.Context)
			if err != nil {
				return err
			}
			return printerOf(c).result(map[string]any{"vlans_deleted": deleted}, func(w io.Writer) {
				if len(deleted) == 0 {
					fmt.Fprintln(w, "no unused VLAN to delete")
				}
				for _, v := range deleted {
					fmt.Fprintf(w, "deleted unused VLAN %s\n", v)
				}
			})
		},
	}
}
