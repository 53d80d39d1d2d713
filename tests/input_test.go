package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/battery"
	"github.com/lanattach/lanattach/tests/sandbox"
)

// batteryChunk is how many battery cases run one after another on one
// sandbox LAN; chunks run in parallel.
const batteryChunk = 40

// TestBadInput runs the battery of hostile command lines
// (tests/battery): each must exit 2 with one "lanattach: " line on stderr
// naming the flag, print one JSON object with -o json (nothing without),
// and leave the host, the switch and the target, which holds a slave
// attached before, exactly as they were.
func TestBadInput(t *testing.T) {
	t.Parallel()
	for chunk := range slices.Chunk(battery.All(), batteryChunk) {
		t.Run(chunk[0].Name(), func(t *testing.T) {
			t.Parallel()
			runBattery(t, chunk)
		})
	}
}

// runBattery runs cases one after another on one LAN.
func runBattery(t *testing.T, cases []battery.Case) {
	l := newLAN(t)
	l.AddHostIface(t, "down0", "203.0.113.1/24")
	sandbox.MustExec(t, l.Host, "ip", "link", "set", "down0", "down")
	tg := l.newTarget(t, "netns")
	l.attach(t, tg, "--parent", l.Parent, "--ip", "198.51.100.40/24", "--probe", "off")
	before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			r := l.Lanattach(t, batteryArgs(l, tg, c)...)
			wantFail(t, r, 2, append(c.Want, c.FlagName())...)
			if !strings.HasPrefix(r.Stderr, "lanattach: ") {
				t.Errorf("stderr does not start with \"lanattach: \": %q", r.Stderr)
			}
			if c.Text {
				if r.Stdout != "" {
					t.Errorf("text mode printed %q on stdout", r.Stdout)
				}
			} else {
				wantJSONFail(t, r)
			}
			sandbox.SameSnapshot(t, "refused "+c.Name(), before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
}

// batteryArgs fills in the placeholders of c's command line.
func batteryArgs(l *lan, tg target, c battery.Case) []string {
	var args []string
	if !c.Text {
		args = []string{"-o", "json"}
	}
	repl := strings.NewReplacer(battery.Parent, l.Parent, battery.HostNS, l.Host)
	for _, a := range c.Args {
		if a == battery.Target {
			args = append(args, tg.args...)
			continue
		}
		args = append(args, repl.Replace(a))
	}
	return args
}
