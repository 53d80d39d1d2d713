package dhcp

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestKeeperStops: the keeper ends when its attachment is gone, when it
// is stopped, and (with ErrExpired) when its lease ran out; it opens no
// client for any of these.
func TestKeeperStops(t *testing.T) {
	now := time.Now()
	fresh := &Lease{Obtained: now, Seconds: 120, T1: 60, T2: 105}
	expired := &Lease{Obtained: now.Add(-time.Hour), Seconds: 120, T1: 60, T2: 105}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		lease *Lease
		alive bool
		want  error
	}{
		{"attachment gone", context.Background(), fresh, false, nil},
		{"stopped", canceled, fresh, true, nil},
		{"lease expired", context.Background(), expired, true, ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := &Keeper{Lease: tt.lease, Poll: 10 * time.Millisecond, Alive: func() bool { return tt.alive },
				Open:    func() (*Client, error) { t.Fatal("opened a client"); return nil, nil },
				Renewed: func(*Lease) error { t.Fatal("renewed"); return nil },
				Logf:    t.Logf}
			done := make(chan error, 1)
			go func() { done <- k.Run(tt.ctx) }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
					t.Errorf("Run = %v, want %v", err, tt.want)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("Run did not return")
			}
		})
	}
}
