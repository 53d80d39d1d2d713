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
// reads every namespace. isUp holds only for macvlan records seen up.
func TestCensusScope(t *testing.T) {
	self := TargetInfo{Path: selfPath, Inode: 1}
	c := &census{up: map[upKey]bool{macKey(t, 2, "02:00:00:00:00:0c"): true}, unexplained: map[int]bool{7: true}}
	if got := c.scope(self, 2); len(got) != 1 || got[0] != self {
		t.Errorf("scope of link 2 (explained) = %v, want only the namespace lanattach runs in", got)
	}
	for name, got := range map[string][]TargetInfo{"every link": c.scope(self), "link 7": c.scope(self, 7), "no census": (*census)(nil).scope(self)} {
		if len(got) == 1 && got[0] == self {
			t.Errorf("scope of %s = only the namespace lanattach runs in, want every namespace", name)
		}
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
