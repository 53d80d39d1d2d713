package nsattach

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lanattach/lanattach/ledger"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// macKey is the key of mac (text) on lower, for tests.
func macKey(t *testing.T, lower int, mac string) upKey {
	t.Helper()
	hw, err := net.ParseMAC(mac)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := keyOf(lower, hw)
	if !ok {
		t.Fatalf("no key for %s", mac)
	}
	return k
}

// TestExplainedBy: the filter entries a census takes as accounted for.
func TestExplainedBy(t *testing.T) {
	hw := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	links := []netlink.Link{
		&netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Index: 5, ParentIndex: 2, NetNsID: -1, HardwareAddr: hw("02:00:00:00:00:0a")}},
		&netlink.Macvlan{LinkAttrs: netlink.LinkAttrs{Index: 6, ParentIndex: 2, NetNsID: 3, HardwareAddr: hw("02:00:00:00:00:0d")}},
		&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: 2, NetNsID: -1, HardwareAddr: hw("02:00:00:00:00:02")}},
	}
	recs := []ledger.Record{
		{ParentIndex: 5, MAC: "02:00:00:00:00:0b"}, // on the VLAN: its lower's filter has it too
		{ParentIndex: 2, MAC: "02:00:00:00:00:0c"},
		{ParentIndex: 2, MAC: "not a mac"},
	}
	got := explainedBy(links, recs)
	for _, tc := range []struct {
		lower int
		mac   string
		want  bool
	}{
		{2, "02:00:00:00:00:0a", true},  // the VLAN itself
		{5, "02:00:00:00:00:0b", true},  // a record on the VLAN
		{2, "02:00:00:00:00:0b", true},  // ... passed down to the base
		{2, "02:00:00:00:00:0c", true},  // a record on the base
		{5, "02:00:00:00:00:0c", false}, // not on the VLAN
		{2, "02:00:00:00:00:0d", false}, // a link of another namespace: what the census is for
		{2, "02:00:00:00:00:02", false}, // the base's own MAC is never on its filter
	} {
		if got[macKey(t, tc.lower, tc.mac)] != tc.want {
			t.Errorf("%s on link %d: explained %v, want %v", tc.mac, tc.lower, !tc.want, tc.want)
		}
	}
}

// TestCensusScope: a census sends a scan back to every namespace only for
// an unexplained entry on the links it asks about; without a census it
// reads every namespace. When it covers them, the scan sees the host's
// links as the census read them. isUp holds only for macvlan records seen
// up.
func TestCensusScope(t *testing.T) {
	host := []netlink.Link{&netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: 2, Name: "p0", NetNsID: -1}}}
	c := &census{up: map[upKey]bool{macKey(t, 2, "02:00:00:00:00:0c"): true}, host: host, unexplained: map[int]bool{7: true}}
	if !c.covers(2) {
		t.Error("covers(2) = false, want true: link 2 is explained")
	}
	for name, covers := range map[string]bool{"every link": c.covers(), "link 7": c.covers(7), "no census": (*census)(nil).covers(2)} {
		if covers {
			t.Errorf("covers %s = true, want false", name)
		}
	}
	var seen []*nsView
	skipped, err := c.walk(nil, func(v *nsView) error { seen = append(seen, v); return nil }, 2)
	if err != nil || len(skipped) != 0 || len(seen) != 1 || !seen[0].IsHost || seen[0].Info.Path != SelfNS || len(seen[0].Links) != 1 {
		t.Errorf("walk of link 2: views %+v, skipped %v, %v; want only the host's, with the census's links", seen, skipped, err)
	}
	for _, tc := range []struct {
		rec  ledger.Record
		want bool
	}{
		{ledger.Record{Kind: "macvlan", ParentIndex: 2, MAC: "02:00:00:00:00:0c"}, true},
		{ledger.Record{Kind: "macvlan", ParentIndex: 3, MAC: "02:00:00:00:00:0c"}, false},
		{ledger.Record{Kind: "ipvlan", ParentIndex: 2, MAC: "02:00:00:00:00:0c"}, false},
		{ledger.Record{Kind: "macvlan", ParentIndex: 2, MAC: ""}, false},
	} {
		if got := c.isUp(tc.rec); got != tc.want {
			t.Errorf("isUp(%+v) = %v, want %v", tc.rec, got, tc.want)
		}
	}
	if (*census)(nil).isUp(ledger.Record{Kind: "macvlan", ParentIndex: 2, MAC: "02:00:00:00:00:0c"}) {
		t.Error("no census: isUp true")
	}
}

// TestRecordTarget: a record's target gets the name or pid a scan would
// give it, from its path, only while the path leads to the recorded
// namespace.
func TestRecordTarget(t *testing.T) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	self := "/proc/" + strconv.Itoa(os.Getpid()) + "/ns/net"
	named := filepath.Join(NetnsDir, "lanattach-no-such-netns")
	for _, tc := range []struct {
		in   ledger.Target
		want TargetInfo
	}{
		{ledger.Target{Path: self, Inode: st.Ino}, TargetInfo{Path: self, Inode: st.Ino, PID: os.Getpid()}},
		{ledger.Target{Path: self, Inode: st.Ino + 1}, TargetInfo{Path: self, Inode: st.Ino + 1}},                 // another namespace now
		{ledger.Target{Path: self, Inode: st.Ino, PID: 7}, TargetInfo{Path: self, Inode: st.Ino, PID: 7}},         // the record has it
		{ledger.Target{Path: named, Inode: st.Ino, Name: "x"}, TargetInfo{Path: named, Inode: st.Ino, Name: "x"}}, // the record has it
		{ledger.Target{Path: named, Inode: st.Ino}, TargetInfo{Path: named, Inode: st.Ino}},                       // gone
	} {
		if got := recordTarget(tc.in); got != tc.want {
			t.Errorf("recordTarget(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
