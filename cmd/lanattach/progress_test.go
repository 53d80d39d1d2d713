package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/nsattach"
	"golang.org/x/sys/unix"
)

// openPTY returns the terminal end of a new pseudo-terminal.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestShowProgress(t *testing.T) {
	tty := openPTY(t)
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		name   string
		json   bool
		stderr io.Writer
		want   bool
	}{
		{"text on a terminal", false, tty, true},
		{"json on a terminal", true, tty, false},
		{"text into a file", false, file, false},
		{"text into a pipe or buffer", false, &bytes.Buffer{}, false},
	}
	for _, tt := range tests {
		if got := showProgress(tt.json, tt.stderr); got != tt.want {
			t.Errorf("%s: showProgress = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWaitsFor(t *testing.T) {
	tests := []struct {
		mode arpcheck.Mode
		want string // substring; "" means no wait
	}{
		{arpcheck.ModeRFC, "RFC 5227"},
		{arpcheck.ModeFast, "probing addresses"},
		{arpcheck.ModeOff, ""},
	}
	for _, tt := range tests {
		got := waitsFor(tt.mode)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("waitsFor(%s) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}

// TestAttachWait checks that an attach waiting on the LAN's DHCP server
// or router says so, and otherwise names its probing.
func TestAttachWait(t *testing.T) {
	tests := []struct {
		a    nsattach.Addrs
		mode arpcheck.Mode
		want string
	}{
		{nsattach.Addrs{DHCP: true}, arpcheck.ModeOff, "waiting for a DHCP lease"},
		{nsattach.Addrs{SLAAC: true}, arpcheck.ModeFast, "waiting for a SLAAC address"},
		{nsattach.Addrs{DHCP: true, SLAAC: true}, arpcheck.ModeRFC, "DHCP lease and a SLAAC address"},
		{nsattach.Addrs{}, arpcheck.ModeRFC, "RFC 5227"},
		{nsattach.Addrs{}, arpcheck.ModeOff, ""},
	}
	for _, tt := range tests {
		if got := attachWait(tt.a, tt.mode); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("attachWait(%+v, %s) = %q, want %q", tt.a, tt.mode, got, tt.want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgress(t *testing.T) {
	var quiet syncBuffer
	progress(&quiet, "probing", time.Hour)()
	if quiet.String() != "" {
		t.Errorf("a run shorter than one interval drew %q", quiet.String())
	}
	var w syncBuffer
	stop := progress(&w, "probing", time.Millisecond)
	for !strings.Contains(w.String(), "\rprobing: 0s") {
		time.Sleep(time.Millisecond)
	}
	stop()
	if !strings.HasSuffix(w.String(), "\r\033[K") {
		t.Errorf("stop left the line %q", w.String())
	}
}

func TestDuringQuietOffTerminal(t *testing.T) {
	var stderr bytes.Buffer
	p := &printer{stderr: &stderr}
	got, err := during(p, "probing addresses", func() (int, error) { time.Sleep(3 * time.Millisecond); return 7, nil })
	if got != 7 || err != nil || stderr.Len() != 0 {
		t.Errorf("during = %d, %v; stderr %q (want fn's result and nothing on a non-terminal)", got, err, stderr.String())
	}
}
