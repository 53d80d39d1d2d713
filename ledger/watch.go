package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// watchMask is what a Watch hears of: names made, removed and renamed in
// the directory (Put renames every record file into place, Claim its run
// lock), and the directory itself going.
const watchMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// lostMask are the events after which the watch no longer knows.
const lostMask = unix.IN_Q_OVERFLOW | unix.IN_IGNORED | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_UNMOUNT

// Watch tells whether the record directory changed since it was started:
// a listing taken after Watch still holds while Changed says false. An
// attach lists the records in the background and needs them again under
// the host-wide lock; on a busy ledger reading the directory once more is
// most of that (some 100 µs for 200 records).
type Watch struct {
	fd      int
	changed bool
}

// Watch starts watching the directory. Start it before the listing it is
// to vouch for. It fails where inotify does (too many instances, say):
// the caller then lists again.
func (l *Ledger) Watch() (*Watch, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("watching records in %s: %w", l.dir, err)
	}
	if _, err := unix.InotifyAddWatch(fd, l.dir, watchMask); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("watching records in %s: %w", l.dir, err)
	}
	return &Watch{fd: fd}, nil
}

// Changed reports whether a name in the directory was made, removed or
// renamed since the watch started, other than the files of record own
// (its record, run lock, log and temporary file) and the index, which
// only caches the records. An event lost (a full queue), a failed read
// or a nil or closed Watch count as a change; once changed, always.
func (w *Watch) Changed(own string) bool {
	if w == nil || w.fd < 0 {
		return true
	}
	buf := make([]byte, 4096)
	for !w.changed {
		n, err := unix.Read(w.fd, buf)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return false
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil || n <= 0:
			w.changed = true
		default:
			w.changed = eventsChange(buf[:n], own)
		}
	}
	return true
}

// Close ends the watch.
func (w *Watch) Close() {
	if w != nil && w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}

// eventsChange reports whether buf, inotify events as read, holds one that
// changes the records for a run of record own (see Changed). A truncated
// event counts as a change.
func eventsChange(buf []byte, own string) bool {
	for len(buf) > 0 {
		if len(buf) < unix.SizeofInotifyEvent {
			return true
		}
		mask := binary.NativeEndian.Uint32(buf[4:8])
		size := int(binary.NativeEndian.Uint32(buf[12:16]))
		end := unix.SizeofInotifyEvent + size
		if end > len(buf) {
			return true
		}
		name, _, _ := bytes.Cut(buf[unix.SizeofInotifyEvent:end], []byte{0})
		if mask&lostMask != 0 || !ignored(string(name), own) {
			return true
		}
		buf = buf[end:]
	}
	return false
}

// ignored reports whether a change to the file name leaves the records as
// a run of record own sees them: its own files and the index's.
func ignored(name, own string) bool {
	if name == indexName || isIndexTemp(name) {
		return true
	}
	if own == "" {
		return false
	}
	return name == own+".json" || name == own+".run" || name == own+".log" || name == "."+own+".tmp"
}
