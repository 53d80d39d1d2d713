package arpcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultLockDir is where the host-wide lanattach lock lives.
const DefaultLockDir = "/run/lanattach"

// lockPoll is how often Lock retries a lock held by another run.
const lockPoll = 5 * time.Millisecond

// Lock takes a host-wide exclusive flock on dir/lanattach.lock (dir is
// created with mode 0700; "" means DefaultLockDir), waiting for other runs
// until ctx ends. It serialises what must not interleave between runs: hold
// it from picking an --ip auto address until the address is assigned, so
// that concurrent runs never pick the same one, and around creating a VLAN
// parent and its first slave or deleting an unused VLAN. The lock is also
// released when the process exits.
func Lock(ctx context.Context, dir string) (unlock func(), err error) {
	if dir == "" {
		dir = DefaultLockDir
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating lock directory: %w", err)
	}
	path := filepath.Join(dir, "lanattach.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock: %w", err)
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
