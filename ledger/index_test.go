package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tmpfsLedger opens a ledger on tmpfs (/dev/shm), where it keeps an index.
func tmpfsLedger(t *testing.T) *Ledger {
	t.Helper()
	root, err := os.MkdirTemp("/dev/shm", "lanattach-index-test")
	if err != nil {
		t.Fatalf("a directory on /dev/shm (tmpfs on every Linux with glibc): %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if !onTmpfs(root) {
		t.Fatalf("/dev/shm is not tmpfs here; the index tests need tmpfs")
	}
	l, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// putN writes records 00 .. n-1 (hex ids), each with its own address.
func putN(t *testing.T, l *Ledger, n int) {
	t.Helper()
	for i := range n {
		r := &Record{ID: fmt.Sprintf("%02x", i), State: Done, Created: time.Unix(int64(i), 0).UTC(), MAC: "02:00:00:00:00:01",
			Addresses: []string{fmt.Sprintf("198.51.100.%d/24", i+1)}, Extra: map[string]string{"k": "v"}}
		if i%2 == 0 {
			r.Addresses = []string{} // as attach writes it before an address is made
		}
		if err := l.Put(r); err != nil {
			t.Fatal(err)
		}
	}
}

// fresh lists l's records as a new process would: no memory of earlier
// listings.
func fresh(t *testing.T, l *Ledger) []Record {
	t.Helper()
	got, err := (&Ledger{dir: l.dir, indexed: l.indexed, mem: &memIndex{}}).List()
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// noFlags clears what List sets besides the record's own fields.
func noFlags(recs []Record) []Record {
	out := append([]Record(nil), recs...)
	for i := range out {
		out[i].noRunLock = false
	}
	return out
}

// TestIndex: with many records a listing writes the index; listings read
// through it return what the files hold, a changed or removed record
// included, and a damaged index costs nothing but time.
func TestIndex(t *testing.T) {
	l := tmpfsLedger(t)
	index := filepath.Join(l.Dir(), indexName)
	putN(t, l, indexMin-1)
	fresh(t, l)
	if _, err := os.Stat(index); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("index with %d records (below %d): %v", indexMin-1, indexMin, err)
	}
	putN(t, l, indexMin+4)
	byFiles := fresh(t, l)
	if _, err := os.Stat(index); err != nil {
		t.Fatalf("no index after listing %d records: %v", indexMin+4, err)
	}
	if got := fresh(t, l); !reflect.DeepEqual(noFlags(got), noFlags(byFiles)) {
		t.Fatalf("through the index:\n%+v\nfrom the files:\n%+v", got, byFiles)
	}
	changed := byFiles[3]
	changed.Addresses = []string{"203.0.113.9/24"}
	if err := l.Put(&changed); err != nil {
		t.Fatal(err)
	}
	if err := l.Remove(byFiles[5].ID); err != nil {
		t.Fatal(err)
	}
	for _, list := range []func() []Record{func() []Record { return fresh(t, l) }, func() []Record { got, _ := l.List(); return got }} {
		got := list()
		if len(got) != len(byFiles)-1 || !reflect.DeepEqual(got[3].Addresses, changed.Addresses) || got[5].ID == byFiles[5].ID {
			t.Fatalf("after a change and a removal: %+v", got)
		}
	}
	if err := os.WriteFile(index, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := fresh(t, l); len(got) != len(byFiles)-1 || !reflect.DeepEqual(got[3].Addresses, changed.Addresses) {
		t.Fatalf("with a damaged index: %+v", got)
	}
	for _, r := range byFiles[:12] {
		if err := l.Remove(r.ID); err != nil {
			t.Fatal(err)
		}
	}
	fresh(t, l)
	if _, err := os.Stat(index); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("index left with %d records: %v", len(byFiles)-13, err)
	}
}

// TestIndexOnlyOnTmpfs: elsewhere a file system may reuse an inode number
// for the next record file, so a ledger there keeps no index.
func TestIndexOnlyOnTmpfs(t *testing.T) {
	if !onTmpfs("/dev/shm") || onTmpfs("/proc") || onTmpfs("/sys") {
		t.Fatalf("onTmpfs: /dev/shm %v, /proc %v, /sys %v; want true, false, false", onTmpfs("/dev/shm"), onTmpfs("/proc"), onTmpfs("/sys"))
	}
	l := tmpfsLedger(t)
	l.indexed = false // as Open sets it off tmpfs
	putN(t, l, 2*indexMin)
	if got, err := l.List(); err != nil || len(got) != 2*indexMin {
		t.Fatalf("listed %d of %d records: %v", len(got), 2*indexMin, err)
	}
	if _, err := os.Stat(filepath.Join(l.Dir(), indexName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an index with indexing off: %v", err)
	}
}

// TestRunningNow: a finished record the listing showed without a run lock
// is not running; one with a held lock, or not finished, gets a real look.
func TestRunningNow(t *testing.T) {
	l := newLedger(t)
	putN(t, l, 3)
	held, err := l.Claim("01")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	pending := Record{ID: "02", State: Pending}
	if err := l.Put(&pending); err != nil {
		t.Fatal(err)
	}
	recs, err := l.List()
	if err != nil || len(recs) != 3 {
		t.Fatalf("List = %+v, %v", recs, err)
	}
	want := map[string]bool{"00": false, "01": true, "02": false}
	for _, r := range recs {
		if got, err := l.RunningNow(r); err != nil || got != want[r.ID] {
			t.Errorf("RunningNow(%s, %s) = %v, %v; want %v", r.ID, r.State, got, err, want[r.ID])
		}
	}
	other, err := l.Claim("02") // a run that claimed after the listing
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	if got, err := l.RunningNow(recs[2]); err != nil || !got {
		t.Errorf("RunningNow of a pending record whose lock came after the listing = %v, %v; want true", got, err)
	}
}

// TestSweepIndexTemp: an index a killed reader left half written goes.
func TestSweepIndexTemp(t *testing.T) {
	l := newLedger(t)
	tmp := filepath.Join(l.Dir(), indexTemp+"123")
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Sweep(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Sweep left %s: %v", tmp, err)
	}
}

// TestReadDir: the names and inodes readDir lists are those os.ReadDir
// and stat give.
func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	for i := range 300 { // more than one getdents buffer
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d-a-long-name-to-fill-the-buffer.json", i)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := readDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadDir(dir)
	if len(ents) != len(want) {
		t.Fatalf("readDir listed %d entries, os.ReadDir %d", len(ents), len(want))
	}
	for _, e := range ents {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(dir, e.name), &st); err != nil || st.Ino != e.ino {
			t.Fatalf("%s: inode %d, stat says %d (%v)", e.name, e.ino, st.Ino, err)
		}
	}
	if _, err := readDir(filepath.Join(dir, "none")); err == nil {
		t.Fatal("readDir of a missing directory: no error")
	}
}

// FuzzParseDirents: no input makes the parser fail or return a name with a
// NUL or "." and "..".
func FuzzParseDirents(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 24, 0, 8, 'a', '.', 'j', 's', 'o', 0})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 24, 0, 4, '.', 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, buf []byte) {
		for _, e := range parseDirents(buf, nil) {
			if e.name == "." || e.name == ".." {
				t.Fatalf("returned %q", e.name)
			}
			for i := range len(e.name) {
				if e.name[i] == 0 {
					t.Fatalf("name with a NUL: %q", e.name)
				}
			}
		}
	})
}

