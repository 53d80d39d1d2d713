package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// keepersIn returns the pids of the DHCP keepers running in netns host
// (those of the LAN's lanattach runs).
func keepersIn(t *testing.T, host string) []int {
	t.Helper()
	var want syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+host, &want); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		var st syscall.Stat_t
		if err == nil && keeperRuns(pid) && syscall.Stat("/proc/"+e.Name()+"/ns/net", &st) == nil && st.Ino == want.Ino {
			out = append(out, pid)
		}
	}
	return out
}

// TestDHCPRollback: an attach that fails after its lease was obtained and
// its keeper started (failpoint after step keep) undoes all of it: the
// keeper is stopped, the lease released, --resolv-conf removed, and
// nothing else is left.
func TestDHCPRollback(t *testing.T) {
	l, srv := dhcpLAN(t)
	tg := l.newTarget(t, "netns")
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	before := takeBefore(t, l, tg)
	r := l.LanattachWith(t, sandbox.FailpointBin(t), []string{"LANATTACH_FAILPOINT=keep"},
		append(append([]string{"attach"}, tg.args...), "--parent", l.Parent, "--ip", "dhcp", "--resolv-conf", resolv)...)
	wantFail(t, r, 1, "failpoint")
	if srv.count("DHCPACK(") == 0 {
		t.Fatal("the attach got no lease before the failpoint")
	}
	eventually(t, 3*time.Second, "the lease to be released", func() bool { return len(srv.leased(t)) == 0 })
	// The rollback waits for the keeper to exit; under TCG the last of
	// that can lag the attach's own exit a little.
	eventually(t, 10*time.Second, "the keeper to stop", func() bool { return len(keepersIn(t, l.Host)) == 0 })
	for _, pid := range keepersIn(t, l.Host) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	if _, err := os.Stat(resolv); !os.IsNotExist(err) {
		t.Errorf("--resolv-conf %s left behind (%v)", resolv, err)
	}
	sandbox.SameSnapshot(t, "rolled back --ip dhcp (target)", before.target, sandbox.Snapshot(t, tg.ns))
	sandbox.SameSnapshot(t, "rolled back --ip dhcp", before.lan, sandbox.Snapshot(t, l.Host, l.Switch))
	wantNoRecords(t, l)
}

// TestDHCPGCStopsKeeper: gc stops the keeper of an attachment that is
// gone, even one that does not stop by itself (here: SIGSTOPped).
func TestDHCPGCStopsKeeper(t *testing.T) {
	l, _ := dhcpLAN(t)
	tg := l.newTarget(t, "pid")
	_, lease := attachDHCP(t, l, tg)
	stopKeeperOnCleanup(t, lease.Keeper)
	if err := syscall.Kill(lease.Keeper, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(tg.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventuallyState(t, l, "eth1", "gone")
	if !keeperRuns(lease.Keeper) {
		t.Fatal("the stopped keeper exited by itself")
	}
	r := l.Lanattach(t, "-o", "json", "gc")
	if r.Code != 0 || !strings.Contains(r.Stdout, "records_removed") {
		t.Fatalf("gc:\n%s", r)
	}
	if keeperRuns(lease.Keeper) {
		t.Errorf("gc left keeper %d running", lease.Keeper)
	}
	wantNoRecords(t, l)
}
