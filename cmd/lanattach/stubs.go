package main

import "github.com/urfave/cli/v2"

// Temporary stubs, replaced by the real commands as they land.
func attachCommand() *cli.Command { return &cli.Command{Name: "attach"} }
func detachCommand() *cli.Command { return &cli.Command{Name: "detach"} }
func listCommand() *cli.Command   { return &cli.Command{Name: "list"} }
func gcCommand() *cli.Command     { return &cli.Command{Name: "gc"} }
func probeCommand() *cli.Command  { return &cli.Command{Name: "probe"} }
func scanCommand() *cli.Command   { return &cli.Command{Name: "scan"} }
