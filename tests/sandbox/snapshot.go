package sandbox

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// snapshotCmds are the `ip` views compared by Snapshot.
var snapshotCmds = [][]string{
	{"-d", "link", "show"},
	{"-d", "addr", "show"},
	{"-d", "-4", "route", "show", "table", "all"},
	{"-d", "-6", "route", "show", "table", "all"},
	{"-d", "-4", "rule", "show"},
	{"-d", "-6", "rule", "show"},
}

// volatile matches output that changes on its own: bridge timers, address
// lifetimes, operstates settling, and the qdisc, which the kernel turns from noop into noqueue
// when a link first goes up and which no one can set back.
var volatile = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(\w+_timer) +[0-9.]+`), "$1 T"},
	{regexp.MustCompile(`(valid|preferred)_lft \d+sec`), "${1}_lft Nsec"},
	{regexp.MustCompile(`qdisc (noop|noqueue) `), "qdisc noop-or-noqueue "},
	// The kernel's link watch moves a new link's operstate from UNKNOWN
	// to UP up to a second after it came up (seen on a shim in the VM).
	{regexp.MustCompile(`state (UNKNOWN|UP) `), "state UP-or-UNKNOWN "},
}

// Snapshot returns `ip -d link`, `ip addr`, `ip route` (v4 and v6, all
// tables) and `ip rule` of each netns (a name or a path such as
// /proc/PID/ns/net), with volatile parts blanked, for comparing
// before and after a command that must change nothing.
func Snapshot(t testing.TB, nss ...string) string {
	t.Helper()
	var b strings.Builder
	for _, ns := range nss {
		settleDAD(t, ns)
		for _, c := range snapshotCmds {
			out := MustExec(t, ns, append([]string{"ip"}, c...)...)
			for _, v := range volatile {
				out = v.re.ReplaceAllString(out, v.repl)
			}
			b.WriteString("### " + ns + ": ip " + strings.Join(c, " ") + "\n" + out)
		}
	}
	return b.String()
}

// SameSnapshot fails the test when before and after differ, showing the
// lines that went away and the lines that came.
func SameSnapshot(t testing.TB, what, before, after string) {
	t.Helper()
	if before == after {
		return
	}
	t.Errorf("%s changed the network:\n%s", what, Diff(before, after))
}

// Diff lists lines only in a ("- ") and lines only in b ("+ "), each
// under the snapshot section it belongs to.
func Diff(a, b string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range sectioned(s) {
			m[l]++
		}
		return m
	}
	ca, cb := count(a), count(b)
	var out strings.Builder
	for _, l := range sectioned(a) {
		if cb[l] > 0 {
			cb[l]--
			continue
		}
		out.WriteString("- " + l + "\n")
	}
	for _, l := range sectioned(b) {
		if ca[l] > 0 {
			ca[l]--
			continue
		}
		out.WriteString("+ " + l + "\n")
	}
	return out.String()
}

// sectioned prefixes each line with the "###" header it falls under.
func sectioned(s string) []string {
	var head string
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "### ") {
			head = strings.TrimPrefix(l, "### ")
			continue
		}
		out = append(out, "["+head+"] "+l)
	}
	return out
}

// dadSettle bounds the wait for the kernel's IPv6 DAD before a snapshot.
const dadSettle = 10 * time.Second

// settleDAD waits until no IPv6 address of ns is still tentative (other
// than ones whose DAD failed, which stay so), so that a snapshot does not
// race with the kernel finishing DAD of a link-local address.
func settleDAD(t testing.TB, ns string) {
	t.Helper()
	deadline := time.Now().Add(dadSettle)
	for {
		out := MustExec(t, ns, "ip", "-6", "addr", "show", "tentative")
		if !hasPendingDAD(out) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("IPv6 DAD in %s still running after %s:\n%s", ns, dadSettle, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hasPendingDAD reports whether `ip -6 addr show tentative` lists an
// address whose DAD has not failed.
func hasPendingDAD(out string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "inet6 ") && !strings.Contains(l, "dadfailed") {
			return true
		}
	}
	return false
}

// DeepSnapshot is Snapshot plus what a rollback must also restore: the
// neighbour table and every per-interface IPv4/IPv6 sysctl of each netns.
func DeepSnapshot(t testing.TB, nss ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(Snapshot(t, nss...))
	for _, ns := range nss {
		b.WriteString("### " + ns + ": ip neigh\n" + MustExec(t, ns, "ip", "neigh", "show"))
		b.WriteString("### " + ns + ": conf sysctls\n" +
			MustExec(t, ns, "sh", "-c", "grep -rs . /proc/sys/net/ipv4/conf /proc/sys/net/ipv6/conf; true"))
	}
	return b.String()
}

// SameSnapshotEventually is SameSnapshot for a check right after a netns
// died: the kernel deletes its links (and what they held, such as their
// parent's promiscuity) in the background, so it waits up to 10s for the
// snapshot of nss to come back to before.
func SameSnapshotEventually(t testing.TB, what, before string, nss ...string) {
	t.Helper()
	after := Snapshot(t, nss...)
	for end := time.Now().Add(10 * time.Second); after != before && time.Now().Before(end); {
		time.Sleep(100 * time.Millisecond)
		after = Snapshot(t, nss...)
	}
	SameSnapshot(t, what, before, after)
}
