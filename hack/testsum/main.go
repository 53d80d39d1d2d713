// Command testsum reads `go test -json` on stdin and prints what a reader
// of CI output needs: the full output of every failed test, one result
// line per package (as go test prints them, so that CI recognises the
// run), and a closing summary of skipped tests grouped by reason (on a
// kernel without ipvlan or 802.1q those cases skip and run in the VM). It
// exits 1 when any test or package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json`.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// key names a test within its package.
type key struct{ pkg, test string }

func main() {
	failed, err := summarize(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// summarize reads events from r and writes the summary to w. It reports
// whether anything failed.
func summarize(r io.Reader, w io.Writer) (bool, error) {
	out := map[key][]string{}
	skips := map[string][]string{} // reason -> tests
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(w, sc.Text()) // build errors and the like come as text
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			out[k] = append(out[k], e.Output)
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Fprintf(w, "--- FAIL: %s (%s)\n%s", e.Test, e.Package, strings.Join(out[k], ""))
			} else {
				fmt.Fprint(w, strings.Join(out[k], ""))
			}
		case "pass":
			if e.Test == "" {
				fmt.Fprint(w, lastLine(out[k]))
			}
		case "skip":
			if e.Test != "" {
				r := skipReason(out[k])
				skips[r] = append(skips[r], e.Test)
			} else {
				fmt.Fprint(w, lastLine(out[k]))
			}
		}
	}
	printSkips(w, skips)
	return failed, sc.Err()
}

// lastLine is the package result line ("ok  pkg 1.2s").
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "ok") || strings.HasPrefix(lines[i], "?") {
			return lines[i]
		}
	}
	return ""
}

// skipReason is the message a skipped test logged, without file:line.
func skipReason(lines []string) string {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "===") || strings.HasPrefix(l, "---") || l == "" {
			continue
		}
		if _, msg, ok := strings.Cut(l, ": "); ok && strings.Contains(l[:len(l)-len(msg)], ".go:") {
			return msg
		}
		return l
	}
	return "(no reason given)"
}

// printSkips writes the skipped tests by reason, a few names each.
func printSkips(w io.Writer, skips map[string][]string) {
	n := 0
	reasons := make([]string, 0, len(skips))
	for r, ts := range skips {
		reasons = append(reasons, r)
		n += len(ts)
	}
	sort.Strings(reasons)
	fmt.Fprintf(w, "\nskipped: %d tests, by reason:\n", n)
	for _, r := range reasons {
		ts := skips[r]
		sort.Strings(ts)
		more := ""
		if len(ts) > 3 {
			ts, more = ts[:3], fmt.Sprintf(" and %d more", len(skips[r])-3)
		}
		fmt.Fprintf(w, "  %d × %s\n      (%s%s)\n", len(skips[r]), r, strings.Join(ts, ", "), more)
	}
}
