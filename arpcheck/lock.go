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

// DefaultLockDir is where the host-wide --ip auto lock lives.
const DefaultLockDir = "/run/lanattach"

// lockPoll is how often Lock retries a lock held by another run.
const lockPoll = 5 * time.Millisecond

// Lock takes a host-wide exclusive flock on dir/auto.lock (dir is created
// with mode 0700; "" means DefaultLockDir), waiting for other runs until ctx
// ends. Hold it from picking an address until the address is assigned, so
// that concurrent --ip auto runs never pick the same one. The lock is also
// released when the process exits.
func Lock(ctx context.Context, dir string) (unlock func(), err error) {
	if dir == "" {
		dir = DefaultLockDir
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating lock directory: %w", err)
	}
	path := filepath.Join(dir, "auto.lock")
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
