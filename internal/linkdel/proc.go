package linkdel

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// proc is a started child and the caller's end of its socket.
type proc struct {
	cmd  *exec.Cmd
	sock *os.File
}

// startChild starts a child that waits for its request.
func startChild() (*proc, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket for %s: %w", Command, err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), Command), os.NewFile(uintptr(fds[1]), Command)
	cmd := exec.Command("/proc/self/exe", Command)
	cmd.Env = []string{"GOMAXPROCS=1"} // one thread does its work: it starts faster, and takes less from its caller
	cmd.ExtraFiles = []*os.File{theirs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // a terminal's ^C is for the caller
	err = cmd.Start()
	theirs.Close()
	if err != nil {
		mine.Close()
		return nil, fmt.Errorf("starting %s: %w", Command, err)
	}
	return &proc{cmd: cmd, sock: mine}, nil
}

// send hands r to the child, with the namespace's fd when r has one.
func (c *proc) send(r Request) error {
	var oob []byte
	if r.NS != nil {
		oob = unix.UnixRights(int(r.NS.Fd()))
	}
	return unix.Sendmsg(int(c.sock.Fd()), []byte(r.String()), oob, nil, unix.MSG_NOSIGNAL)
}

// stop ends a child that has no request: it reads the closed socket and
// exits. Its exit is reaped in the background.
func (c *proc) stop() {
	c.sock.Close()
	go c.cmd.Wait()
}

// spare is the child Prestart started, until a Delete takes it.
var spare struct {
	sync.Mutex
	c *proc
}

// Prestart starts the child of the next Delete now, so that its start-up
// overlaps the caller's work until that Delete; without a Delete, the
// returned stop ends it (so does the caller's exit). When a child waits
// already, Prestart leaves it to its starter and stop does nothing. A
// child that fails to start is left to Delete, which starts its own and
// reports the error.
func Prestart() (stop func()) {
	spare.Lock()
	defer spare.Unlock()
	if spare.c != nil {
		return func() {}
	}
	c, err := startChild()
	if err != nil {
		return func() {}
	}
	spare.c = c
	return func() {
		spare.Lock()
		defer spare.Unlock()
		if spare.c == c {
			spare.c = nil
			c.stop()
		}
	}
}

// takeSpare returns the child Prestart started and forgets it, nil when
// none waits.
func takeSpare() *proc {
	spare.Lock()
	defer spare.Unlock()
	c := spare.c
	spare.c = nil
	return c
}
