package tests

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// TestHelpEveryCommand runs --help of every command `lanattach --help`
// lists: exit 0, usage on stdout, nothing on stderr; with -o json, one
// JSON object.
func TestHelpEveryCommand(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	top := l.Lanattach(t, "--help")
	if top.Code != 0 {
		t.Fatalf("--help:\n%s", top)
	}
	section, _, _ := strings.Cut(top.Stdout[strings.Index(top.Stdout, "COMMANDS:")+1:], "OPTIONS:")
	cmds := regexp.MustCompile(`(?m)^   ([a-z]+) `).FindAllStringSubmatch(section, -1)
	if len(cmds) < 8 {
		t.Fatalf("--help lists %d commands:\n%s", len(cmds), top)
	}
	for _, m := range cmds {
		r := l.Lanattach(t, m[1], "--help")
		if r.Code != 0 || !strings.Contains(r.Stdout, "lanattach "+m[1]) || r.Stderr != "" {
			t.Errorf("%s --help:\n%s", m[1], r)
		}
		j := l.Lanattach(t, "-o", "json", m[1], "--help")
		var obj map[string]any
		j.JSON(t, &obj)
	}
}

// TestLogLevel checks --log-level: debug logs the rollback steps of a
// failed attach on stderr, error keeps stderr to the one error line.
func TestLogLevel(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	args := append([]string{"attach", "--parent", l.Parent, "--ip", peerIP + "/24"}, tg.args...)
	r := l.Lanattach(t, append([]string{"--log-level", "debug"}, args...)...)
	if r.Code != 3 || !strings.Contains(r.Stderr, "level=DEBUG") || !strings.Contains(r.Stderr, "msg=rollback") {
		t.Errorf("--log-level debug: want debug lines about the rollback:\n%s", r)
	}
	r = l.Lanattach(t, append([]string{"--log-level", "error"}, args...)...)
	if r.Code != 3 || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("--log-level error: want the error line alone:\n%s", r)
	}
}

// TestDryRunJSON checks `-o json attach --dry-run`: one object with the
// plan's commands, and nothing changed.
func TestDryRunJSON(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	before := takeBefore(t, l, tg)
	r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--dry-run", "--parent", l.Parent, "--ip", slaveV4}, tg.args...)...)
	var out struct {
		DryRun   bool     `json:"dry_run"`
		Commands []string `json:"commands"`
	}
	r.JSON(t, &out)
	if r.Code != 0 || !out.DryRun || !hasIPLine(strings.Join(out.Commands, "\n"), "addr add", slaveV4) {
		t.Errorf("dry run JSON:\n%s", r)
	}
	wantUnchanged(t, l, tg, before, "dry run")
}

// attachDetail is the part of attach's JSON these tests check.
type attachDetail struct {
	Routes []string `json:"routes"`
	Probe  struct {
		Mode       string `json:"mode"`
		Result     string `json:"result"`
		DurationMS int64  `json:"duration_ms"`
		Checks     []struct{ IP, Check string }
	} `json:"probe"`
}

// TestAttachJSONDetails checks the routes attach reports and the probe's
// duration: fast mode takes its whole window on a free address, rfc mode
// the RFC 5227 timing (PROBE_WAIT, 3 probes, ANNOUNCE_WAIT: 3s at least).
func TestAttachJSONDetails(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode string
		min  int64
	}{{"fast", 200}, {"rfc", 3000}} {
		t.Run(c.mode, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			tg := l.newTarget(t, "netns")
			r := l.Lanattach(t, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", slaveV4, "--gateway", peerIP,
				"--route", "203.0.113.0/24 via " + peerIP, "--probe", c.mode}, tg.args...)...)
			var out attachDetail
			if err := json.Unmarshal([]byte(r.Stdout), &out); r.Code != 0 || err != nil {
				t.Fatalf("attach: %v\n%s", err, r)
			}
			if strings.Join(out.Routes, ",") != "default via "+peerIP+",203.0.113.0/24 via "+peerIP {
				t.Errorf("routes %q", out.Routes)
			}
			if out.Probe.Mode != c.mode || out.Probe.Result != "free" || out.Probe.DurationMS < c.min ||
				len(out.Probe.Checks) != 1 || out.Probe.Checks[0].Check != "arp" {
				t.Errorf("probe %+v, want %s, free, at least %d ms, one arp check", out.Probe, c.mode, c.min)
			}
		})
	}
}

// TestDetachForeignName: detach --name of a link lanattach did not make is
// bad input, and the link stays.
func TestDetachForeignName(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	sandbox.MustExec(t, tg.ns, "ip", "link", "add", "eth5", "type", "veth", "peer", "name", "eth6")
	r := l.Lanattach(t, append([]string{"-o", "json", "detach", "--name", "eth5"}, tg.args...)...)
	wantFail(t, r, 2, "--name", "eth5", "not made by lanattach")
	wantJSONFail(t, r)
	checkOnly(t, tg.ns, "lo", "eth5", "eth6")
}

// TestTargetHeldByFD deletes the target's netns name while attach runs: the
// namespace is held by lanattach's file descriptor, so the attach
// finishes; the container is then gone, and list and gc see that.
func TestTargetHeldByFD(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	b := startIn(t, l, sandbox.Bin(t), nil, append([]string{"-o", "json", "attach", "--parent", l.Parent, "--ip", slaveV4, "--probe", "rfc"}, tg.args...)...)
	l.waitSlave(t, tg)
	sandbox.MustExec(t, l.Host, "ip", "netns", "del", tg.name)
	if code := b.wait(t); code != 0 || !strings.Contains(b.stdout.String(), `"netns":"`+tg.name+`"`) {
		t.Fatalf("attach whose netns name went away: exit %d\nstdout %s\nstderr %s", code, b.stdout.String(), b.stderr.String())
	}
	eventuallyState(t, l, "eth1", "gone")
	if r := l.Lanattach(t, "gc"); r.Code != 0 {
		t.Fatalf("gc: %s", r)
	}
	wantNoRecords(t, l)
}
