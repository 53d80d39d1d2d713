package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/nsattach"
	"golang.org/x/sys/unix"
)

// progressEvery is how often the progress line is redrawn; the first time
// after one interval, so quick runs show nothing.
const progressEvery = time.Second

// showProgress decides whether a long operation shows progress on stderr:
// only for people (never with -o json) and only on a terminal.
func showProgress(json bool, stderr io.Writer) bool { return !json && isTerminal(stderr) }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// waitsFor names the wait of a run probing in mode; "" when it has none.
// In fast mode the wait is the window (both address families share it),
// which shows only when --probe-timeout makes it long.
func waitsFor(mode arpcheck.Mode) string {
	switch mode {
	case arpcheck.ModeRFC:
		return "probing addresses (RFC 5227 timing)"
	case arpcheck.ModeFast:
		return "probing addresses"
	}
	return ""
}

// attachWait names the wait of an attach: a DHCP lease or a SLAAC
// address (seconds on a real LAN) before the probing.
func attachWait(a nsattach.Addrs, mode arpcheck.Mode) string {
	switch {
	case a.DHCP && a.SLAAC:
		return "waiting for a DHCP lease and a SLAAC address"
	case a.DHCP:
		return "waiting for a DHCP lease"
	case a.SLAAC:
		return "waiting for a SLAAC address"
	}
	return waitsFor(mode)
}

// during runs fn and, when there is a wait to show (what) and
// showProgress allows it, shows "what: Ns" on p's stderr meanwhile; the
// line is cleared before fn's result is returned and printed.
func during[T any](p *printer, what string, fn func() (T, error)) (T, error) {
	if what == "" || !showProgress(p.json, p.stderr) {
		return fn()
	}
	stop := progress(p.stderr, what, progressEvery)
	defer stop()
	return fn()
}

// progress redraws "what: Ns" on w every interval until stop is called,
// which clears the line if it was drawn.
func progress(w io.Writer, what string, every time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		drawn := false
		for {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case now := <-tick.C:
				fmt.Fprintf(w, "\r%s: %ds", what, int(now.Sub(start).Seconds()))
				drawn = true
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
