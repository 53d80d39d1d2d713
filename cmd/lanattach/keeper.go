package main

import (
	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// keeperCommand is the hidden command attach starts, detached, to keep a
// DHCP lease: it renews it until detach stops it (SIGTERM) or the
// attachment goes away.
func keeperCommand() *cli.Command {
	return &cli.Command{
		Name:   nsattach.KeeperCommand,
		Usage:  "keep the DHCP lease of one attachment (started by attach)",
		Hidden: true,
		Flags:  []cli.Flag{&cli.StringFlag{Name: "record", Usage: "the attachment's record `ID`"}},
		Before: before(),
		Action: func(c *cli.Context) error {
			return nsattach.RunKeeper(c.Context, c.String("record"))
		},
	}
}
