// Command lanattach gives a container a leg on the host's LAN: it creates a
// macvlan or ipvlan slave off a parent interface (or an 802.1q
// sub-interface it makes), moves it into a target network namespace,
// configures it, and checks first that no one else uses its addresses.
package main

import (
	"os"

	"github.com/lanattach/lanattach/cni"
	"github.com/lanattach/lanattach/internal/linkdel"
	"github.com/urfave/cli/v2"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	linkdel.RunIfChild()                    // detach's deletes run in a child of the binary
	if cni.Invoked(os.Args[0], os.Getenv) { // CNI_COMMAND set, or run as lanattach-cni
		os.Exit(cni.Main(version))
	}
	if commandOf(newApp(), os.Args) == "detach" {
		linkdel.Prestart() // the delete's child starts up while detach parses and looks; unused, it ends with this process
	}
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// newApp builds the command tree.
func newApp() *cli.App {
	return &cli.App{
		Name:            "lanattach",
		Usage:           "attach a container to the host's LAN with a macvlan/ipvlan slave, clash-checked",
		HideHelpCommand: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output format: text or json"},
			&cli.StringFlag{Name: "log-level", Value: "warn", Usage: "debug, info, warn or error (logs go to stderr)"},
		},
		Before:         setup,
		Action:         noCommand,
		OnUsageError:   onUsageError,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			attachCommand(),
			detachCommand(),
			listCommand(),
			gcCommand(),
			probeCommand(),
			scanCommand(),
			versionCommand(),
			doctorCommand(),
			shimCommand(),
			completeCommand(),
			genDocsCommand(),
			keeperCommand(),
		},
	}
}
