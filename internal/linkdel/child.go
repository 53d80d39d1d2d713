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

// sockFD is the child's end of its socket.
const sockFD = 3

// child is the child's main: it reads its request from fd 3, deletes the
// device it names, writes the errno of the outcome (0 for success) back
// and returns the exit status. A socket closed before any request ends it
// with 0: its caller deleted nothing.
func child(args []string) int {
	var st unix.Stat_t
	if len(args) != 0 || unix.Fstat(sockFD, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		fmt.Fprintf(os.Stderr, "%s is started by lanattach itself, with a socket as fd 3\n", Command)
		return 2
	}
	buf, oob := make([]byte, 64), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(sockFD, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil || n == 0 {
		return 0
	}
	nsfd := -1
	if fds := rights(oob[:oobn]); len(fds) == 1 {
		nsfd = fds[0]
	}
	err = deleteLink(strings.Fields(string(buf[:n])), nsfd)
	unix.Write(sockFD, []byte(strconv.Itoa(errno(err))))
	if err != nil {
		return 1
	}
	return 0
}

// rights returns the fds passed in the control message oob.
func rights(oob []byte) []int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil || len(msgs) != 1 {
		return nil
	}
	fds, _ := unix.ParseUnixRights(&msgs[0])
	return fds
}

// deleteLink sends RTM_DELLINK as args say: INDEX here|fd|nsid:N, with
// "fd" the namespace open as nsfd. For "fd" it switches its thread into
// that namespace and never back, as the child exits next.
func deleteLink(args []string, nsfd int) error {
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
	case where == "fd" && nsfd >= 0:
		runtime.LockOSThread() // never unlocked: the thread dies with the process
		if err := unix.Setns(nsfd, unix.CLONE_NEWNET); err != nil {
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
