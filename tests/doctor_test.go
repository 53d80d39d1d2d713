package tests

import (
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// doctorCheck is one check of doctor's JSON.
type doctorCheck struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	Detail  string `json:"detail"`
	Fix     string `json:"fix"`
}

// doctor runs `lanattach -o json doctor args...` in l's host netns and
// returns its checks by name and the run.
func (l *lan) doctor(t *testing.T, args ...string) (map[string]doctorCheck, sandbox.Result) {
	t.Helper()
	r := l.Lanattach(t, append([]string{"-o", "json", "doctor"}, args...)...)
	var out struct {
		Checks []doctorCheck `json:"checks"`
	}
	r.JSON(t, &out)
	byName := map[string]doctorCheck{}
	for _, c := range out.Checks {
		if c.Verdict != "ok" && c.Verdict != "warn" && c.Verdict != "fail" || c.Detail == "" {
			t.Errorf("malformed check %+v", c)
		}
		byName[c.Name] = c
	}
	return byName, r
}

// TestDoctor builds each situation doctor must recognise in the sandbox
// and checks the verdict, its hint and the exit code (1 only on a fail).
func TestDoctor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   func(t *testing.T, l *lan) (parent string)
		check   string
		verdict string
		want    string // in the detail or the fix
		code    int
	}{
		{"healthy veth", func(t *testing.T, l *lan) string { return l.Parent }, "parent-state", "ok", "with carrier", 0},
		{"parent down", func(t *testing.T, l *lan) string {
			sandbox.MustExec(t, l.Host, "ip", "link", "set", l.Parent, "down")
			return l.Parent
		}, "parent-state", "fail", "ip link set PARENT up", 1},
		{"bridge port", func(t *testing.T, l *lan) string {
			sandbox.MustExec(t, l.Host, "ip", "link", "add", "brd0", "type", "bridge")
			sandbox.MustExec(t, l.Host, "ip", "link", "set", l.Parent, "master", "brd0")
			return l.Parent
		}, "parent-stack", "fail", "--parent brd0", 1},
		{"macvlan on macvlan", func(t *testing.T, l *lan) string {
			sandbox.MustExec(t, l.Host, "ip", "link", "add", "mv0", "link", l.Parent, "up", "type", "macvlan", "mode", "bridge")
			return "mv0"
		}, "parent-stack", "warn", "--parent PARENT", 0},
		{"strict rp_filter", func(t *testing.T, l *lan) string {
			sandbox.MustExec(t, l.Host, "sysctl", "-w", "net.ipv4.conf.all.rp_filter=1")
			return l.Parent
		}, "rp-filter", "warn", "net.ipv4.conf.all.rp_filter=2", 0},
		{"missing parent", func(t *testing.T, l *lan) string { return "nosuch0" }, "parent", "fail", "no interface nosuch0", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			parent := c.setup(t, l)
			checks, r := l.doctor(t, "--parent", parent)
			got, ok := checks[c.check]
			want := strings.ReplaceAll(c.want, "PARENT", l.Parent)
			if !ok || got.Verdict != c.verdict || !strings.Contains(got.Detail+" "+got.Fix, want) {
				t.Errorf("check %s = %+v, want %s mentioning %q\n%s", c.check, got, c.verdict, want, r)
			}
			if r.Code != c.code {
				t.Errorf("exit %d, want %d\n%s", r.Code, c.code, r)
			}
		})
	}
}

// TestDoctorLeftovers checks that a slave left under attach's temporary
// name in a container is reported with the command that removes it.
func TestDoctorLeftovers(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	stray := sandbox.UniqueName(t, "lat") + "be" // "lat" and 10 hex digits
	sandbox.MustExec(t, l.Host, "ip", "link", "add", stray, "link", l.Parent, "netns", tg.ns, "type", "macvlan")
	checks, r := l.doctor(t)
	got := checks["leftovers"]
	if got.Verdict != "warn" || !strings.Contains(got.Detail, stray+" in netns "+tg.name) ||
		!strings.Contains(got.Fix, "ip -n "+tg.name+" link del "+stray) {
		t.Errorf("leftovers = %+v, want a warning naming %s in %s and how to delete it\n%s", got, stray, tg.name, r)
	}
}

// TestDoctorKilledAttach checks that an attach killed half-way is reported
// once, by its record, with `lanattach gc` as the fix.
func TestDoctorKilledAttach(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	tg := l.newTarget(t, "netns")
	b := startIn(t, l, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=create.made", "LANATTACH_FAILPOINT_ACTION=hang"},
		killArgs(l, tg, "", "macvlan")...)
	b.waitStderr(t, "failpoint create.made: hanging")
	b.kill()
	checks, r := l.doctor(t)
	got := checks["leftovers"]
	if got.Verdict != "warn" || strings.Count(got.Detail, "record ") != 1 || !strings.Contains(got.Detail, "leftover") ||
		!strings.Contains(got.Fix, "lanattach gc") {
		t.Errorf("leftovers = %+v, want one warning naming the record and lanattach gc\n%s", got, r)
	}
}

// TestDoctorChangesNothing checks that doctor leaves the host as it was,
// and that its text output is one line per check.
func TestDoctorChangesNothing(t *testing.T) {
	t.Parallel()
	l := newLAN(t)
	before := sandbox.Snapshot(t, l.Host, l.Switch)
	checks, _ := l.doctor(t, "--parent", l.Parent, "--mode", "ipvlan")
	r := l.Lanattach(t, "doctor", "--parent", l.Parent)
	sandbox.SameSnapshot(t, "doctor", before, sandbox.Snapshot(t, l.Host, l.Switch))
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != len(checks) {
		t.Errorf("text output has %d lines for %d checks:\n%s", len(lines), len(checks), r)
	}
	for _, line := range lines {
		if v, _, _ := strings.Cut(line, " "); v != "ok" && v != "warn" && v != "fail" {
			t.Errorf("line %q does not start with a verdict", line)
		}
	}
	if bad := l.Lanattach(t, "doctor", "--mode", "bridge"); bad.Code != 2 {
		t.Errorf("--mode bridge: want exit 2\n%s", bad)
	}
}
