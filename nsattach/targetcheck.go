package nsattach

import (
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/plugins/pkg/ns"
	"golang.org/x/sys/unix"
)

// SelfNS is the file of the network namespace lanattach runs in.
const SelfNS = "/proc/self/ns/net"

// openErr explains why the target at path, given by flag, could not be
// opened: gone or not a namespace is bad input (exit 2); a permission
// failure is not, it says that root is needed (exit 1).
func openErr(flag, path string, err error) error {
	var notExist ns.NSPathNotExistErr
	var notNS ns.NSPathNotNSErr
	switch {
	case errors.As(err, &notExist) || errors.Is(err, os.ErrNotExist):
		return Inputf(flag, "%s does not exist (is the process or netns gone?)", path)
	case errors.As(err, &notNS):
		return Inputf(flag, "%s is not a network namespace: %v", path, err)
	case errors.Is(err, os.ErrPermission) || permissionDenied(path):
		return fmt.Errorf("%s %s: %w; lanattach needs root "+
			"(CAP_SYS_ADMIN to enter a netns, CAP_SYS_PTRACE for another user's process, CAP_NET_ADMIN, CAP_NET_RAW)",
			flag, path, os.ErrPermission)
	}
	return Inputf(flag, "cannot open %s as a network namespace: %v", path, err)
}

// permissionDenied reports whether looking at path is refused for lack of
// permission (the namespace library does not keep the errno).
func permissionDenied(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, os.ErrPermission)
}

// notSelf refuses a target that is the namespace lanattach runs in: the
// slave would land on the host itself. st is the target's stat.
func notSelf(flag, path string, st *unix.Stat_t) error {
	var self unix.Stat_t
	if err := unix.Stat(SelfNS, &self); err != nil {
		return fmt.Errorf("stat of %s, the netns lanattach runs in: %w", SelfNS, err)
	}
	if self.Dev == st.Dev && self.Ino == st.Ino {
		return Inputf(flag, "%s is the network namespace lanattach runs in, not a container's; name the container's netns", path)
	}
	return nil
}
