package main

import (
	"regexp"

	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// targetFlags are the flags that name a target namespace.
func targetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "pid", Usage: "target the network namespace of process `PID`"},
		&cli.StringFlag{Name: "netns", Usage: "target the named netns `NAME` (/run/netns/NAME)"},
		&cli.StringFlag{Name: "netns-path", Usage: "target the netns at `PATH` (nsfs or /proc/PID/ns/net)"},
	}
}

// targetSpec reads the target flags.
func targetSpec(c *cli.Context) nsattach.TargetSpec {
	return nsattach.TargetSpec{PID: c.Int("pid"), Name: c.String("netns"), Path: c.String("netns-path")}
}

// parserFlag finds the flag in an error of Go's flag package, such as
// `invalid value "x" for flag -mtu: parse error`.
var parserFlag = regexp.MustCompile(`(?:flag|for)(?: provided but not defined:| needs an argument:)? -+([^\s:]+)`)

// onUsageError turns urfave/cli's flag errors into bad-input errors that
// name the flag, without printing help, so that JSON output stays one
// object.
func onUsageError(_ *cli.Context, err error, _ bool) error {
	flag := ""
	if m := parserFlag.FindStringSubmatch(err.Error()); m != nil {
		flag = "--" + m[1]
		if len(m[1]) == 1 {
			flag = "-" + m[1]
		}
	}
	return usageErr(flag, "%v (see --help)", err)
}
