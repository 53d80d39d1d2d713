package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/link"
	"github.com/lanattach/lanattach/nsattach"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{errors.New("kernel said no"), exitRuntime},
		{nsattach.Inputf("--ip", "bad"), exitInput},
		{fmt.Errorf("wrapped: %w", link.ErrNotSupported), exitInput},
		{fmt.Errorf("wrapped: %w", link.ErrInvalid), exitInput},
		{fmt.Errorf("wrapped: %w", &arpcheck.ConflictError{}), exitConflict},
		{fmt.Errorf("--ip auto: %w", arpcheck.ErrNoFreeAddress), exitRuntime},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// runCLI runs the command line and returns its outputs and exit code.
func runCLI(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(append([]string{"lanattach"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestBadInputIsOneJSONObject(t *testing.T) {
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"-o", "json", "attach", "--bogus"}, "bogus"},
		{[]string{"-o", "json", "attach", "--parent", "eth0"}, "--pid"},
		{[]string{"-o", "json", "attach", "--netns", "x", "--pid", "1", "--parent", "eth0"}, "--netns"},
		{[]string{"-o", "json", "attach", "--netns", "../x", "--parent", "eth0"}, "--netns"},
		{[]string{"-o", "json", "attach", "--netns", "x", "--parent", "eth0", "--mode", "bond"}, "--mode"},
		{[]string{"-o", "json", "attach", "--netns", "x", "--parent", "eth0", "--vlan", "4095"}, "--vlan"},
		{[]string{"-o", "json", "attach", "--netns", "x", "--parent", "eth0", "--mtu", "abc"}, "mtu"},
		{[]string{"--output=json", "detach", "--pid", "-3"}, "--pid"},
		{[]string{"-o", "yaml", "version"}, "-o"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCLI(tt.args...)
		if code != exitInput {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, exitInput, stderr)
		}
		if tt.args[1] == "yaml" {
			continue // not JSON mode
		}
		var obj struct {
			Error string `json:"error"`
			Code  int    `json:"code"`
		}
		dec := json.NewDecoder(strings.NewReader(stdout))
		if err := dec.Decode(&obj); err != nil || dec.More() {
			t.Errorf("%v: stdout %q is not exactly one JSON object", tt.args, stdout)
		}
		if obj.Code != exitInput || !strings.Contains(obj.Error, tt.flag) {
			t.Errorf("%v: %+v does not name %s with code 2", tt.args, obj, tt.flag)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 {
			t.Errorf("%v: stderr has %d lines: %q", tt.args, lines+1, stderr)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	version, commit = "v9.8.7", "abc1234"
	defer func() { version, commit = "dev", "unknown" }()
	stdout, _, code := runCLI("-o", "json", "version")
	var v versionInfo
	if err := json.Unmarshal([]byte(stdout), &v); code != 0 || err != nil ||
		v != (versionInfo{Version: "v9.8.7", Commit: "abc1234", Go: runtime.Version()}) {
		t.Errorf("version: code %d, stdout %q, decoded %+v", code, stdout, v)
	}
	text, _, _ := runCLI("version")
	if want := "lanattach v9.8.7 (commit abc1234, " + runtime.Version() + ")\n"; text != want {
		t.Errorf("version text %q, want %q", text, want)
	}
}

func TestWantsJSON(t *testing.T) {
	tests := map[string]bool{
		"-o json attach": true, "--output json x": true, "-o=json": true, "--output=json": true,
		"-o text": false, "attach --name json": false, "": false,
	}
	for args, want := range tests {
		if got := wantsJSON(append([]string{"lanattach"}, strings.Fields(args)...)); got != want {
			t.Errorf("wantsJSON(%q) = %v, want %v", args, got, want)
		}
	}
}
