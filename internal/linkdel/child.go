package linkdel

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// child is the child's main: it deletes the device its arguments (those
// after Command) name, writes the errno of the outcome (0 for success) to
// fd 3 and returns the exit status. The namespace to delete in is its own,
// a peer's by nsid, or the one open as fd 4; it switches its thread into
// that one and never back, as it exits next.
func child(args []string) int {
	var st unix.Stat_t
	if unix.Fstat(3, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		fmt.Fprintf(os.Stderr, "%s is started by lanattach itself, with a pipe as fd 3\n", Command)
		return 2
	}
	err := deleteLink(args)
	fmt.Fprintln(os.NewFile(3, "result"), errno(err))
	if err != nil {
		return 1
	}
	return 0
}

// deleteLink sends RTM_DELLINK as args say: INDEX here|fd|nsid:N.
func deleteLink(args []string) error {
	if len(args) != 2 {
		return unix.EINVAL
	}
	index, err := strconv.Atoi(args[0])
	if err != nil || index <= 0 {
		return unix.EINVAL
	}
	req := nl.NewNetlinkRequest(unix.RTM_DELLINK, unix.NLM_F_ACK)
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Index = int32(index)
	req.AddData(msg)
	switch where := args[1]; {
	case where == "fd":
		runtime.LockOSThread() // never unlocked: the thread dies with the process
		if err := unix.Setns(4, unix.CLONE_NEWNET); err != nil {
			return err
		}
	case strings.HasPrefix(where, "nsid:"):
		nsid, err := strconv.Atoi(strings.TrimPrefix(where, "nsid:"))
		if err != nil || nsid < 0 {
			return unix.EINVAL
		}
		req.AddData(nl.NewRtAttr(unix.IFLA_TARGET_NETNSID, nl.Uint32Attr(uint32(nsid))))
	case where != "here":
		return unix.EINVAL
	}
	_, err = req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}
