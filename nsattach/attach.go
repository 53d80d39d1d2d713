package nsattach

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/arpcheck"
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
}

// ProbeResult says how the addresses were checked.
type ProbeResult struct {
	Mode       string `json:"mode"`
	Result     string `json:"result"`
	DurationMS int64  `json:"duration_ms"`
}

// attachRun is the state of one attach: what it works on and how to undo
// what it changed so far.
type attachRun struct {
	spec       Spec
	target     *Target
	host       netlinksafe.Handle // the netns lanattach runs in
	th         netlinksafe.Handle // the target netns
	parent     link.Resolved
	name       string // final name in the target
	undo       undoStack
	slave      netlink.Link
	v4, v6     []netip.Prefix    // addresses to assign, static and picked
	siblings   []arpcheck.Holder // addresses of other slaves on the parent
	conn       arpcheck.Conn     // probe socket, kept for the announcement
	hwIface    *net.Interface
	ndp        arpcheck.NDPConn // IPv6 DAD probe socket
	ndpIfi     *net.Interface
	hw         net.HardwareAddr
	dad        *arpcheck.DADWatch
	unlock     func()    // releases the host-wide lock
	probeStart time.Time // when the address checks began
	res        Result
}

// Attach checks spec against the system, then creates, moves, configures
// and checks the slave. Any failure after the first change undoes every
// change this run made.
func Attach(ctx context.Context, spec Spec) (*Result, error) {
	r := &attachRun{spec: spec}
	defer r.close()
	if err := r.preflight(); err != nil {
		return nil, err
	}
	if err := r.apply(ctx); err != nil {
		if uerr := r.undo.run(); uerr != nil {
			return nil, fmt.Errorf("%w; rollback incomplete, clean up by hand: %w", err, uerr)
		}
		return nil, err
	}
	return &r.res, nil
}

// close releases handles, sockets and locks.
func (r *attachRun) close() {
	if r.dad != nil {
		r.dad.Close()
	}
	if r.conn != nil {
		r.conn.Close()
	}
	if r.ndp != nil {
		r.ndp.Close()
	}
	if r.unlock != nil {
		r.unlock()
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

// apply makes the changes, one step after another. lo comes up last: the
// kernel leaves a trace of it having been up (its default qdisc).
func (r *attachRun) apply(ctx context.Context) error {
	steps := []step{
		{"vlan", r.ensureVLAN}, {"create", r.create}, {"mac", r.setMAC}, {"mtu", r.setMTU},
		{"rename", r.rename}, {"mark", r.mark}, {"up", r.up},
		{"probe", r.probe}, {"addr", r.addAddrs}, {"dad", r.waitDAD}, {"route", r.addRoutes},
		{"announce", r.announce}, {"lo", r.loUp}, {"done", nil},
	}
	for _, s := range steps {
		if s.name == "vlan" && r.spec.Parent.VID == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("attach stopped before step %s: %w", s.name, err)
		}
		if s.fn != nil {
			if err := s.fn(ctx); err != nil {
				return err
			}
		}
		if err := failpoint(s.name); err != nil {
			return err
		}
	}
	return nil
}

// loadSiblings reads the addresses of the other slaves on the parent, for
// the host check. A VLAN parent not created yet has none.
func (r *attachRun) loadSiblings() error {
	if r.parent.Link == nil {
		r.siblings = nil
		return nil
	}
	var err error
	if r.siblings, err = Siblings(r.parent.Link.Attrs().Index); err != nil {
		return fmt.Errorf("listing sibling slaves of %s: %w", r.spec.Parent.Name(), err)
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
