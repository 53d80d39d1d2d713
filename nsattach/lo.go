package nsattach

import (
	"fmt"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// loDownAt brings lo down in the namespace at path, if that is still the
// namespace with nsfs inode ino, for the rollback of an interrupted attach
// that brought it up.
func loDownAt(path string, ino uint64) error {
	fd, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer fd.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(fd), &st); err != nil || st.Ino != ino {
		return fmt.Errorf("%s is no longer the namespace attached to", path)
	}
	h, err := handleAt(fd, path)
	if err != nil {
		return err
	}
	defer h.Close()
	lo, err := h.LinkByName("lo")
	if err != nil {
		return err
	}
	return setLoDown(h, lo)
}
