package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lanattach/lanattach/internal/failpoint"
	"golang.org/x/sys/unix"
)

// State is how far an attachment got.
type State string

// The states of a record.
const (
	// Pending: the run is changing the kernel; it may have made part of
	// the attachment. A pending record whose run is gone is an
	// interrupted attach that gc rolls back.
	Pending State = "pending"
	// Done: the attachment is complete.
	Done State = "done"
	// Detaching: a detach is removing the attachment.
	Detaching State = "detaching"
)

// Target is the network namespace an attachment went into.
type Target struct {
	// Path is the namespace file the user named (for messages).
	Path string `json:"path"`
	// Name is its `ip netns` name, PID the process it was named by.
	Name string `json:"netns,omitempty"`
	PID  int    `json:"pid,omitempty"`
	// Inode is the namespace's nsfs inode.
	Inode uint64 `json:"inode"`
	// NSID is the id the namespace lanattach runs in gave the target:
	// valid for as long as the target lives, whatever paths lead to it.
	NSID int `json:"nsid"`
}

// Record is what one attach made or is about to make. Every field that
// names a kernel object is written before that object is created.
type Record struct {
	ID      string    `json:"id"`
	State   State     `json:"state"`
	PID     int       `json:"pid"` // the run that wrote it, for messages
	Created time.Time `json:"created"`
	Target  Target    `json:"target"`
	// Parent is the link the slave is made off (a VLAN "eth0.50" or
	// the base interface) and ParentIndex its index, 0 while a VLAN is
	// still to be made.
	Parent      string `json:"parent"`
	ParentIndex int    `json:"parent_index,omitempty"`
	// VLANCreated says this run creates (or created) the VLAN parent,
	// under the name VLANTemp until it is marked and renamed.
	VLANCreated bool   `json:"vlan_created,omitempty"`
	VLANTemp    string `json:"vlan_temp_name,omitempty"`
	// TempName is the slave's name until it is marked and renamed to
	// Name: a random name, so a link of that name is this run's.
	TempName  string   `json:"temp_name"`
	Name      string   `json:"name"`
	Kind      string   `json:"mode"`
	Mode      string   `json:"submode"`
	Flag      string   `json:"flag,omitempty"`
	MAC       string   `json:"mac,omitempty"`
	Addresses []string `json:"addresses"`
	// Planned are the static addresses the run is about to check and
	// claim: --ip auto runs of others never pick them meanwhile.
	Planned []string `json:"planned,omitempty"`
	// LoUp says the run brings (or brought) the target's lo up.
	LoUp bool `json:"lo_up,omitempty"`
	// Extra holds data of other packages (e.g. CNI ids), kept as is.
	Extra map[string]string `json:"extra,omitempty"`
	// noRunLock: the listing that returned the record showed no run lock
	// file for it (see RunningNow).
	noRunLock bool
}

// path is the file of record id.
func (l *Ledger) path(id string) string { return filepath.Join(l.dir, id+".json") }

// Put writes r atomically: a reader sees the old record or the new one,
// and after Put returns the new one survives a crash of this process.
func (l *Ledger) Put(r *Record) error {
	if !validID(r.ID) {
		return fmt.Errorf("record id %q is not hex", r.ID)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding record %s: %w", r.ID, err)
	}
	tmp := filepath.Join(l.dir, "."+r.ID+".tmp")
	ino, err := writeSync(tmp, append(data, '\n'))
	if err != nil {
		return fmt.Errorf("writing record %s: %w", r.ID, err)
	}
	if err := failpoint.Hit("record.tmp"); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, l.path(r.ID)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing record %s: %w", r.ID, err)
	}
	if l.indexed {
		l.mem.wrote(&indexEntry{Name: r.ID + ".json", Ino: ino, Rec: cloneRecord(*r)})
	}
	return l.syncDir()
}

// cloneRecord returns a copy of r that shares nothing with it, as decoding
// its file would give.
func cloneRecord(r Record) Record {
	r.Created = r.Created.Round(0)
	r.Addresses, r.Planned, r.Extra = slices.Clone(r.Addresses), slices.Clone(r.Planned), maps.Clone(r.Extra)
	return r
}

// writeSync writes data to a new file and syncs it; it returns the file's
// inode.
func writeSync(name string, data []byte) (uint64, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	var st unix.Stat_t
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = unix.Fstat(int(f.Fd()), &st)
	}
	return st.Ino, errors.Join(err, f.Close())
}

// syncDir syncs the record directory, so that renames and removals last.
func (l *Ledger) syncDir() error {
	d, err := os.Open(l.dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", l.dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", l.dir, err)
	}
	return nil
}

