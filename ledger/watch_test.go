package ledger

import (
	"encoding/binary"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWatch: a Watch hears of every change to the records but those of
// its own run and of the index, and stays changed once it heard one.
func TestWatch(t *testing.T) {
	rec := func(id string) *Record {
		return &Record{ID: id, State: Done, Created: time.Unix(1, 0).UTC(), Addresses: []string{"198.51.100.7/24"}}
	}
	put := func(id string) func(*testing.T, *Ledger) {
		return func(t *testing.T, l *Ledger) {
			if err := l.Put(rec(id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	claim := func(id string) func(*testing.T, *Ledger) {
		return func(t *testing.T, l *Ledger) {
			rl, err := l.Claim(id)
			if err != nil {
				t.Fatal(err)
			}
			rl.Release()
		}
	}
	remove := func(id string) func(*testing.T, *Ledger) {
		return func(t *testing.T, l *Ledger) {
			if err := l.Remove(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	index := func(t *testing.T, l *Ledger) {
		fresh(t, l)
		if _, err := os.Stat(l.dir + "/" + indexName); err != nil {
			t.Fatalf("no index written: %v", err)
		}
	}
	cases := []struct {
		name   string
		before func(*testing.T, *Ledger) // ahead of the watch
		change func(*testing.T, *Ledger)
		own    string
		want   bool
	}{
		{"nothing", nil, func(*testing.T, *Ledger) {}, "aa", false},
		{"own record written", nil, put("aa"), "aa", false},
		{"own run lock taken and released", nil, claim("aa"), "aa", false},
		{"own record removed", put("aa"), remove("aa"), "aa", false},
		{"index written", func(t *testing.T, l *Ledger) { putN(t, l, indexMin+1) }, index, "", false},
		{"another record written", nil, put("bb"), "aa", true},
		{"another run lock", nil, claim("bb"), "aa", true},
		{"another record removed", put("bb"), remove("bb"), "aa", true},
		{"no own run given", nil, put("aa"), "", true},
		{"directory gone", nil, func(t *testing.T, l *Ledger) { os.RemoveAll(l.dir) }, "aa", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := tmpfsLedger(t)
			if tc.before != nil {
				tc.before(t, l)
			}
			w, err := l.Watch()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			tc.change(t, l)
			if got := w.Changed(tc.own); got != tc.want {
				t.Fatalf("Changed(%q) = %v, want %v", tc.own, got, tc.want)
			}
			if tc.want && !w.Changed(tc.own) {
				t.Fatal("a second Changed forgot the change")
			}
		})
	}
}

// TestWatchEnded: a nil or closed Watch vouches for nothing.
func TestWatchEnded(t *testing.T) {
	var none *Watch
	if !none.Changed("aa") {
		t.Fatal("a nil Watch reports no change")
	}
	w, err := tmpfsLedger(t).Watch()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	w.Close()
	if !w.Changed("aa") {
		t.Fatal("a closed Watch reports no change")
	}
}

// event encodes an inotify event with mask and name, padded as the kernel
// pads names.
func event(mask uint32, name string) []byte {
	b := make([]byte, unix.SizeofInotifyEvent)
	n := (len(name) + 1 + 15) / 16 * 16
	binary.NativeEndian.PutUint32(b[4:8], mask)
	binary.NativeEndian.PutUint32(b[12:16], uint32(n))
	return append(b, append([]byte(name), make([]byte, n-len(name))...)...)
}

// TestEventsChange: which events are a change for the run of record aa.
func TestEventsChange(t *testing.T) {
	cases := []struct {
		name string
		buf  []byte
		want bool
	}{
		{"none", nil, false},
		{"own files", append(append(event(unix.IN_MOVED_TO, "aa.json"), event(unix.IN_CREATE, ".aa.tmp")...), event(unix.IN_DELETE, "aa.run")...), false},
		{"index", append(event(unix.IN_CREATE, ".index-123"), event(unix.IN_MOVED_TO, "index")...), false},
		{"another record", append(event(unix.IN_MOVED_TO, "aa.json"), event(unix.IN_MOVED_TO, "bb.json")...), true},
		{"prefix of own", event(unix.IN_MOVED_TO, "aa.jsonx"), true},
		{"queue overflow", event(unix.IN_Q_OVERFLOW, ""), true},
		{"watch removed", event(unix.IN_IGNORED, ""), true},
		{"truncated header", event(unix.IN_MOVED_TO, "aa.json")[:10], true},
		{"truncated name", event(unix.IN_MOVED_TO, "aa.json")[:unix.SizeofInotifyEvent+4], true},
	}
	for _, tc := range cases {
		if got := eventsChange(tc.buf, "aa"); got != tc.want {
			t.Errorf("%s: eventsChange = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzEventsChange: any bytes parse without a panic, and bytes that are
// not whole events are a change.
func FuzzEventsChange(f *testing.F) {
	f.Add(event(unix.IN_MOVED_TO, "aa.json"), "aa")
	f.Add(event(unix.IN_MOVED_TO, "bb.json")[:20], "aa")
	f.Fuzz(func(t *testing.T, buf []byte, own string) {
		if len(buf) > 0 && len(buf) < unix.SizeofInotifyEvent && !eventsChange(buf, own) {
			t.Fatalf("a truncated event (%d bytes) is no change", len(buf))
		}
	})
}
