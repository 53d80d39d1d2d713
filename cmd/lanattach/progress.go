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

// waitsFor names the long wait of a run probing in mode, with IPv6
// addresses (kernel DAD) or not; "" when it has none.
func waitsFor(mode arpcheck.Mode, v6 bool) string {
	switch {
	case mode == arpcheck.ModeRFC:
		return "probing addresses (RFC 5227 timing)"
	case mode != arpcheck.ModeOff && v6:
		return "waiting for IPv6 duplicate address detection"
	}
	return ""
}

// hasV6 reports whether an attach assigns IPv6 addresses.
func hasV6(a nsattach.Addrs) bool {
	for _, p := range a.Static {
		if p.Addr().Is6() {
			return true
		}
	}
	for _, p := range a.Auto {
		if p.Subnet.Addr().Is6() {
			return true
		}
	}
	return false
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