// LogPath is where the helper process of record id (the DHCP keeper)
// writes its log; Remove removes it with the record.
func (l *Ledger) LogPath(id string) string { return filepath.Join(l.dir, id+".log") }

// Remove deletes record id and its log; a missing record is not an error.
func (l *Ledger) Remove(id string) error {
	for _, p := range []string{l.path(id), l.LogPath(id)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing record %s: %w", id, err)
		}
	}
	return l.syncDir()
}

// List returns every record, oldest first. A file that cannot be read or
// decoded is reported in the error, and the others are still returned.
// The records share their slices and maps with what the ledger keeps for
// later listings: copy one before changing it in place.
func (l *Ledger) List() ([]Record, error) { return l.ListWhere(nil) }

// ListWhere is List of the records whose file mayMatch accepts, a look at
// the raw JSON before it is decoded (nil accepts all): a caller after a
// few of many records decodes only those. mayMatch must accept every
// record the caller wants; it may accept more (see HasField), and records
// that come from the index are returned unfiltered, so the caller filters
// what it gets.
func (l *Ledger) ListWhere(mayMatch func(data []byte) bool) ([]Record, error) {
	return l.list(mayMatch, nil)
}

// ListFunc is List of the records want accepts: only those are copied out
// and sorted, the better part of a listing of many records for a caller
// after a few. want must not change the record it is shown. As with List,
// the records are nil only when the directory cannot be read.
func (l *Ledger) ListFunc(want func(*Record) bool) ([]Record, error) {
	return l.list(nil, want)
}

// list is ListWhere of the records want accepts (nil: all).
func (l *Ledger) list(mayMatch func(data []byte) bool, want func(*Record) bool) ([]Record, error) {
	ents, err := readDir(l.dir)
	if err != nil {
		return nil, err
	}
	l.mem.listed(ents)
	var idx map[string]*indexEntry
	if l.indexed {
		idx = l.loadIndex()
	}
	got, missed, errs := l.collect(ents, idx, l.mem.written(), mayMatch)
	if l.indexed {
		l.keep(idx, got, missed)
	}
	if want != nil {
		got = slices.DeleteFunc(got, func(e *indexEntry) bool { return !want(&e.Rec) })
	}
	return sorted(got, runLocks(ents)), errors.Join(errs...)
}

// collect returns the records the directory entries ents name: from idx
// or own (the files this process wrote) where they hold the same file,
// read from the file otherwise (missed counts those, and those of settled
// records, and the records own gave). Files mayMatch rejects are left out,
// unless the ledger is indexed (then every record read goes to the index).
func (l *Ledger) collect(ents []dirent, idx, own map[string]*indexEntry, mayMatch func([]byte) bool) (got []*indexEntry, missed misses, errs []error) {
	got = make([]*indexEntry, 0, len(ents))
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.name, ".json")
		if !ok || !validID(id) {
			continue
		}
		if c, ok := idx[e.name]; ok && c.Ino == e.ino {
			got = append(got, c)
			continue
		}
		if c, ok := own[e.name]; ok && c.Ino == e.ino {
			got = append(got, c)
			missed.own++
			if settled(c.Rec) {
				missed.settled++
			}
			continue
		}
		missed.files++
		r, ok, err := l.readWhere(id, indexFilter(mayMatch, l.indexed))
		switch {
		case errors.Is(err, os.ErrNotExist) || (err == nil && !ok):
			// removed since the directory was read, or not wanted
		case err != nil:
			errs = append(errs, err)
		default:
			got = append(got, &indexEntry{Name: e.name, Ino: e.ino, Rec: r})
			if settled(r) {
				missed.settled++
			}
		}
	}
	return got, missed, errs
}

// keep rewrites the index with got, what a listing read, when it is due
// (indexDue), and remembers got for the next listing of this Ledger.
func (l *Ledger) keep(idx map[string]*indexEntry, got []*indexEntry, missed misses) {
	if missed.files+missed.own == 0 && len(got) == len(idx) {
		return // the index as it is
	}
	fresh := make(map[string]*indexEntry, len(got))
	for _, e := range got {
		fresh[e.Name] = e
	}
	if l.indexDue(idx, fresh, missed) {
		l.saveIndex(fresh)
	} else {
		l.remember(fresh)
	}
}

// runLocks returns the ids whose run lock file ents list.
func runLocks(ents []dirent) map[string]bool {
	locked := map[string]bool{}
	for _, e := range ents {
		if id, ok := strings.CutSuffix(e.name, ".run"); ok {
			locked[id] = true
		}
	}
	return locked
}

