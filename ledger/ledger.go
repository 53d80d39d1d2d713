package ledger

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// DefaultRoot is where lanattach keeps its records and locks.
const DefaultRoot = "/run/lanattach"

// Ledger is the record directory of one network namespace.
type Ledger struct {
	dir string
	// indexed: the directory is on tmpfs, so it may keep an index.
	indexed bool
	mem     *memIndex
}

// Open returns the ledger of the network namespace the calling thread runs
// in, under root ("" means DefaultRoot), creating its directory (mode 0700).
func Open(root string) (*Ledger, error) {
	if root == "" {
		root = DefaultRoot
	}
	key, err := netnsKey()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating record directory %s: %w", dir, err)
	}
	return &Ledger{dir: dir, indexed: onTmpfs(dir), mem: memFor(dir)}, nil
}

// Dir is the directory that holds this namespace's records.
func (l *Ledger) Dir() string { return l.dir }

// netnsKey names the calling thread's network namespace for the life of the
// boot: "net-" and its cookie (never reused), or on kernels before 5.14
// "ino-" and its nsfs inode.
func netnsKey() (string, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return "", fmt.Errorf("opening a socket to identify this netns: %w", err)
	}
	defer unix.Close(fd)
	cookie, err := unix.GetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_NETNS_COOKIE)
	if err == nil {
		return "net-" + strconv.FormatUint(cookie, 10), nil
	}
	if !errors.Is(err, unix.ENOPROTOOPT) {
		return "", fmt.Errorf("reading this netns's cookie: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		return "", fmt.Errorf("stat of this netns: %w", err)
	}
	return "ino-" + strconv.FormatUint(st.Ino, 10), nil
}

// NewID returns a fresh random record ID (12 hex digits).
func NewID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random record id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// validID reports whether id can name a record file.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 || len(id)%2 != 0 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
