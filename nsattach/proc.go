package nsattach

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procStart returns when process pid started, in clock ticks since boot
// (field 22 of /proc/PID/stat): a pid and its start time name one process,
// even after the pid is reused. A process that exited (a zombie) is gone.
func procStart(pid int) (uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("reading process %d: %w", pid, err)
	}
	return parseStart(string(data))
}

// parseStart reads the start time from the text of /proc/PID/stat. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from its last ')'.
func parseStart(stat string) (uint64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat %q", stat)
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state), so field 22 is f[19].
	if len(f) < 20 {
		return 0, fmt.Errorf("malformed /proc stat %q", stat)
	}
	if f[0] == "Z" || f[0] == "X" {
		return 0, fmt.Errorf("process exited")
	}
	return strconv.ParseUint(f[19], 10, 64)
}