// sorted returns the records of got, oldest first, each marked with
// whether the listing showed its run lock (locked).
func sorted(got []*indexEntry, locked map[string]bool) []Record {
	slices.SortStableFunc(got, func(a, b *indexEntry) int { return a.Rec.Created.Compare(b.Rec.Created) })
	out := make([]Record, len(got))
	for i, e := range got {
		out[i] = e.Rec
		out[i].noRunLock = !locked[e.Rec.ID]
	}
	return out
}

// misses counts the records a listing found the index lacked: those it
// read from their files, those it took from what this process wrote, and
// of both those of settled records.
type misses struct{ files, own, settled int }

// indexSettle is how long a finished record stays as it is made before it
// is taken as settled: the records of runs coming and going change again
// soon, those of attachments that stay do not.
const indexSettle = 5 * time.Second

// settled reports whether r is finished and was made indexSettle ago or
// longer: an index that lacks it makes every listing read its file until
// the index is rewritten.
func settled(r Record) bool {
	return r.State == Done && time.Since(r.Created) >= indexSettle
}

// indexDue reports whether the index is due to be rewritten (or removed):
// it lacked a settled record or many records of any kind (missed), held
// many that are gone or changed, or holds too few records to pay.
func (l *Ledger) indexDue(idx, fresh map[string]*indexEntry, missed misses) bool {
	hits := len(fresh) - missed.files - missed.own
	if idx != nil && len(fresh) < indexMin {
		return true
	}
	return len(fresh) >= indexMin && (missed.settled > 0 || missed.files+missed.own+len(idx)-hits > indexStale)
}

// indexFilter is the filter ListWhere reads a file with: none while it
// builds the index (every record goes there; the caller filters), mayMatch
// otherwise.
func indexFilter(mayMatch func([]byte) bool, indexing bool) func([]byte) bool {
	if indexing {
		return nil
	}
	return mayMatch
}

// ErrNoRecord says a record does not exist.
var ErrNoRecord = errors.New("no such record")

// Get reads record id; ErrNoRecord when there is none.
func (l *Ledger) Get(id string) (Record, error) {
	r, err := l.read(id)
	if errors.Is(err, os.ErrNotExist) {
		return r, fmt.Errorf("record %s: %w", id, ErrNoRecord)
	}
	return r, err
}

// read reads record id.
func (l *Ledger) read(id string) (Record, error) {
	r, _, err := l.readWhere(id, nil)
	return r, err
}

// readWhere reads record id when mayMatch (nil: any) accepts its file;
// ok is false when it does not.
func (l *Ledger) readWhere(id string, mayMatch func([]byte) bool) (r Record, ok bool, err error) {
	data, err := readFile(l.path(id))
	if err != nil {
		return r, false, fmt.Errorf("reading record %s: %w", id, err)
	}
	if mayMatch != nil && !mayMatch(data) {
		return r, false, nil
	}
	if err := json.Unmarshal(data, &r); err != nil || r.ID != id {
		return r, false, fmt.Errorf("record %s in %s is damaged (move it away to go on): %v", id, l.dir, err)
	}
	return r, true, nil
}

// HasField reports whether data, a record's file, holds field name with
// value v (a string or a number) at some level: what a ListWhere filter
// looks for. It tolerates any spacing around the colon.
func HasField(data []byte, name string, v any) bool {
	key, _ := json.Marshal(name)
	val, err := json.Marshal(v)
	if err != nil {
		return true // cannot tell: let the caller decode it
	}
	for rest := data; ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			return false
		}
		rest = rest[i+len(key):]
		after := bytes.TrimLeft(rest, " \t\r\n")
		if len(after) == 0 || after[0] != ':' {
			continue
		}
		after = bytes.TrimLeft(after[1:], " \t\r\n")
		if bytes.HasPrefix(after, val) && (len(after) == len(val) || bytes.IndexByte([]byte(",}] \t\r\n"), after[len(val)]) >= 0) {
			return true
		}
	}
}

// readFile is os.ReadFile without the runtime's poller, which a regular
// file gains nothing from: reading hundreds of records, the poller's
// attempts to register each file cost more than the read.
func readFile(name string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	size := 1024
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && st.Size > 0 && st.Size < 1<<30 {
		size = int(st.Size) + 1 // one more, to see the end in one read
	}
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := unix.Read(fd, data[len(data):cap(data)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &os.PathError{Op: "read", Path: name, Err: err}
		case n == 0:
			return data, nil
		}
		data = data[:len(data)+n]
	}
}
