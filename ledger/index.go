package ledger

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// The index caches the records of a busy ledger in one file, each with
// the inode of the file it was read from. Put never changes a record file
// in place (it writes a new file and renames it over the old one), and
// tmpfs never hands out an inode number twice, so the record behind a name
// and an inode the directory lists is the one the index holds: a reader
// reads only the files the index lacks, and rewrites the index when it
// lacked many. A damaged or missing index costs only time.

// indexName is the index's file in the ledger directory.
const indexName = "index"

// indexTemp starts the names of index files being written.
const indexTemp = ".index-"

// indexMin is how many records a ledger holds before an index pays: below
// it the files are read one by one, and the index is removed.
const indexMin = 16

// indexStale is how many records the index may lack before a reader
// rewrites it: each run changes its own record, and rewriting the whole
// index for one costs more than reading one file.
const indexStale = 8

// indexEntry is a record as read from the file Name with inode Ino.
type indexEntry struct {
	Name string
	Ino  uint64
	Rec  Record
}

// onTmpfs reports whether dir is on tmpfs, where inode numbers are never
// reused: only there may the index be trusted.
func onTmpfs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.TMPFS_MAGIC
}

// memIndex is what a process remembers of a ledger between listings: the
// records the last one read, and the inode of the index file it found.
type memIndex struct {
	mu  sync.Mutex
	ino uint64
	idx map[string]*indexEntry
	// ents is the directory as the last listing read it, until Sweep
	// takes it.
	ents []dirent
	// own are the record files this process wrote, by name; replaced,
	// never changed, as listings read it without the lock.
	own map[string]*indexEntry
}

// wrote remembers e, a record file this process just wrote: a listing
// of this process takes it from here, not from its file, while the
// directory lists the same inode.
func (m *memIndex) wrote(e *indexEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	own := maps.Clone(m.own)
	if own == nil {
		own = map[string]*indexEntry{}
	}
	own[e.Name] = e
	m.own = own
}

// written returns the record files this process wrote (nil without a
// memIndex).
func (m *memIndex) written() map[string]*indexEntry {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.own
}

// listed keeps ents, the directory as a listing read it, for Sweep (not
// without a memIndex).
func (m *memIndex) listed(ents []dirent) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ents = ents
}

// takeListed returns the directory as the last listing read it, once;
// nil when there was none since (or no memIndex).
func (m *memIndex) takeListed() []dirent {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ents := m.ents
	m.ents = nil
	return ents
}

// mems holds a memIndex per ledger directory: every Ledger a process
// opens on one directory shares it, so that a run that opens the ledger
// more than once decodes the index once.
var mems sync.Map

// memFor returns the memIndex of the ledger directory dir.
func memFor(dir string) *memIndex {
	m, _ := mems.LoadOrStore(dir, &memIndex{})
	return m.(*memIndex)
}

// loadIndex returns the records the index holds, by file name, and those
// the last listing of this Ledger read, while the index file is the one it
// found (a run lists the records more than once). Nil when there is no
// index or it cannot be read.
func (l *Ledger) loadIndex() map[string]*indexEntry {
	var st unix.Stat_t
	path := filepath.Join(l.dir, indexName)
	if unix.Stat(path, &st) != nil {
		return nil
	}
	l.mem.mu.Lock()
	defer l.mem.mu.Unlock()
	if l.mem.idx != nil && l.mem.ino == st.Ino {
		return l.mem.idx
	}
	data, err := readFile(path)
	if err != nil {
		return nil
	}
	ents, err := decodeIndex(data)
	if err != nil {
		return nil
	}
	idx := make(map[string]*indexEntry, len(ents))
	for i := range ents {
		idx[ents[i].Name] = &ents[i]
	}
	l.mem.ino, l.mem.idx = st.Ino, idx
	return idx
}

// Preload reads the index into this process's memory, where every Ledger
// of the directory finds it: a listing after it reads only the directory
// and the record files the index lacks. An attach preloads in the
// background, so that its listing under the host-wide lock does not decode
// the index of a busy ledger (some 100 µs for 200 records). Off tmpfs, or
// without an index, it does nothing.
func (l *Ledger) Preload() {
	if l.indexed {
		l.loadIndex()
	}
}

// remember keeps fresh, what a listing read, for the next one.
func (l *Ledger) remember(fresh map[string]*indexEntry) {
	l.mem.mu.Lock()
	defer l.mem.mu.Unlock()
	if l.mem.idx != nil {
		l.mem.idx = fresh
	}
}

// saveIndex replaces the index with idx, or removes it when idx holds too
// few records to pay. Failures only cost the next reader time.
func (l *Ledger) saveIndex(idx map[string]*indexEntry) {
	path := filepath.Join(l.dir, indexName)
	if len(idx) < indexMin {
		os.Remove(path)
		return
	}
	ents := make([]indexEntry, 0, len(idx))
	for _, e := range idx {
		ents = append(ents, *e)
	}
	f, err := os.CreateTemp(l.dir, indexTemp+"*")
	if err != nil {
		return
	}
	var st unix.Stat_t
	_, err = f.Write(encodeIndex(ents))
	if err == nil {
		err = unix.Fstat(int(f.Fd()), &st)
	}
	if cerr := f.Close(); err != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		os.Remove(f.Name())
		return
	}
	l.mem.mu.Lock()
	l.mem.ino, l.mem.idx = st.Ino, idx
	l.mem.mu.Unlock()
}

// isIndexTemp reports whether name is an index being written, or one a
// killed reader left.
func isIndexTemp(name string) bool { return strings.HasPrefix(name, indexTemp) }
