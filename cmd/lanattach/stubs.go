package main

import "github.com/urfave/cli/v2"

// Temporary stubs, replaced by the real commands as they land.
func scanCommand() *cli.Command { return &cli.Command{Name: "scan"} }