// TestIndexRace: records rewritten and removed while other ledgers (as
// other processes) list them and rewrite the index: every listing returns
// only versions that were written, and once the writers stop, a fresh
// listing is what the files hold.
func TestIndexRace(t *testing.T) {
	l := tmpfsLedger(t)
	putN(t, l, 2*indexMin)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 3 {
		go func() {
			r := &Ledger{dir: l.dir, indexed: true, mem: &memIndex{}}
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				recs, err := r.List()
				for _, rec := range recs {
					if len(rec.Addresses) > 1 || (len(rec.Addresses) == 1 && !strings.HasPrefix(rec.Addresses[0], "198.51.100.") && !strings.HasPrefix(rec.Addresses[0], "203.0.113.")) {
						err = fmt.Errorf("record %s with addresses never written: %v", rec.ID, rec.Addresses)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 300 {
		r := &Record{ID: fmt.Sprintf("%02x", i%(2*indexMin)), State: Done, Created: time.Unix(int64(i), 0).UTC(),
			Addresses: []string{fmt.Sprintf("203.0.113.%d/24", i%250)}}
		if err := l.Put(r); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			if err := l.Remove(fmt.Sprintf("%02x", (i+3)%(2*indexMin))); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	byFiles, err := (&Ledger{dir: l.dir}).List()
	if err != nil {
		t.Fatal(err)
	}
	if got := fresh(t, l); !reflect.DeepEqual(noFlags(got), noFlags(byFiles)) {
		t.Fatalf("after the race, through the index:\n%+v\nfrom the files:\n%+v", got, byFiles)
	}
}

// TestIndexDue: when a listing rewrites the index.
func TestIndexDue(t *testing.T) {
	l := &Ledger{}
	n := func(k int) map[string]*indexEntry {
		m := map[string]*indexEntry{}
		for i := range k {
			m[fmt.Sprint(i)] = &indexEntry{}
		}
		return m
	}
	for _, c := range []struct {
		name       string
		idx, fresh int
		missed     misses
		want       bool
	}{
		{"in step", 20, 20, misses{}, false},
		{"lacks a young record", 20, 21, misses{files: 1}, false},
		{"lacks a settled record", 20, 21, misses{files: 1, settled: 1}, true},
		{"lacks many young records", 20, 29, misses{files: 9}, true},
		{"holds many gone records", 29, 20, misses{}, true},
		{"too few records, no index", 0, indexMin - 1, misses{files: indexMin - 1, settled: indexMin - 1}, false},
		{"too few records for the index", 20, indexMin - 1, misses{}, true},
	} {
		var idx map[string]*indexEntry
		if c.idx > 0 {
			idx = n(c.idx)
		}
		if got := l.indexDue(idx, n(c.fresh), c.missed); got != c.want {
			t.Errorf("%s: indexDue %v, want %v", c.name, got, c.want)
		}
	}
}

// TestIndexTakesSettled: a listing that finds a settled record missing
// from the index rewrites it; one that finds only a young one does not.
func TestIndexTakesSettled(t *testing.T) {
	l := tmpfsLedger(t)
	putN(t, l, indexMin+4)
	fresh(t, l)
	inode := func() uint64 {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(l.Dir(), indexName), &st); err != nil {
			t.Fatal(err)
		}
		return st.Ino
	}
	before := inode()
	if err := l.Put(&Record{ID: "a0", State: Done, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	fresh(t, l)
	if got := inode(); got != before {
		t.Fatal("index rewritten for a young record")
	}
	if err := l.Put(&Record{ID: "a1", State: Done, Created: time.Now().Add(-indexSettle)}); err != nil {
		t.Fatal(err)
	}
	fresh(t, l)
	if got := inode(); got == before {
		t.Fatal("index not rewritten for a settled record")
	}
}

// TestOpenSharesMemory: every Ledger a process opens on one directory
// shares what listings remember, so that a run that opens the ledger more
// than once decodes the index once; one on another directory does not.
func TestOpenSharesMemory(t *testing.T) {
	a := tmpfsLedger(t)
	b, err := Open(filepath.Dir(a.Dir()))
	if err != nil {
		t.Fatal(err)
	}
	other := tmpfsLedger(t)
	if a.mem != b.mem || a.mem == other.mem {
		t.Fatalf("memory shared by two ledgers of %s: %v; with one of %s: %v", a.Dir(), a.mem == b.mem, other.Dir(), a.mem == other.mem)
	}
	putN(t, a, indexMin+1)
	a.List()
	if b.loadIndex() == nil {
		t.Fatal("the second ledger of the directory does not see the index the first listing wrote")
	}
}

// TestListFunc: ListFunc returns the records want accepts, oldest first,
// through the index as from the files, and an empty (not nil) list when
// it accepts none; the index still holds every record.
func TestListFunc(t *testing.T) {
	l := tmpfsLedger(t)
	putN(t, l, indexMin+4)
	odd := func(r *Record) bool { return len(r.Addresses) == 1 }
	for i := range 2 { // the first listing writes the index, the second reads it
		got, err := l.ListFunc(odd)
		if err != nil || len(got) != (indexMin+4)/2 {
			t.Fatalf("listing %d: %d records, %v; want %d", i, len(got), err, (indexMin+4)/2)
		}
		for j, r := range got {
			if !odd(&r) || (j > 0 && r.Created.Before(got[j-1].Created)) {
				t.Fatalf("listing %d: %+v not wanted or out of order", i, got)
			}
		}
	}
	if got, err := l.ListFunc(func(*Record) bool { return false }); got == nil || len(got) != 0 || err != nil {
		t.Fatalf("none wanted: %#v, %v; want an empty list", got, err)
	}
	if got := fresh(t, l); len(got) != indexMin+4 {
		t.Fatalf("through the index after ListFunc: %d records, want %d", len(got), indexMin+4)
	}
}

// TestListTakesOwnWrites: a listing takes the records this process wrote
// from memory while the directory lists the same file (here damaged in
// place, which lanattach never does, to show the file is not read), a
// copy that later changes to the caller's record do not reach, and reads
// the file once another process replaced it.
func TestListTakesOwnWrites(t *testing.T) {
	l := tmpfsLedger(t)
	putN(t, l, indexMin+1)
	l.List() // writes the index
	r := &Record{ID: "a0", State: Done, Created: time.Now(), Addresses: []string{"198.51.100.7/24"}}
	if err := l.Put(r); err != nil {
		t.Fatal(err)
	}
	r.Addresses[0] = "203.0.113.1/24"
	f, err := os.OpenFile(filepath.Join(l.Dir(), "a0.json"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("{damaged"), 0)
	f.Close()
	byID := func(recs []Record) *Record {
		for i := range recs {
			if recs[i].ID == "a0" {
				return &recs[i]
			}
		}
		return nil
	}
	got, err := l.List()
	if a0 := byID(got); err != nil || a0 == nil || a0.Addresses[0] != "198.51.100.7/24" {
		t.Fatalf("own write: %+v, %v; want it from memory, as written", a0, err)
	}
	if _, err := (&Ledger{dir: l.dir, indexed: true, mem: &memIndex{}}).List(); err == nil {
		t.Fatal("another process read the damaged file without an error")
	}
	other := &Ledger{dir: l.dir, indexed: true, mem: &memIndex{}}
	if err := other.Put(&Record{ID: "a0", State: Done, Created: time.Now(), Addresses: []string{"198.51.100.8/24"}}); err != nil {
		t.Fatal(err)
	}
	got, err = l.List()
	if a0 := byID(got); err != nil || a0 == nil || a0.Addresses[0] != "198.51.100.8/24" {
		t.Fatalf("after another process replaced it: %+v, %v; want its version", a0, err)
	}
}

// TestListWhilePut: in one process, listings run while the same ledger
// writes records (as attach's background scan does while the run writes
// its own): each listing sees every record, in a version that was
// written. Run with -race too.
func TestListWhilePut(t *testing.T) {
	l := tmpfsLedger(t)
	putN(t, l, indexMin+4)
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			recs, err := l.ListFunc(func(r *Record) bool { return r.ID == "a0" || len(r.Addresses) <= 1 })
			if err == nil && len(recs) < indexMin+4 {
				err = fmt.Errorf("listed %d records, want at least %d", len(recs), indexMin+4)
			}
			for _, r := range recs {
				if r.ID == "a0" && (len(r.Addresses) != 1 || !strings.HasPrefix(r.Addresses[0], "198.51.100.")) {
					err = fmt.Errorf("record a0 with addresses never written: %v", r.Addresses)
				}
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	r := &Record{ID: "a0", State: Pending, Created: time.Now()}
	for i := range 200 {
		r.Addresses = append(r.Addresses[:0], fmt.Sprintf("198.51.100.%d/24", i%250))
		if err := l.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// TestPreload: Preload decodes the index into the memory every Ledger of
// the directory shares, so that a listing after it needs no decode; the
// listing still sees a record written after the preload. Without an
// index, and off tmpfs, it leaves nothing in memory.
func TestPreload(t *testing.T) {
	l := tmpfsLedger(t)
	putN(t, l, indexMin+2)
	fresh(t, l) // writes the index
	p := &Ledger{dir: l.dir, indexed: true, mem: &memIndex{}}
	p.Preload()
	if len(p.mem.idx) != indexMin+2 {
		t.Fatalf("after Preload the memory holds %d records, want %d", len(p.mem.idx), indexMin+2)
	}
	if err := p.Put(&Record{ID: "ff", State: Done, Created: time.Unix(100, 0).UTC(), Addresses: []string{}}); err != nil {
		t.Fatal(err)
	}
	got, err := p.List()
	if err != nil || len(got) != indexMin+3 || got[len(got)-1].ID != "ff" {
		t.Fatalf("listing after Preload and a Put: %d records, err %v", len(got), err)
	}
	off := &Ledger{dir: l.dir, indexed: false, mem: &memIndex{}}
	off.Preload()
	if off.mem.idx != nil {
		t.Fatal("Preload off tmpfs read the index")
	}
	none := tmpfsLedger(t)
	none.Preload()
	if none.mem.idx != nil {
		t.Fatal("Preload without an index left records in memory")
	}
}
