package nsattach

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// netSysctls reads and writes the network sysctls of the namespace the
// calling thread is in through one open /proc/sys/net. Every namespace has
// its own entry "net" under /proc/sys, and each path looked up from
// /proc/sys compares them all: on a host with 200 namespaces that is some
// 25 µs a lookup, so the directory is looked up once per batch of keys.
type netSysctls struct{ fd int }

// openNetSysctls opens /proc/sys/net of the calling thread's namespace;
// call it (and the methods) from a thread that stays there.
func openNetSysctls() (netSysctls, error) {
	fd, err := unix.Open("/proc/sys/net", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return netSysctls{}, &os.PathError{Op: "open", Path: "/proc/sys/net", Err: err}
	}
	return netSysctls{fd: fd}, nil
}

// close releases the directory.
func (s netSysctls) close() { unix.Close(s.fd) }

// set writes val to key (a path below /proc/sys/net, such as
// "ipv4/conf/eth1/arp_notify"). A missing key is an error that
// os.IsNotExist recognises.
func (s netSysctls) set(key, val string) error {
	fd, err := unix.Openat(s.fd, key, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/proc/sys/net/" + key, Err: err}
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(val)); err != nil {
		return &os.PathError{Op: "write", Path: "/proc/sys/net/" + key, Err: err}
	}
	return nil
}

// get reads key, trimmed.
func (s netSysctls) get(key string) (string, error) {
	fd, err := unix.Openat(s.fd, key, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", &os.PathError{Op: "open", Path: "/proc/sys/net/" + key, Err: err}
	}
	defer unix.Close(fd)
	var buf [64]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return "", &os.PathError{Op: "read", Path: "/proc/sys/net/" + key, Err: err}
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

// sysctlDir is /proc/sys/net of a target, opened in the background from
// the preflight on: in a namespace made long before, on a host with many,
// that one lookup takes a good part of a millisecond, and it needs nothing
// the attach makes (the slave's keys are looked up below it later).
type sysctlDir struct {
	done chan struct{}
	s    netSysctls
	err  error
}

// openSysctlDir starts opening /proc/sys/net of t.
func openSysctlDir(t *Target) *sysctlDir {
	d := &sysctlDir{done: make(chan struct{})}
	go func() {
		defer close(d.done)
		d.err = t.Do(func() error {
			var err error
			d.s, err = openNetSysctls()
			return err
		})
	}()
	return d
}

// errNoSysctlDir: a step that sets sysctls ran without the preflight.
var errNoSysctlDir = errors.New("internal error: the target's sysctls were not opened")

// wait returns the open directory, which stays open until close; use it
// from a thread in the target.
func (d *sysctlDir) wait() (netSysctls, error) {
	if d == nil {
		return netSysctls{}, errNoSysctlDir
	}
	<-d.done
	return d.s, d.err
}

// close waits for the directory and closes it.
func (d *sysctlDir) close() {
	if s, err := d.wait(); err == nil {
		s.close()
	}
}
