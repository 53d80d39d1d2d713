package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

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
			shims, err := nsattach.Shims()
			if err != nil {
				return err
			}
			return printerOf(c).result(map[string]any{"attachments": as, "shims": shims}, func(w io.Writer) {
				printList(w, as)
				printShimList(w, shims)
			})
		},
	}
}

// printList writes the attachments as a table.
func printList(w io.Writer, as []nsattach.Attachment) {
	bw := bufio.NewWriter(w) // one write, not one per line
	defer bw.Flush()
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tINTERFACE\tPARENT\tMODE\tMAC\tADDRESSES\tSTATE")
	for _, a := range as {
		mode := a.Kind + "/" + a.Mode
		if a.Flag != "" {
			mode += "/" + a.Flag
		}
		addrs := strings.Join(a.Addresses, ",")
		if a.Lease != nil {
			addrs += " (lease until " + a.Lease.Expires.Local().Format(time.RFC3339) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", describeTarget(a.Target), a.Interface, a.Parent, mode,
			a.MAC, addrs, a.State)
	}
	tw.Flush()
}

// gcCommand finishes interrupted attaches and deletes unused VLANs.
func gcCommand() *cli.Command {
	return &cli.Command{
		Name:         "gc",
		Usage:        "roll back attaches whose run was killed, forget gone containers, delete VLANs lanattach made that nothing uses",
		Before:       before(),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if err := needRoot("gc"); err != nil {
				return err
			}
			res, err := nsattach.GC(c.Context)
			p := printerOf(c)
			if err != nil && res != nil {
				p.partialResult(res, func(w io.Writer) { printGC(w, res) })
			}
			if err != nil {
				return err
			}
			return p.result(res, func(w io.Writer) { printGC(w, res) })
		},
	}
}

// printGC writes a gc result for people.
func printGC(w io.Writer, r *nsattach.GCResult) {
	for _, id := range r.RolledBack {
		fmt.Fprintf(w, "rolled back interrupted attach (record %s)\n", id)
	}
	for _, id := range r.Forgotten {
		fmt.Fprintf(w, "forgot record %s: its slave is gone\n", id)
	}
	if len(r.RolledBack)+len(r.Forgotten)+len(r.VLANsDeleted)+len(r.Kept)+len(r.ShimsDeleted) == 0 {
		fmt.Fprintln(w, "nothing to clean up")
	}
	printVLANs(w, r.VLANsDeleted, r.Kept)
	printShims(w, r.ShimsDeleted, r.ShimsKept)
}

// printVLANs writes the VLANs deleted and kept (with why).
func printVLANs(w io.Writer, deleted, kept []string) {
	for _, v := range deleted {
		fmt.Fprintf(w, "deleted unused VLAN %s\n", v)
	}
	for _, v := range kept {
		fmt.Fprintf(w, "kept VLAN %s\n", v)
	}
}
