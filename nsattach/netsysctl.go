package nsattach

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// netSysctls reads and writes the network sysctls of the namespace the
// calling thread is in through its open /proc/sys/net/ipv4 and ipv6. Every
// namespace has its own entries "ipv4" and "ipv6" under the one
// /proc/sys/net, and each path looked up through them compares them all:
// on a host with 200 namespaces that is some 25 µs a lookup (more the
// first time), so each is looked up once per batch of keys.
type netSysctls struct {
	dirs [2]int   // ipv4, ipv6; -1 when not open
	errs [2]error // why not
}

// sysctlFamilies are the directories netSysctls opens, in order.
var sysctlFamilies = [2]string{"ipv4", "ipv6"}

// openNetSysctls opens /proc/sys/net/ipv4 and ipv6 of the calling
// thread's namespace (ipv6 is missing where IPv6 is off: then its keys
// are); call it (and the methods) from a thread that stays there.
func openNetSysctls() netSysctls {
	var s netSysctls
	for i, fam := range sysctlFamilies {
		path := "/proc/sys/net/" + fam
		fd, err := unix.Open(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		s.dirs[i] = fd
		if err != nil {
			s.dirs[i], s.errs[i] = -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
	}
	return s
}

// close releases the directories.
func (s netSysctls) close() {
	for _, fd := range s.dirs {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// openKey opens key, a path below /proc/sys/net such as
// "ipv4/conf/eth1/arp_notify", with flags. A missing key is an error that
// os.IsNotExist recognises.
func (s netSysctls) openKey(key string, flags int) (int, error) {
	for i, fam := range sysctlFamilies {
		rest, ok := strings.CutPrefix(key, fam+"/")
		if !ok {
			continue
		}
		if s.dirs[i] < 0 {
			return -1, s.errs[i]
		}
		fd, err := unix.Openat(s.dirs[i], rest, flags|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: "/proc/sys/net/" + key, Err: err}
		}
		return fd, nil
	}
	return -1, &os.PathError{Op: "open", Path: "/proc/sys/net/" + key, Err: unix.EINVAL}
}

// set writes val to key (a path below /proc/sys/net).
func (s netSysctls) set(key, val string) error {
	fd, err := s.openKey(key, unix.O_WRONLY)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(val)); err != nil {
		return &os.PathError{Op: "write", Path: "/proc/sys/net/" + key, Err: err}
	}
	return nil
}

// get reads key, trimmed.
func (s netSysctls) get(key string) (string, error) {
	fd, err := s.openKey(key, unix.O_RDONLY)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	var buf [64]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil {
		return "", &os.PathError{Op: "read", Path: "/proc/sys/net/" + key, Err: err}
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

// sysctlDir is the netSysctls of a target, opened in the background from
// the preflight on: in a namespace made long before, on a host with many,
// those two lookups take a good part of a millisecond, and they need
// nothing the attach makes (the slave's keys are looked up below them
// later).
type sysctlDir struct {
	done chan struct{}
	s    netSysctls
	err  error
}

// openSysctlDir starts opening the netSysctls of t.
func openSysctlDir(t *Target) *sysctlDir {
	d := &sysctlDir{done: make(chan struct{})}
	go func() {
		defer close(d.done)
		d.err = t.Do(func() error {
			d.s = openNetSysctls()
			return nil
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
		return netSysctls{dirs: [2]int{-1, -1}}, errNoSysctlDir
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
