package linkdel

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	RunIfChild()
	os.Exit(m.Run())
}

// scratch makes a named netns holding veth v0/v1 and macvlan m0 on v0,
// deleted on cleanup, and returns it open with a handle in it.
func scratch(t *testing.T) (*os.File, *netlink.Handle) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a network namespace; `make test` runs as root")
	}
	name := "ltdel" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	for _, args := range [][]string{
		{"netns", "add", name},
		{"-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"-n", name, "link", "add", "m0", "link", "v0", "type", "macvlan", "mode", "bridge"},
		{"-n", name, "link", "set", "m0", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	h, err := netlink.NewHandleAt(netns.NsHandle(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return f, h
}

// goneIn reports whether index has left the namespace of h.
func goneIn(h *netlink.Handle, index int) func() (bool, error) {
	return func() (bool, error) {
		_, err := h.LinkByIndex(index)
		var nf netlink.LinkNotFoundError
		return errors.As(err, &nf), nil
	}
}

func TestDelete(t *testing.T) {
	f, h := scratch(t)
	m0, err := h.LinkByName("m0")
	if err != nil {
		t.Fatal(err)
	}
	polls := 0
	gone := goneIn(h, m0.Attrs().Index)
	err = Delete(Request{NS: f, NSID: -1, Index: m0.Attrs().Index}, func() (bool, error) { polls++; return gone() })
	if err != nil {
		t.Fatalf("Delete m0: %v", err)
	}
	if ok, _ := gone(); !ok {
		t.Fatal("m0 is still there after Delete")
	}
	// The parent has no upper left once the delete is through: v0 can go.
	v0, err := h.LinkByName("v0")
	if err != nil {
		t.Fatal(err)
	}
	if err := Delete(Request{NS: f, NSID: -1, Index: v0.Attrs().Index}, goneIn(h, v0.Attrs().Index)); err != nil {
		t.Fatalf("Delete v0: %v", err)
	}
	t.Logf("m0 gone after %d polls", polls)
}

// TestDeleteOutlivesCaller: a caller that stops waiting (gone reports the
// link gone at the first look, long before the child has even started, as
// when the caller is killed) leaves the delete to the child, which still
// makes it.
func TestDeleteOutlivesCaller(t *testing.T) {
	f, h := scratch(t)
	m0, err := h.LinkByName("m0")
	if err != nil {
		t.Fatal(err)
	}
	r := Request{NS: f, NSID: -1, Index: m0.Attrs().Index}
	if err := Delete(r, func() (bool, error) { return true, nil }); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	gone := goneIn(h, r.Index)
	deadline := time.Now().Add(10 * time.Second)
	for ok, _ := gone(); !ok; ok, _ = gone() {
		if time.Now().After(deadline) {
			t.Fatal("the child never deleted m0")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeleteErrors(t *testing.T) {
	f, h := scratch(t)
	never := func() (bool, error) { return false, nil }
	failing := func() (bool, error) { return false, errors.New("cannot look") }
	for _, tc := range []struct {
		name string
		r    Request
		gone func() (bool, error)
		want error
	}{
		{"no such link", Request{NS: f, NSID: -1, Index: 99999}, never, unix.ENODEV},
		{"no such link, gone fails", Request{NS: f, NSID: -1, Index: 99999}, failing, unix.ENODEV},
		{"no such nsid", Request{NSID: 1 << 30, Index: 1}, never, unix.EINVAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Delete(tc.r, tc.gone); !errors.Is(err, tc.want) {
				t.Fatalf("Delete: %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := h.LinkByName("m0"); err != nil {
		t.Fatalf("m0 must be untouched: %v", err)
	}
}

func TestChildArgs(t *testing.T) {
	for _, args := range [][]string{nil, {"1"}, {"x", "here"}, {"0", "here"}, {"-3", "here"}, {"1", "there"},
		{"1", "nsid:"}, {"1", "nsid:-1"}, {"1", "nsid:x"}, {"1", "here", "extra"}, {"1", "fd"}} {
		if err := deleteLink(args, -1); !errors.Is(err, unix.EINVAL) {
			t.Errorf("deleteLink(%q) = %v, want EINVAL", args, err)
		}
	}
}

func TestRequestString(t *testing.T) {
	f := os.NewFile(0, "x")
	for _, tc := range []struct {
		r    Request
		want string
	}{
		{Request{NSID: -1, Index: 4}, "4 here"},
		{Request{NSID: 7, Index: 4}, "4 nsid:7"},
		{Request{NS: f, NSID: 7, Index: 4}, "4 fd"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.r, got, tc.want)
		}
	}
}

// TestChildNeedsSocket runs the child by hand, as a user might: with
// arguments, or without a socket as fd 3, it refuses, writing nothing to
// whatever fd 3 is.
func TestChildNeedsSocket(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "fd3")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	defer wr.Close()
	sock := socketpair(t)
	for _, tc := range []struct {
		args  []string
		extra []*os.File
	}{{nil, nil}, {nil, []*os.File{f}}, {nil, []*os.File{wr}}, {[]string{"99999", "here"}, []*os.File{sock[1]}}} {
		cmd := exec.Command("/proc/self/exe", append([]string{Command}, tc.args...)...)
		cmd.ExtraFiles = tc.extra
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("args %q, %d extra files: %v, want exit 2", tc.args, len(tc.extra), err)
		}
	}
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("the child wrote %d bytes to a regular file as fd 3", st.Size())
	}
}

// socketpair returns both ends of a unix seqpacket socket, closed on cleanup.
func socketpair(t *testing.T) [2]*os.File {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := [2]*os.File{os.NewFile(uintptr(fds[0]), "a"), os.NewFile(uintptr(fds[1]), "b")}
	t.Cleanup(func() { s[0].Close(); s[1].Close() })
	return s
}
