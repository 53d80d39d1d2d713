package nsattach

import (
	"os"
	"testing"
)

// TestDeleteByNSIDGone: deleting a slave whose namespace or link went
// between the listing and the delete (a CNI DEL racing the container's
// exit) succeeds; a live link is deleted.
func TestDeleteByNSIDGone(t *testing.T) {
	nsid := giveNSID(t, scratchTarget(t))
	links, err := linksByNSID(nil, nsid)
	if err != nil {
		t.Fatal(err)
	}
	v0 := -1
	for _, l := range links {
		if l.Attrs().Name == "v0" {
			v0 = l.Attrs().Index
		}
	}
	if v0 < 0 {
		t.Fatalf("no v0 among %d links of nsid %d", len(links), nsid)
	}
	for _, c := range []struct {
		name          string
		nsid, ifindex int
	}{
		{"namespace gone", 1 << 30, v0},
		{"link gone", nsid, 1 << 30},
		{"live link", nsid, v0},
		{"deleted twice", nsid, v0},
	} {
		if err := deleteByNSID(c.nsid, c.ifindex); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if links, _ := linksByNSID(nil, nsid); len(links) != 1 {
		t.Errorf("nsid %d has %d links after deleting v0, want lo only", nsid, len(links))
	}
}

// TestGoneByNSIDOneSocket: the looks of a delete's poll share one netlink
// socket (a socket per look before), and done closes it.
func TestGoneByNSIDOneSocket(t *testing.T) {
	nsid := giveNSID(t, scratchTarget(t))
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	before := fds()
	gone, done := goneByNSID(nsid, 1<<30)
	for range 5 {
		if ok, err := gone(); !ok || err != nil {
			t.Fatalf("gone() = %v, %v for a link that does not exist", ok, err)
		}
	}
	if n := fds(); n != before+1 {
		t.Errorf("%d fds open while polling, want %d (one socket)", n, before+1)
	}
	done()
	if n := fds(); n != before {
		t.Errorf("%d fds open after done, want %d", n, before)
	}
}
