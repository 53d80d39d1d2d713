package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/urfave/cli/v2"
)

// versionInfo is what `lanattach version` prints.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
}

// versionCommand prints the version, commit and Go version.
func versionCommand() *cli.Command {
	return &cli.Command{
		Name:         "version",
		Usage:        "print version, commit and Go version",
		Before:       before(),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			v := versionInfo{Version: version, Commit: commit, Go: runtime.Version()}
			return printerOf(c).result(v, func(w io.Writer) {
				fmt.Fprintf(w, "lanattach %s (commit %s, %s)\n", v.Version, v.Commit, v.Go)
			})
		},
	}
}
