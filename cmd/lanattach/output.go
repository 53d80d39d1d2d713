package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
	"github.com/urfave/cli/v2"
)

// Exit codes fixed by the contract.
const (
	exitOK       = 0
	exitRuntime  = 1
	exitInput    = 2
	exitConflict = 3
)

// outKey is the metadata key under which the *printer is kept.
const outKey = "printer"

// printer writes results as text or as exactly one JSON object.
type printer struct {
	json    bool
	printed bool // a result was printed; a later error goes to stderr only
	partial any  // what a failed command did before it failed, for JSON
	stdout  io.Writer
	stderr  io.Writer
}

// run runs the app and turns its error into output and an exit code.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp()
	app.Writer, app.ErrWriter = stdout, stderr
	p := &printer{stdout: stdout, stderr: stderr, json: wantsJSON(args)}
	app.Metadata = map[string]any{outKey: p}
	// SIGINT, SIGTERM and SIGHUP cancel the context instead of killing the
	// process, so that an interrupted attach still rolls back.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// urfave/cli prints help to app.Writer; with -o json it becomes the
	// one JSON object, and is dropped when the run failed.
	var help bytes.Buffer
	if p.json {
		app.Writer = &help
	}
	err := checkArgs(app, args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	if err == nil {
		if help.Len() > 0 && !p.printed {
			p.emitJSON(map[string]string{"help": help.String()})
		}
		return exitOK
	}
	code := exitCode(err)
	p.fail(err, code)
	return code
}

// wantsJSON looks for -o json before flags are parsed, so that even a flag
// parsing error is reported as JSON.
func wantsJSON(args []string) bool {
	for i, a := range args {
		switch {
		case a == "-o" || a == "--output" || a == "-output":
			if i+1 < len(args) && args[i+1] == "json" {
				return true
			}
		case a == "-o=json" || a == "--output=json" || a == "-output=json":
			return true
		}
	}
	return false
}

// setup validates the global flags.
func setup(c *cli.Context) error {
	p := printerOf(c)
	switch c.String("output") {
	case "json":
		p.json = true
	case "text":
		p.json = false
	default:
		return usageErr("-o", "%q is not an output format (text or json)", c.String("output"))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return usageErr("--log-level", "%q is not a level (debug, info, warn, error)", c.String("log-level"))
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(p.stderr, &slog.HandlerOptions{Level: lvl})))
	return nil
}

// printerOf returns the app's printer.
func printerOf(c *cli.Context) *printer {
	return c.App.Metadata[outKey].(*printer)
}

// usageErr is bad input caught in the command layer (exit 2).
func usageErr(flag, format string, args ...any) error {
	return nsattach.Inputf(flag, format, args...)
}

// exitCode maps an error to the contract's exit code.
func exitCode(err error) int {
	var in *nsattach.InputError
	var cf *arpcheck.ConflictError
	var rb *nsattach.RollbackError
	switch {
	case errors.As(err, &rb):
		return exitRuntime // something is left: never "nothing changed"
	case errors.As(err, &cf):
		return exitConflict
	case errors.As(err, &in), errors.Is(err, link.ErrInvalid), errors.Is(err, link.ErrNotSupported), isCLIUsage(err):
		return exitInput
	default:
		return exitRuntime
	}
}

// isCLIUsage recognises urfave/cli's own flag and argument errors.
func isCLIUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"flag provided but not defined", "invalid value", "flag needs an argument"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// jsonConflict is a conflict as the contract prints it.
type jsonConflict struct {
	IP    netip.Addr `json:"ip"`
	MAC   string     `json:"mac,omitempty"`
	Where string     `json:"where"`
}

// conflictsJSON converts conflicts for JSON output.
func conflictsJSON(cs []arpcheck.Conflict) []jsonConflict {
	out := make([]jsonConflict, len(cs))
	for i, c := range cs {
		out[i] = jsonConflict{IP: c.IP, Where: string(c.Where)}
		if len(c.MAC) > 0 {
			out[i].MAC = c.MAC.String()
		}
	}
	return out
}

// fail reports err: one line on stderr, and in JSON mode one object on
// stdout.
func (p *printer) fail(err error, code int) {
	line := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintln(p.stderr, "lanattach: "+line)
	if !p.json || p.printed {
		return
	}
	obj := map[string]any{"error": line, "code": code}
	var cf *arpcheck.ConflictError
	if errors.As(err, &cf) {
		obj["conflicts"] = conflictsJSON(cf.Conflicts)
	}
	if p.partial != nil {
		obj["done"] = p.partial
	}
	p.emitJSON(obj)
}

// result prints a successful result: v as JSON, or text(w) for people.
func (p *printer) result(v any, text func(w io.Writer)) error {
	p.printed = true
	if p.json {
		p.emitJSON(v)
		return nil
	}
	text(p.stdout)
	return nil
}

// emitJSON writes v as one JSON object and a newline.
func (p *printer) emitJSON(v any) {
	enc := json.NewEncoder(p.stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(p.stderr, "lanattach: encoding JSON:", err)
	}
}

// partialResult reports what a command did before it failed: as text on
// stdout at once, and in JSON as the "done" member of the error object.
func (p *printer) partialResult(v any, text func(w io.Writer)) {
	if p.json {
		p.partial = v
		return
	}
	text(p.stdout)
}
