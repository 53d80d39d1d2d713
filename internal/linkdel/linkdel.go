// Package linkdel deletes a network device without making its caller wait
// for the kernel to free it.
//
// The kernel takes a device out of its namespace's link table as soon as
// RTM_DELLINK arrives, but the task that sent the request then waits in
// rcu_barrier() for an RCU grace period (15–25 ms on a small machine)
// before the netlink ack comes back. Delete hands the request to a child
// process (the binary itself, run as `BINARY __linkdel`) and returns as
// soon as the device has left its table: its name, its MAC and its place
// on the parent are free by then. The child waits out the grace period and
// exits on its own; a kill of the caller does not stop it.
//
// Prestart starts the next delete's child ahead, so that its start-up
// runs alongside the caller's own work.
package linkdel

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Command is the hidden first argument that makes the binary the child:
// `BINARY __linkdel`, with one end of a unix seqpacket socket as fd 3.
// The child reads its request from the socket ("INDEX here|fd|nsid:N",
// the namespace's fd passed with "fd"), deletes and writes the errno of
// the outcome back; a socket closed with no request ends it.
const Command = "__linkdel"

// RunIfChild runs the child and exits when the process was started as one
// (os.Args[1] is Command); otherwise it returns at once. main, and
// TestMain of every package whose tests delete through Delete, call it
// first: the child is /proc/self/exe.
func RunIfChild() {
	if len(os.Args) > 1 && os.Args[1] == Command {
		os.Exit(child(os.Args[2:]))
	}
}

// pollEvery is how often Delete looks whether the device has left its
// table while the child runs.
const pollEvery = 250 * time.Microsecond

// Request names the device to delete: the one with ifindex Index in the
// namespace NS (an open netns file) or, when NS is nil, in the peer
// namespace whose id in the caller's namespace is NSID, or in the caller's
// own namespace when NSID is negative.
type Request struct {
	NS    *os.File
	NSID  int
	Index int
}

// String is the request as the child reads it.
func (r Request) String() string {
	where := "here"
	switch {
	case r.NS != nil:
		where = "fd"
	case r.NSID >= 0:
		where = "nsid:" + strconv.Itoa(r.NSID)
	}
	return strconv.Itoa(r.Index) + " " + where
}

// Delete deletes the device r names and returns once gone reports that it
// has left its table, or once the child has the kernel's answer. It uses
// the child Prestart started, if one waits, and starts one otherwise. An
// error the kernel returns comes back wrapping its errno (unix.ENODEV: no
// such device). An error from gone only stops the polling: Delete then
// waits for the kernel's answer.
func Delete(r Request, gone func() (bool, error)) error {
	c := takeSpare()
	if c == nil {
		var err error
		if c, err = startChild(); err != nil {
			return fmt.Errorf("deleting link %d: %w", r.Index, err)
		}
	}
	if err := c.send(r); err != nil {
		c.stop()
		return fmt.Errorf("deleting link %d: handing the request to %s: %w", r.Index, Command, err)
	}
	done := make(chan error, 1)
	go func() { done <- c.result(r) }()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
		}
		if ok, err := gone(); err != nil {
			return <-done
		} else if ok {
			return nil
		}
	}
}

// result reads the child's answer to r: the errno of the delete, 0 when
// it succeeded. It owns the socket: the child's answer is read even when
// Delete returned before it (so the child never writes to a closed socket).
func (c *proc) result(r Request) error {
	out, _ := io.ReadAll(c.sock)
	c.sock.Close()
	werr := c.cmd.Wait()
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	switch {
	case err != nil:
		return fmt.Errorf("%s for link %s gave no answer (%v)", Command, r, werr)
	case n != 0:
		return fmt.Errorf("deleting link %s: %w", r, unix.Errno(n))
	}
	return nil
}

// errno is the errno that err wraps, EIO for an error without one.
func errno(err error) int {
	var en unix.Errno
	switch {
	case err == nil:
		return 0
	case errors.As(err, &en):
		return int(en)
	}
	return int(unix.EIO)
}
