package ledger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newLedger opens a ledger under a temporary root.
func newLedger(t *testing.T) *Ledger {
	t.Helper()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestOpenKeysByNetns(t *testing.T) {
	root := t.TempDir()
	l, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(l.Dir())
	if filepath.Dir(l.Dir()) != root || !(strings.HasPrefix(base, "net-") || strings.HasPrefix(base, "ino-")) {
		t.Fatalf("Dir %s: want ROOT/net-COOKIE", l.Dir())
	}
	l2, err := Open(root)
	if err != nil || l2.Dir() != l.Dir() {
		t.Fatalf("a second Open in the same netns: %v, %v", l2, err)
	}
}

func TestPutListRemove(t *testing.T) {
	l := newLedger(t)
	a := &Record{ID: "0a", State: Pending, Created: time.Unix(2, 0), Addresses: []string{"198.51.100.5/24"}}
	b := &Record{ID: "0b", State: Done, Created: time.Unix(1, 0), Target: Target{Path: "/run/netns/x", NSID: 3}}
	for _, r := range []*Record{a, b, a} {
		if err := l.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.List()
	if err != nil || len(got) != 2 || got[0].ID != "0b" || got[1].ID != "0a" || got[0].Target.NSID != 3 {
		t.Fatalf("List = %+v, %v; want 0b then 0a", got, err)
	}
	a.State = Done
	if err := l.Put(a); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.List(); got[1].State != Done {
		t.Fatalf("Put did not replace: %+v", got[1])
	}
	if err := os.WriteFile(l.LogPath("0a"), []byte("renewed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Remove("0a"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.LogPath("0a")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Remove left the record's log: %v", err)
	}
	if err := l.Remove("0a"); err != nil {
		t.Fatalf("removing a missing record: %v", err)
	}
	if got, _ := l.List(); len(got) != 1 || got[0].ID != "0b" {
		t.Fatalf("after Remove: %+v", got)
	}
}

func TestPutRefusesBadID(t *testing.T) {
	l := newLedger(t)
	for _, id := range []string{"", "../x", "zz", strings.Repeat("a", 65)} {
		if err := l.Put(&Record{ID: id}); err == nil {
			t.Errorf("Put(id %q) succeeded", id)
		}
		if _, err := l.Claim(id); err == nil {
			t.Errorf("Claim(%q) succeeded", id)
		}
	}
}

func TestListSkipsTempAndReportsDamage(t *testing.T) {
	l := newLedger(t)
	if err := l.Put(&Record{ID: "01"}); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{".02.tmp": "{half", "03.json": "{half", "notes.txt": "x", "04.json": `{"id":"05"}`} {
		if err := os.WriteFile(filepath.Join(l.Dir(), name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.List()
	if len(got) != 1 || got[0].ID != "01" {
		t.Fatalf("List = %+v", got)
	}
	if err == nil || !strings.Contains(err.Error(), "03") || !strings.Contains(err.Error(), "04") {
		t.Fatalf("List error %v, want records 03 and 04 named as damaged", err)
	}
}

func TestRunLock(t *testing.T) {
	l := newLedger(t)
	if running, err := l.Running("0c"); err != nil || running {
		t.Fatalf("Running of a run never claimed: %v, %v", running, err)
	}
	rl, err := l.Claim("0c")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Claim("0c"); err == nil {
		t.Fatal("a second Claim of one id succeeded")
	}
	if running, err := l.Running("0c"); err != nil || !running {
		t.Fatalf("Running while claimed: %v, %v", running, err)
	}
	rl.Release()
	if running, err := l.Running("0c"); err != nil || running {
		t.Fatalf("Running after Release: %v, %v", running, err)
	}
}

func TestSweep(t *testing.T) {
	l := newLedger(t)
	live, err := l.Claim("0d")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()
	if err := l.Put(&Record{ID: "0e"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0e.run", "0f.run", ".10.tmp", ".0d.tmp", "keep.txt", "0e.log"} {
		if err := os.WriteFile(filepath.Join(l.Dir(), name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sweep(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(l.Dir())
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := ".0d.tmp 0d.run 0e.json 0e.log keep.txt"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("after Sweep: %q, want %q (a live run's files, records and their logs stay)", got, want)
	}
}

func TestLock(t *testing.T) {
	l := newLedger(t)
	unlock, err := l.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock while held: %v, want a deadline error", err)
	}
	time.AfterFunc(30*time.Millisecond, unlock)
	unlock2, err := l.Lock(context.Background())
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}

func TestHasField(t *testing.T) {
	rec := []byte(`{
  "id": "0a1b",
  "target": {"path": "/run/netns/x", "inode": 4026532527, "nsid":3},
  "extra": {"cni.container": "c\u003c1\u003e", "cni.ifname":"eth0"}
}`)
	for _, c := range []struct {
		name string
		v    any
		want bool
	}{
		{"inode", uint64(4026532527), true},
		{"inode", uint64(402653252), false}, // a prefix of the number
		{"inode", uint64(40265325270), false},
		{"nsid", 3, true},
		{"id", "0a1b", true},
		{"id", "0a1", false},
		{"cni.container", "c<1>", true}, // escaped as the encoder escapes it
		{"cni.ifname", "eth0", true},
		{"cni.ifname", "eth1", false},
		{"path", "/run/netns/y", false},
		{"missing", "x", false},
	} {
		if got := HasField(rec, c.name, c.v); got != c.want {
			t.Errorf("HasField(%s, %v) = %v, want %v", c.name, c.v, got, c.want)
		}
	}
	// What Put writes is found the same way.
	l := newLedger(t)
	r := &Record{ID: "0c", Target: Target{Inode: 77, NSID: 5}, Extra: map[string]string{"k": "v&w"}}
	if err := l.Put(r); err != nil {
		t.Fatal(err)
	}
	got, err := l.ListWhere(func(b []byte) bool { return HasField(b, "inode", uint64(77)) && HasField(b, "k", "v&w") })
	if err != nil || len(got) != 1 || got[0].ID != "0c" {
		t.Fatalf("ListWhere found %+v, %v; want record 0c", got, err)
	}
	if got, _ := l.ListWhere(func(b []byte) bool { return HasField(b, "inode", uint64(78)) }); len(got) != 0 {
		t.Fatalf("ListWhere found %+v for another inode", got)
	}
}

// TestSweepAfterList: Sweep right after a listing sweeps what the listing
// saw, once; a file made since waits for the next Sweep, which reads the
// directory.
func TestSweepAfterList(t *testing.T) {
	l := newLedger(t)
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(l.Dir(), name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(l.Dir(), name))
		return err == nil
	}
	write(".0a.tmp")
	if _, err := l.List(); err != nil {
		t.Fatal(err)
	}
	write(".0b.tmp")
	if err := l.Sweep(); err != nil {
		t.Fatal(err)
	}
	if exists(".0a.tmp") || !exists(".0b.tmp") {
		t.Fatalf("after List and Sweep: .0a.tmp there %v (want swept), .0b.tmp there %v (want kept: made after the listing)", exists(".0a.tmp"), exists(".0b.tmp"))
	}
	if err := l.Sweep(); err != nil {
		t.Fatal(err)
	}
	if exists(".0b.tmp") {
		t.Fatal("a second Sweep left .0b.tmp: it must read the directory")
	}
}
