package nsattach

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
)

// KeeperCommand is the hidden command that keeps one attachment's lease:
// `lanattach __dhcp-keeper --record ID`.
const KeeperCommand = "__dhcp-keeper"

// slaveMAC is the MAC the slave is made with: --mac, or with --mac stable
// one derived from the parent's MAC and --mac-seed, recorded first.
func (r *attachRun) slaveMAC() (net.HardwareAddr, error) {
	if r.spec.Dynamic.MACSeed == "" {
		return r.spec.MAC, nil
	}
	mac := link.StableMAC(r.parent.Link.Attrs().HardwareAddr, r.spec.Dynamic.MACSeed)
	r.rec.MAC = mac.String()
	return mac, r.save()
}

// keepLease writes --resolv-conf and starts the process that keeps the
// lease (renews it until detach, or until the attachment goes away).
func (r *attachRun) keepLease(context.Context) error {
	if r.lease == nil {
		return nil
	}
	if err := r.writeResolvConf(); err != nil {
		return err
	}
	st := dhcpOf(r.rec.Extra)
	pid, err := startKeeper(r.led, r.rec.ID)
	if err != nil {
		return fmt.Errorf("starting the DHCP keeper for %s: %w", r.name, err)
	}
	r.undo.push("keeper", "keeper pid "+strconv.Itoa(pid), func() error { return stopKeeper(pid, r.rec.ID) })
	st.Keeper = pid
	r.res.Lease = leaseInfo(st)
	return r.saveDHCP(st)
}

// startKeeper starts `lanattach __dhcp-keeper --record id --log-level
// info` detached: its own session, no terminal, stdin and stdout on
// /dev/null, its log (stderr) appended to the record's log file, no
// failpoints.
func startKeeper(led *ledger.Ledger, id string) (int, error) {
	log, err := os.OpenFile(led.LogPath(id), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("opening the keeper's log: %w", err)
	}
	defer log.Close()
	cmd := exec.Command("/proc/self/exe", "--log-level", "info", KeeperCommand, "--record", id)
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LANATTACH_FAILPOINT") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	go cmd.Wait() // reap it should it exit while this run lives
	return pid, nil
}

// isKeeper reports whether pid is the keeper of record id.
func isKeeper(pid int, id string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	return keeperArgs(strings.Split(strings.TrimRight(string(b), "\x00"), "\x00"), id)
}

// keeperArgs reports whether args (a command line) start the keeper of
// record id: they end with `__dhcp-keeper --record ID` (with `--log-level
// info` before since keepers log, not in older ones).
func keeperArgs(args []string, id string) bool {
	n := len(args)
	return n >= 4 && args[n-3] == KeeperCommand && args[n-2] == "--record" && args[n-1] == id
}

// stopKeeper ends the keeper pid of record id, if it still runs, and
// waits for it to be gone: SIGTERM, then SIGKILL for a keeper that hangs
// (or was stopped).
func stopKeeper(pid int, id string) error {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		if pid <= 0 || !isKeeper(pid, id) {
			return nil
		}
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("stopping DHCP keeper %d: %w", pid, err)
		}
		for range keeperStopPolls {
			if !isKeeper(pid, id) || zombie(pid) {
				return nil
			}
			time.Sleep(keeperStopPoll)
		}
	}
	return fmt.Errorf("DHCP keeper %d of record %s did not stop", pid, id)
}

// keeperStopPolls and keeperStopPoll bound the wait for a keeper to stop
// after each signal.
const (
	keeperStopPolls = 60
	keeperStopPoll  = 50 * time.Millisecond
)

// zombie reports whether pid has exited but is not yet reaped.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z'
}
