package tests

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"golang.org/x/sys/unix"
)

// benchRuns is how many times each side of a row runs (odd: the median
// is one of the runs); LANATTACH_BENCH_RUNS overrides it for a quick look.
var benchRuns = func() int {
	if n, err := strconv.Atoi(os.Getenv("LANATTACH_BENCH_RUNS")); err == nil && n > 0 {
		return n
	}
	return 21
}()

// runIn runs argv inside the netns at nsPath (the sandbox host, mostly),
// with extra environment env and stdin, and returns its output, exit code
// and wall time. The process is started from a thread switched into the
// netns (no `ip netns exec` in between), so only the program is timed.
func runIn(b testing.TB, nsPath string, env []string, stdin string, argv ...string) (string, int, time.Duration) {
	b.Helper()
	var out bytes.Buffer
	var d time.Duration
	var err error
	nerr := ns.WithNetNSPath(nsPath, func(ns.NetNS) error {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err = cmd.Run()
		d = time.Since(start)
		return nil
	})
	if nerr != nil {
		b.Fatalf("entering %s: %v", nsPath, nerr)
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.Exited():
		return out.String(), exit.ExitCode(), d
	case err != nil:
		b.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out.String())
	}
	return out.String(), 0, d
}

// mustRun is runIn that stops the benchmark unless argv exits with code.
func mustRun(b testing.TB, nsPath string, code int, env []string, stdin string, argv ...string) time.Duration {
	b.Helper()
	out, got, d := runIn(b, nsPath, env, stdin, argv...)
	if got != code {
		b.Fatalf("%s: exit %d, want %d\n%s", strings.Join(argv, " "), got, code, out)
	}
	return d
}

// median returns the median of ds.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// sideBySide runs ours and theirs benchRuns times each, alternating, and
// returns their medians.
func sideBySide(ours, theirs func() time.Duration) (time.Duration, time.Duration) {
	var a, b []time.Duration
	for range benchRuns {
		a = append(a, ours())
		b = append(b, theirs())
	}
	return median(a), median(b)
}

// medianOf runs fn benchRuns times and returns the median.
func medianOf(fn func() time.Duration) time.Duration {
	var ds []time.Duration
	for range benchRuns {
		ds = append(ds, fn())
	}
	return median(ds)
}

// table collects the rows make bench prints.
type table struct {
	rows  [][]string
	scale [][]string
	notes []string
}

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// pair adds a row: an operation of lanattach and its peer, both medians
// and lanattach's time as a share of the peer's, with the target.
func (t *table) pair(op, peer string, ours, theirs time.Duration, target string) {
	t.rows = append(t.rows, []string{op, peer, ms(ours), ms(theirs),
		fmt.Sprintf("%.2f×", float64(ours)/float64(theirs)), target})
}

// scaleRow adds a scale row: an operation's median on the idle host and
// on the busy one.
func (t *table) scaleRow(op string, idle, busy time.Duration, target string) {
	t.scale = append(t.scale, []string{op, ms(idle), ms(busy), fmt.Sprintf("%.2f×", float64(busy)/float64(idle)), target})
}

// print writes the table to stdout.
func (t *table) print() {
	w := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintf(w, "\nlanattach bench (medians of %d runs each, side by side)\n\n", benchRuns)
	fmt.Fprintln(w, "operation\tpeer\tlanattach\tpeer\tratio\ttarget\t")
	for _, r := range t.rows {
		fmt.Fprintln(w, strings.Join(r, "\t")+"\t")
	}
	fmt.Fprintln(w, "\t\t\t\t\t\t")
	fmt.Fprintln(w, "at scale\tidle host\t2,000 procs + 200 containers\tratio\ttarget\t")
	for _, r := range t.scale {
		fmt.Fprintln(w, strings.Join(r, "\t")+"\t")
	}
	w.Flush()
	for _, n := range t.notes {
		fmt.Println(n)
	}
}

// recordRootNote says whether /run/lanattach is a tmpfs, as on any host
// where /run is one: on a disk every record write waits for its fsync.
func recordRootNote() string {
	var st unix.Statfs_t
	if err := unix.Statfs("/run/lanattach", &st); err == nil && st.Type == unix.TMPFS_MAGIC {
		return "/run/lanattach: tmpfs"
	}
	return "/run/lanattach: NOT a tmpfs here (run through make bench): record writes wait for fsync"
}
