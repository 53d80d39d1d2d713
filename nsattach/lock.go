package nsattach

import (
	"context"
	"fmt"
	"time"

	"github.com/lanattach/lanattach/ledger"
)

// lockWait bounds the wait for the host-wide lock.
const lockWait = 2 * time.Minute

// hostLock takes the host-wide lock of led, waiting at most lockWait.
func hostLock(ctx context.Context, led *ledger.Ledger) (func(), error) {
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := led.Lock(ctx)
	if err != nil {
		return nil, fmt.Errorf("taking the host-wide lock: %w", err)
	}
	return unlock, nil
}

// lockedLedger opens the record and takes the host-wide lock; the caller
// calls unlock.
func lockedLedger(ctx context.Context) (*ledger.Ledger, func(), error) {
	led, err := openLedger()
	if err != nil {
		return nil, nil, err
	}
	unlock, err := hostLock(ctx, led)
	if err != nil {
		return nil, nil, err
	}
	return led, unlock, nil
}

// locked runs fn holding the host-wide lock: taken for fn alone, unless
// the run holds it already (--ip auto holds it from its first pick until
// its addresses are recorded).
func (r *attachRun) locked(ctx context.Context, fn func() error) error {
	if r.unlock != nil {
		return fn()
	}
	unlock, err := hostLock(ctx, r.led)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// holdLock takes the host-wide lock until releaseLock.
func (r *attachRun) holdLock(ctx context.Context) error {
	if r.unlock != nil {
		return nil
	}
	unlock, err := hostLock(ctx, r.led)
	r.unlock = unlock
	return err
}

// releaseLock releases a lock taken by holdLock.
func (r *attachRun) releaseLock() {
	if r.unlock != nil {
		r.unlock()
		r.unlock = nil
	}
}
