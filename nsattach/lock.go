package nsattach

import (
	"context"
	"fmt"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
)

// LockDir holds the host-wide lock that keeps concurrent --ip auto runs
// from picking the same address and VLAN parents from being deleted while
// another run creates a slave on them.
var LockDir = arpcheck.DefaultLockDir

// lockWait bounds the wait for the host-wide lock.
const lockWait = 2 * time.Minute

// hostLock takes the host-wide lock, waiting at most lockWait.
func hostLock(ctx context.Context) (func(), error) {
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := arpcheck.Lock(ctx, LockDir)
	if err != nil {
		return nil, fmt.Errorf("taking the host-wide lock in %s: %w", LockDir, err)
	}
	return unlock, nil
}

// lock takes the host-wide lock for the rest of the run, once.
func (r *attachRun) lock(ctx context.Context) error {
	if r.unlock != nil {
		return nil
	}
	unlock, err := hostLock(ctx)
	r.unlock = unlock
	return err
}
