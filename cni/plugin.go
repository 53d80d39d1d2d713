// Package cni is lanattach's CNI front door: it reads a runtime's network
// configuration (stdin) and CNI variables, builds the same nsattach.Spec
// the CLI builds, runs the same attach, detach and cleanup, and answers
// with CNI results and errors. It keeps the CNI ids in the record's Extra
// and never knows about CLI flags; nothing below it knows CNI JSON.
package cni

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/version"
)

// PluginName is the name under which the binary is always the plugin.
const PluginName = "lanattach-cni"

// Versions are the CNI spec versions the plugin speaks.
var Versions = version.PluginSupports("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")

// Invoked reports whether the binary started as argv0 with environment
// getenv is to act as a CNI plugin: CNI_COMMAND is set or its name is
// lanattach-cni.
func Invoked(argv0 string, getenv func(string) string) bool {
	return getenv("CNI_COMMAND") != "" || filepath.Base(argv0) == PluginName
}

// Main runs one CNI command and returns the exit code: 0, or 1 after the
// error was printed as CNI error JSON on stdout.
func Main(ver string) int {
	funcs := skel.CNIFuncs{Add: add, Del: del, Check: check, GC: gc, Status: status}
	if e := skel.PluginMainFuncsWithError(funcs, Versions, "CNI plugin lanattach "+ver); e != nil {
		if err := e.Print(); err != nil {
			fmt.Fprintln(os.Stderr, "lanattach-cni: writing the error:", err)
		}
		return 1
	}
	return 0
}
