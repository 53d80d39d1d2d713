package nsattach

import (
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
