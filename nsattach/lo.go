package nsattach

import (
	"log/slog"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// loDownAt brings lo down in the namespace at path, if that is still the
// namespace with nsfs inode ino, for the rollback of an interrupted attach
// that brought it up. When the path leads nowhere or elsewhere (the
// target's process is gone), lo is left alone: no other namespace may be
// touched.
func loDownAt(path string, ino uint64) error {
	fd, err := netns.GetFromPath(path)
	if err != nil {
		slog.Info("leaving lo alone: the target is gone", "path", path, "err", err)
		return nil
	}
	defer fd.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(fd), &st); err != nil || st.Ino != ino {
		slog.Info("leaving lo alone: the path leads to another netns now", "path", path)
		return nil
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
