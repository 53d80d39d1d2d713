package ledger

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// dirent is a directory entry: a name and the inode it links to.
type dirent struct {
	name string
	ino  uint64
}

// readDir lists the directory dir with each entry's inode, which
// os.ReadDir does not give without a stat per entry.
func readDir(dir string) ([]dirent, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("reading records in %s: %w", dir, err)
	}
	defer unix.Close(fd)
	var out []dirent
	buf := make([]byte, 16<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading records in %s: %w", dir, err)
		}
		if n == 0 {
			return out, nil
		}
		out = parseDirents(buf[:n], out)
	}
}

// parseDirents appends the entries of buf, what getdents64 returned, to
// out; "." and ".." are left out, and a truncated entry ends the parse.
func parseDirents(buf []byte, out []dirent) []dirent {
	const nameAt = 19 // d_ino (8), d_off (8), d_reclen (2), d_type (1)
	for len(buf) >= nameAt {
		reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
		if reclen < nameAt || reclen > len(buf) {
			return out
		}
		name := buf[nameAt:reclen]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		if s := string(name); s != "." && s != ".." {
			out = append(out, dirent{name: s, ino: binary.NativeEndian.Uint64(buf[:8])})
		}
		buf = buf[reclen:]
	}
	return out
}
