package tests

import (
	"os"
	"syscall"
	"testing"
)

// writeExec writes an executable file that a test runs soon after. It
// holds syscall.ForkLock while the file is open for writing: a child that
// a parallel test forks meanwhile would hold the write fd until its own
// exec, and running the file then fails with ETXTBSY, "text file busy"
// (golang/go#22315), which libcni's retry of the same exec.Cmd turns into
// "exec: already started".
func writeExec(t testing.TB, path string, data []byte) {
	t.Helper()
	syscall.ForkLock.Lock()
	err := os.WriteFile(path, data, 0o755)
	syscall.ForkLock.Unlock()
	if err != nil {
		t.Fatal(err)
	}
}
