package nsattach

import (
	"slices"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestShareOut: every item goes to exactly one part, whatever the count.
func TestShareOut(t *testing.T) {
	for _, tc := range []struct{ count, per int }{{0, 1}, {1, 32}, {5, 1}, {1000, 32}, {2073, 256}} {
		seen := make([]int, tc.count)
		shareOut(tc.count, tc.per, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++ // parts are disjoint: no two goroutines write one item
			}
		})
		if i := slices.IndexFunc(seen, func(n int) bool { return n != 1 }); i >= 0 {
			t.Errorf("count %d, per %d: item %d seen %d times", tc.count, tc.per, i, seen[i])
		}
	}
}

// TestScanOpenFailure: a namespace that went (its path is gone) is left
// out, one that cannot be opened for another reason fails the scan: a
// namespace left unread could hide a slave.
func TestScanOpenFailure(t *testing.T) {
	for _, tc := range []struct {
		path     string
		wantFail bool
	}{
		{"/nonexistent-lanattach-test/ns", false},
		{"/proc/self/stat/ns", true}, // ENOTDIR
	} {
		reads := readNamespaces([]TargetInfo{{Path: tc.path, Inode: 1}}, nil, 0)
		if gone := reads[0].gone(); gone == tc.wantFail {
			t.Errorf("%s: gone %v (err %v), want %v", tc.path, gone, reads[0].err, !tc.wantFail)
		}
		_, err := eachNamespaceIn([]TargetInfo{{Path: tc.path, Inode: 1}}, nil, func(*nsView) error { return nil })
		if (err != nil) != tc.wantFail {
			t.Errorf("%s: scan error %v, want failure %v", tc.path, err, tc.wantFail)
		}
	}
}

// TestScanByNSID: a namespace the host has no id for is read through a
// handle bound to it, one it has an id for through that id, with the same
// links; one whose inode and id a record names is left to the record.
func TestScanByNSID(t *testing.T) {
	tg := scratchTarget(t)
	ti := tg.Info()
	names := func(known map[uint64]int) ([]string, map[int]TargetInfo) {
		var got []string
		skipped, err := eachNamespaceIn([]TargetInfo{ti}, known, func(v *nsView) error {
			for _, l := range v.Links {
				got = append(got, l.Attrs().Name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return got, skipped
	}
	if r := readNamespaces([]TargetInfo{ti}, nil, 0)[0]; r.nsid >= 0 {
		t.Fatalf("a new netns has an nsid already (%d)", r.nsid)
	}
	byHandle, _ := names(nil)
	nsid := giveNSID(t, tg)
	r := readNamespaces([]TargetInfo{ti}, nil, 0)[0]
	if r.nsid != nsid || r.links == nil {
		t.Fatalf("read with nsid %d: got nsid %d, %d links (err %v)", nsid, r.nsid, len(r.links), r.err)
	}
	byID, _ := names(nil)
	if !slices.Equal(byHandle, byID) || !slices.Contains(byID, "v0") {
		t.Errorf("links through a handle %v, through nsid %d %v; want the same, with v0", byHandle, nsid, byID)
	}
	if got, skipped := names(map[uint64]int{ti.Inode: nsid}); len(got) != 0 || skipped[nsid].Inode != ti.Inode {
		t.Errorf("known namespace: read %v, left to the record %v; want none read, it left", got, skipped)
	}
}

// TestNSDumperReuse: one dumper answers an nsid that names no namespace
// with errNSGone and then reads a live one's links and addresses.
func TestNSDumperReuse(t *testing.T) {
	nsid := giveNSID(t, scratchTarget(t))
	d, err := newNSDumper()
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	if _, err := d.links(1 << 30); err != errNSGone {
		t.Errorf("links of an unused nsid: %v, want errNSGone", err)
	}
	for range 2 {
		links, err := d.links(nsid)
		if err != nil || !slices.ContainsFunc(links, func(l netlink.Link) bool { return l.Attrs().Name == "v0" }) {
			t.Fatalf("links of nsid %d: %d links, %v; want v0 among them", nsid, len(links), err)
		}
		if _, err := addrsByNSID(d, nsid); err != nil {
			t.Fatalf("addresses of nsid %d: %v", nsid, err)
		}
	}
}

// giveNSID gives tg an id in the namespace the test runs in and returns it.
func giveNSID(t *testing.T, tg *Target) int {
	t.Helper()
	h, err := HostHandle()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	nsid, err := targetNSID(h, int(tg.NS.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return nsid
}
