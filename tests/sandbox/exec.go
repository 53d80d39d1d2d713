package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// CmdTimeout bounds every command the sandbox runs.
var CmdTimeout = 2 * time.Minute

// runIP runs `ip args...` and returns its output.
func runIP(args ...string) (string, error) {
	return run(nil, "ip", args...)
}

// run runs a command with extra environment env and returns its stdout.
// Its stderr goes into the error only: iproute2 prints warnings there
// (e.g. about netns that other tests delete meanwhile) that must not end
// up in snapshots or JSON.
func run(env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), CmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if env != nil {
		cmd.Env = append(cmd.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s%s", name, strings.Join(args, " "), err,
			bytes.TrimSpace(stderr.Bytes()), bytes.TrimSpace(stdout.Bytes()))
	}
	return stdout.String(), nil
}

// must runs `ip args...` and fails the test if it fails.
func (l *LAN) must(t testing.TB, args ...string) string {
	t.Helper()
	out, err := runIP(args...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	return out
}

// nsCommand returns the argv that runs argv inside ns: a netns name (via
// `ip netns exec`) or, when ns starts with "/", a netns path such as
// /proc/PID/ns/net (via `nsenter --net=`).
func nsCommand(ns string, argv []string) []string {
	// An absolute path, so that a busybox nsenter (VM guest) runs the
	// program PATH names, not its own applet of that name.
	if p, err := exec.LookPath(argv[0]); err == nil {
		argv = append([]string{p}, argv[1:]...)
	}
	if strings.HasPrefix(ns, "/") {
		return append([]string{"nsenter", "--net=" + ns, "--"}, argv...)
	}
	return append([]string{"ip", "netns", "exec", ns}, argv...)
}

// Exec runs argv inside ns (a netns name, or a path such as
// /proc/PID/ns/net) and returns its stdout; on failure the error holds
// its stderr.
func Exec(t testing.TB, ns string, argv ...string) (string, error) {
	t.Helper()
	c := nsCommand(ns, argv)
	return run(nil, c[0], c[1:]...)
}

// MustExec is Exec that fails the test on error.
func MustExec(t testing.TB, ns string, argv ...string) string {
	t.Helper()
	out, err := Exec(t, ns, argv...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	return out
}

// Exec runs argv inside ns; see the package-level Exec.
func (l *LAN) Exec(t testing.TB, ns string, argv ...string) (string, error) {
	t.Helper()
	return Exec(t, ns, argv...)
}

// Result is what one lanattach run printed and its exit code.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int
}

// String describes the run for test messages.
func (r Result) String() string {
	return fmt.Sprintf("lanattach %s: exit %d\nstdout: %s\nstderr: %s",
		strings.Join(r.Args, " "), r.Code, r.Stdout, r.Stderr)
}

// JSON decodes stdout into v and fails the test unless stdout is exactly
// one JSON object and nothing else.
func (r Result) JSON(t testing.TB, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		t.Fatalf("stdout is JSON but not an object\n%s", r)
	}
	if dec.More() || strings.TrimSpace(r.Stdout[dec.InputOffset():]) != "" {
		t.Fatalf("stdout holds more than one JSON object\n%s", r)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decoding stdout into %T: %v\n%s", v, err, r)
	}
}

// Lanattach runs the lanattach binary (Bin) inside the host netns.
func (l *LAN) Lanattach(t testing.TB, args ...string) Result {
	t.Helper()
	return l.LanattachWith(t, Bin(t), nil, args...)
}

// LanattachWith runs binary bin inside the host netns with extra
// environment env ("KEY=VALUE").
func (l *LAN) LanattachWith(t testing.TB, bin string, env []string, args ...string) Result {
	t.Helper()
	return RunIn(t, l.Host, bin, env, args...)
}

// RunIn runs binary bin with args inside netns ns, with extra environment
// env, and collects its output and exit code. Only a failure to start it
// fails the test.
func RunIn(t testing.TB, ns, bin string, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CmdTimeout)
	defer cancel()
	c := nsCommand(ns, append([]string{bin}, args...))
	cmd := exec.CommandContext(ctx, c[0], c[1:]...)
	cmd.Env = append(cmd.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.Exited():
		r.Code = exit.ExitCode()
	case err != nil: // Errorf, not Fatalf: RunIn may run in a goroutine
		t.Errorf("running %s in netns %s: %v\n%s", bin, ns, err, r)
		r.Code = -1
	}
	return r
}
