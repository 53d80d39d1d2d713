package tests

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// runCode runs argv inside netns ns and returns its output and exit code;
// it stops the benchmark if argv could not run at all.
func runCode(b *testing.B, ns string, argv ...string) (string, int) {
	b.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.Exited():
		return string(out), exit.ExitCode()
	case err != nil:
		b.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out), 0
}

// timed returns how long fn took.
func timed(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// reportPair reports two tools' mean wall time per run and their ratio.
func reportPair(b *testing.B, n int, ours, theirs string, tOurs, tTheirs time.Duration) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	b.ReportMetric(ms(tOurs), ours+"-ms/run")
	b.ReportMetric(ms(tTheirs), theirs+"-ms/run")
	b.ReportMetric(float64(tTheirs)/float64(tOurs), theirs+"/"+ours)
}
