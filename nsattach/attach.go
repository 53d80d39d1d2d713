package nsattach

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/dhcp"
	"github.com/lanattach/lanattach/internal/failpoint"
	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// Result describes a finished attach, as the contract prints it.
type Result struct {
	Target    TargetInfo `json:"target"`
	Interface string     `json:"interface"`
	MAC       string     `json:"mac"`
	link.Type
	Parent      string      `json:"parent"`
	VLANCreated bool        `json:"vlan_created"`
	Addresses   []string    `json:"addresses"`
	Routes      []string    `json:"routes"`
	Probe       ProbeResult `json:"probe"`
	Record      string      `json:"record"`
	Lease       *LeaseInfo  `json:"lease,omitempty"`
	HostAccess  *HostAccess `json:"host_access,omitempty"`
}

// ProbeResult says how the addresses were checked.
type ProbeResult struct {
	Mode       string      `json:"mode"`
	Result     string      `json:"result"`
	DurationMS int64       `json:"duration_ms"`
	Checks     []AddrCheck `json:"checks"`
}

// AddrCheck says which LAN check an address got: "arp" (RFC 5227 probe),
// "ndp" (lanattach's RFC 4862 DAD probe), "kernel-dad" (the kernel's DAD)
// or "none" (--probe off; the host check still ran), and how long it took
// (for --ip auto: the whole pick).
type AddrCheck struct {
	IP         netip.Addr `json:"ip"`
	Check      string     `json:"check"`
	DurationMS int64      `json:"duration_ms"`
}

// attachRun is the state of one attach: what it works on and how to undo
// what it changed so far.
type attachRun struct {
	spec       Spec
	target     *Target
	pidStart   uint64             // start time of the --pid process
	host       netlinksafe.Handle // the netns lanattach runs in
	th         netlinksafe.Handle // the target netns
	parent     link.Resolved
	name       string // final name in the target
	led        *ledger.Ledger
	rec        ledger.Record // written before each change it names
	runLock    *ledger.RunLock
	undo       undoStack
	slave      netlink.Link
	v4, v6     []netip.Prefix    // addresses to assign, static and picked
	siblings   []arpcheck.Holder // addresses of other slaves on the parent
	scan       *siblingScan      // the kernel's part of them, read in the background
	conn       arpcheck.Conn     // probe socket, kept for the announcement
	sysDir     *sysctlDir        // the target's /proc/sys/net, opened in the background
	hwIface    *net.Interface
	ndp        arpcheck.NDPConn // IPv6 DAD probe socket
	ndpIfi     *net.Interface
	hw         net.HardwareAddr
	dad        *arpcheck.DADWatch
	kernelV6   bool               // the kernel's DAD checks the static IPv6 addresses (rfc mode)
	unclaimed  []netip.Prefix     // checked, to claim in step addr
	guard      *arpcheck.NDPGuard // watches the IPv6 addresses added with NODAD
	unlock     func()             // releases the host-wide lock
	probeStart time.Time          // when the address checks began
	lease      *dhcp.Lease        // --ip dhcp
	dhcpc      *dhcp.Client       // its client, open until the run ends
	res        Result
	ha         hostAccessRun
}

// Attach checks spec against the system, records what it is about to do,
// then creates, moves, configures and checks the slave. Any failure after
// the first change, a panic included, undoes every change this run made.
func Attach(ctx context.Context, spec Spec) (res *Result, err error) {
	r := &attachRun{spec: spec}
	defer r.close()
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("internal error: %v", p)
			if r.rec.ID != "" {
				err = r.rollback(err)
			}
		}
	}()
	if err := r.preflight(); err != nil {
		return nil, err
	}
	if err := r.begin(); err != nil {
		return nil, err
	}
	if err := r.apply(ctx); err != nil {
		return nil, r.rollback(err)
	}
	return &r.res, nil
}

// rollback undoes every change and then drops the record. When an undo
// fails the record stays, so that `lanattach gc` can finish the job.
func (r *attachRun) rollback(cause error) error {
	r.releaseLock()
	if uerr := r.undo.run(); uerr != nil {
		return &RollbackError{Err: cause, Left: uerr, Record: r.rec.ID}
	}
	if err := r.led.Remove(r.rec.ID); err != nil {
		return &RollbackError{Err: cause, Left: err, Record: r.rec.ID}
	}
	return cause
}

// close releases handles, sockets and locks.
func (r *attachRun) close() {
	if r.dad != nil {
		r.dad.Close()
	}
	if r.guard != nil {
		r.guard.Stop() // before its socket closes
	}
	if r.conn != nil {
		r.conn.Close()
	}
	if r.ndp != nil {
		r.ndp.Close()
	}
	if r.dhcpc != nil {
		r.dhcpc.Close()
	}
	r.releaseLock()
	r.scan.close()
	if r.sysDir != nil {
		r.sysDir.close()
	}
	if r.runLock != nil {
		r.runLock.Release()
	}
	if r.th.Handle != nil {
		r.th.Close()
	}
	if r.host.Handle != nil {
		r.host.Close()
	}
	if r.target != nil {
		r.target.Close()
	}
}

// step is one change of an attach, named for failpoints and messages.
type step struct {
	name string
	fn   func(context.Context) error
}

// Steps names attach's steps in order, for failpoint tests.
func Steps() []string {
	var out []string
	for _, s := range (&attachRun{}).steps() {
		out = append(out, s.name)
	}
	return out
}

// KillPoints are the failpoints inside steps, where a kill leaves a
// half-made change behind: a slave or a VLAN not yet marked or renamed, a
// record half written.
var KillPoints = []string{"record.tmp", "vlan.made", "vlan.marked", "create.made", "addr.second", "route.second", "shim.made", "shim.marked"}

// DetachPoints are the failpoints of detach.
var DetachPoints = []string{"detach.removed"}

// steps are the changes of an attach, one after another. lo comes up
// last: the kernel leaves a trace of it having been up (its default
// qdisc).
func (r *attachRun) steps() []step {
	return []step{
		{"vlan", r.ensureVLAN}, {"create", r.create}, {"rename", r.rename}, {"up", r.up},
		{"probe", r.probe}, {"addr", r.addAddrs}, {"dad", r.waitDAD}, {"slaac", r.waitSLAAC},
		{"route", r.addRoutes}, {"shim", r.hostAccess}, {"announce", r.announce}, {"lo", r.loUp},
		{"alive", r.checkAlive}, {"guard", r.endGuard}, {"keep", r.keepLease}, {"done", r.finish},
	}
}

// apply makes the changes, one step after another.
func (r *attachRun) apply(ctx context.Context) error {
	for _, s := range r.steps() {
		if s.name == "vlan" && r.spec.Parent.VID == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("attach stopped before step %s: %w", s.name, err)
		}
		if err := s.fn(ctx); err != nil {
			return err
		}
		if err := failpoint.Hit(s.name); err != nil {
			return err
		}
	}
	return nil
}

// conflictErr returns a *arpcheck.ConflictError for cs, or nil.
func conflictErr(cs []arpcheck.Conflict) error {
	if len(cs) == 0 {
		return nil
	}
	return &arpcheck.ConflictError{Conflicts: cs}
}

// elapsedMS is the time since start in milliseconds.
func elapsedMS(start time.Time) int64 { return time.Since(start).Milliseconds() }
