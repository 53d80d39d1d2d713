package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// lockPoll is how often Lock retries a lock held by another run.
const lockPoll = 5 * time.Millisecond

// Lock takes the namespace-wide exclusive lock, waiting for other runs
// until ctx ends. It serialises what must not interleave between runs:
// the last clash check of an address and its assignment and record, the
// creation of a VLAN parent and the record that names it, and the deletion
// of a VLAN. The kernel releases it when the process exits.
func (l *Ledger) Lock(ctx context.Context) (unlock func(), err error) {
	path := filepath.Join(l.dir, "lanattach.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for %s, held by another lanattach run: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// RunLock is held by a run for as long as it runs; others test it to tell
// a record of a live run from one whose run is gone.
type RunLock struct {
	f    *os.File
	path string
}

// runLockPath is the run lock file of record id.
func (l *Ledger) runLockPath(id string) string { return filepath.Join(l.dir, id+".run") }

// Claim creates and locks the run lock of record id. Take it before the
// record is first written. The lock file is made and locked under a
// temporary name and then renamed, so that a run lock file others can see
// is always locked while its run lives.
func (l *Ledger) Claim(id string) (*RunLock, error) {
	if !validID(id) {
		return nil, fmt.Errorf("record id %q is not hex", id)
	}
	tmp, p := filepath.Join(l.dir, "."+id+".tmp"), l.runLockPath(id)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating run lock %s: %w", tmp, err)
	}
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err == nil {
		err = unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, p, unix.RENAME_NOREPLACE)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("taking run lock %s: %w", p, err)
	}
	return &RunLock{f: f, path: p}, nil
}

// Release removes the run lock file and unlocks it.
func (r *RunLock) Release() {
	os.Remove(r.path)
	r.f.Close()
}

// RunningNow is Running for r, a record as List returned it: a finished
// record whose run lock file the listing did not show is taken as not
// running without a look (its run released the lock; on a host with
// hundreds of records, the looks would cost more than the rest of a list).
func (l *Ledger) RunningNow(r Record) (bool, error) {
	if r.State == Done && r.noRunLock {
		return false, nil
	}
	return l.Running(r.ID)
}

// Running reports whether the run that owns record id still runs: whether
// another process holds its run lock. A missing lock file means no.
func (l *Ledger) Running(id string) (bool, error) {
	fd, err := unix.Open(l.runLockPath(id), unix.O_RDWR|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("opening run lock of record %s: %w", id, err)
	}
	defer unix.Close(fd)
	err = unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB)
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, unix.EWOULDBLOCK):
		return true, nil
	}
	return false, fmt.Errorf("testing run lock of record %s: %w", id, err)
}

// Sweep removes run locks and temporary files of runs that are gone. Call
// it under Lock. It looks at the files the listing just before it saw
// (List under the same lock: the files of a run that began since are not
// yet its to sweep), or reads the directory when there was none.
func (l *Ledger) Sweep() error {
	ents := l.mem.takeListed()
	if ents == nil {
		var err error
		if ents, err = readDir(l.dir); err != nil {
			return err
		}
	}
	var errs []error
	for _, e := range ents {
		id, kind := splitName(e.name)
		if isIndexTemp(e.name) {
			os.Remove(filepath.Join(l.dir, e.name)) // a killed reader's
			continue
		}
		if id == "" || kind == ".json" {
			continue
		}
		if running, err := l.Running(id); err != nil || running {
			errs = append(errs, err)
			continue
		}
		if err := os.Remove(filepath.Join(l.dir, e.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// splitName splits a file name of the ledger into its record id and kind
// (".json", ".run" or ".tmp"); id is "" for other files.
func splitName(name string) (id, kind string) {
	for _, k := range []string{".json", ".run", ".tmp"} {
		if s, ok := strings.CutSuffix(name, k); ok {
			s = strings.TrimPrefix(s, ".")
			if validID(s) {
				return s, k
			}
		}
	}
	return "", ""
}
