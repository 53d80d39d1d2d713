package nsattach

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NetnsDir is where `ip netns add` keeps named network namespaces.
var NetnsDir = "/run/netns"

// TargetSpec names a target network namespace: exactly one of PID, Name or
// Path is set.
type TargetSpec struct {
	PID  int    `json:"pid,omitempty"`
	Name string `json:"netns,omitempty"`
	Path string `json:"path,omitempty"`
}

// Validate checks that exactly one target is given and that a netns name
// is a plain name. It does not look at the file system.
func (s TargetSpec) Validate() error {
	n := 0
	for _, set := range []bool{s.PID != 0, s.Name != "", s.Path != ""} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return Inputf("", "no target: give exactly one of --pid, --netns or --netns-path")
	case n > 1:
		return Inputf("", "more than one target: give exactly one of --pid, --netns or --netns-path")
	case s.PID < 0:
		return Inputf("--pid", "%d is not a process id", s.PID)
	case s.Name != "" && (s.Name == "." || strings.Contains(s.Name, "/") || strings.Contains(s.Name, "..") || !link.Printable(s.Name)):
		return Inputf("--netns", "%q is not a plain netns name (no '/', '..', white space or non-printable bytes)", s.Name)
	}
	return nil
}

// NSPath is the file that holds the target's network namespace.
func (s TargetSpec) NSPath() string {
	switch {
	case s.PID != 0:
		return "/proc/" + strconv.Itoa(s.PID) + "/ns/net"
	case s.Name != "":
		return NetnsDir + "/" + s.Name
	default:
		return s.Path
	}
}

// Target is an open handle on a target network namespace. The namespace is
// held by file descriptor until Close.
type Target struct {
	Spec  TargetSpec
	NS    ns.NetNS
	Inode uint64
}

// OpenTarget validates spec and opens the namespace it names. A missing
// process, netns name or path is bad input (*InputError).
func OpenTarget(spec TargetSpec) (*Target, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	path := spec.NSPath()
	n, err := ns.GetNS(path)
	if err != nil {
		return nil, openErr(flagOf(spec), path, err)
	}
	if typ, err := unix.IoctlRetInt(int(n.Fd()), unix.NS_GET_NSTYPE); err != nil || typ != unix.CLONE_NEWNET {
		n.Close()
		return nil, Inputf(flagOf(spec), "%s is not a network namespace", path)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(n.Fd()), &st); err != nil {
		n.Close()
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if err := notSelf(flagOf(spec), path, &st); err != nil {
		n.Close()
		return nil, err
	}
	return &Target{Spec: spec, NS: n, Inode: st.Ino}, nil
}

// Handle returns a netlink handle bound to the target namespace. The caller
// closes it.
func (t *Target) Handle() (netlinksafe.Handle, error) {
	return handleAt(netns.NsHandle(t.NS.Fd()), t.String())
}

// Do runs fn on a locked OS thread switched into the target namespace. The
// thread is thrown away if switching back fails. fn must not start
// goroutines.
func (t *Target) Do(fn func() error) error {
	return t.NS.Do(func(ns.NetNS) error { return fn() })
}

// Close releases the namespace file descriptor.
func (t *Target) Close() error { return t.NS.Close() }

// String describes the target for messages, e.g. "pid 1234" or "netns web".
func (t *Target) String() string { return t.Spec.String() }

// String describes the spec for messages.
func (s TargetSpec) String() string {
	switch {
	case s.PID != 0:
		return "pid " + strconv.Itoa(s.PID)
	case s.Name != "":
		return "netns " + s.Name
	default:
		return "netns path " + s.Path
	}
}

// Info identifies the target in output.
func (t *Target) Info() TargetInfo {
	return TargetInfo{PID: t.Spec.PID, Name: t.Spec.Name, Path: t.Spec.NSPath(), Inode: t.Inode}
}

// flagOf names the flag that gave the target.
func flagOf(s TargetSpec) string {
	switch {
	case s.PID != 0:
		return "--pid"
	case s.Name != "":
		return "--netns"
	default:
		return "--netns-path"
	}
}
