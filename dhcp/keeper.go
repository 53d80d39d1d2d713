package dhcp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// Keeper keeps a lease for the life of an attachment: it renews at T1,
// rebinds at T2, and stops when Alive says the attachment is gone. It
// holds no socket (and so no reference to the target netns) between
// exchanges: Open makes one for each.
type Keeper struct {
	Lease *Lease
	// Open opens a client on the slave in the target netns.
	Open func() (*Client, error)
	// Alive reports whether the attachment still exists.
	Alive func() bool
	// Renewed applies an extended lease (address lifetimes, record).
	Renewed func(*Lease) error
	// Refused stops the use of a lease the server refused (DHCPNAK) or
	// moved to another address: RFC 2131 (section 4.4.5) wants the
	// address given up at once, not kept until it expires.
	Refused func(*Lease) error
	// Poll is how often Alive is asked.
	Poll time.Duration
	// Logf reports what the keeper does.
	Logf func(format string, args ...any)
}

// ErrExpired is returned when the lease ran out without being extended.
var ErrExpired = errors.New("DHCP lease expired")

// ErrRefused is returned when the server refused to extend the lease
// (DHCPNAK) or moved it to another address; the keeper gave it up.
var ErrRefused = errors.New("the DHCP server refused the lease")

// minRetry is the shortest wait before a failed renewal is tried again.
const minRetry = 5 * time.Second

// exchangeWait bounds one renew or rebind exchange.
const exchangeWait = 10 * time.Second

// Run keeps the lease until ctx ends or the attachment is gone (nil),
// or the lease expires (ErrExpired).
func (k *Keeper) Run(ctx context.Context) error {
	next := k.Lease.RenewAt()
	for {
		if err := k.sleepUntil(ctx, next); err != nil {
			return nil // stopped, or the attachment is gone
		}
		now := time.Now()
		if !now.Before(k.Lease.Expires()) {
			return fmt.Errorf("%w: %s (no server answered since %s)", ErrExpired, k.Lease.Addr,
				k.Lease.RenewAt().Format(time.RFC3339))
		}
		l, err := k.extend(ctx, now.Before(k.Lease.RebindAt()))
		var nak *nclient4.ErrNak
		switch {
		case errors.As(err, &nak):
			return k.giveUp(fmt.Errorf("%w: DHCPNAK for %s (%s)", ErrRefused, k.Lease.Addr, nak.Nak.Message()))
		case err == nil && l.Addr != k.Lease.Addr:
			return k.giveUp(fmt.Errorf("%w: the server moved %s to %s", ErrRefused, k.Lease.Addr, l.Addr))
		case err == nil:
			if err := k.Renewed(l); err != nil {
				return err
			}
			k.Logf("extended %s until %s", l.Addr, l.Expires().Format(time.RFC3339))
			k.Lease, next = l, l.RenewAt()
			continue
		}
		k.Logf("%v", err)
		next = retryAt(now, k.Lease)
	}
}

// giveUp stops the use of the refused lease and returns why (why wraps
// ErrRefused).
func (k *Keeper) giveUp(why error) error {
	k.Logf("%v: giving %s up; attach again for a new lease", why, k.Lease.Addr)
	if err := k.Refused(k.Lease); err != nil {
		return fmt.Errorf("%w; giving it up: %v", why, err)
	}
	return why
}

// extend renews (before T2) or rebinds the lease in one exchange.
func (k *Keeper) extend(ctx context.Context, renew bool) (*Lease, error) {
	c, err := k.Open()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, exchangeWait)
	defer cancel()
	if renew {
		return c.Renew(ctx, k.Lease)
	}
	return c.Rebind(ctx, k.Lease)
}

// retryAt is when to try again after a failed exchange at now: half way
// to the next deadline (T2, then expiry, RFC 2131 §4.4.5), not sooner
// than minRetry unless the deadline is nearer.
func retryAt(now time.Time, l *Lease) time.Time {
	deadline := l.RebindAt()
	if !now.Before(deadline) {
		deadline = l.Expires()
	}
	wait := max(deadline.Sub(now)/2, minRetry)
	return now.Add(min(wait, max(deadline.Sub(now), time.Second)))
}

// sleepUntil waits until t, asking Alive every Poll; it fails when ctx
// ends or the attachment is gone.
func (k *Keeper) sleepUntil(ctx context.Context, t time.Time) error {
	tick := time.NewTicker(k.Poll)
	defer tick.Stop()
	for {
		if !k.Alive() {
			return errors.New("attachment gone")
		}
		if !time.Now().Before(t) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
