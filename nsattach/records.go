package nsattach

import (
	"fmt"
	"log/slog"
	"slices"

	"github.com/lanattach/lanattach/ledger"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// RecordRoot is where the record of what lanattach made is kept.
var RecordRoot = ledger.DefaultRoot

// openLedger opens the record of the namespace lanattach runs in.
func openLedger() (*ledger.Ledger, error) {
	led, err := ledger.Open(RecordRoot)
	if err != nil {
		return nil, fmt.Errorf("opening lanattach's record: %w", err)
	}
	return led, nil
}

// recView is a record reconciled with the kernel.
type recView struct {
	ledger.Record
	// Running: the run that wrote it still runs.
	Running bool
	// Slave is the slave the record describes, nil if not found or not
	// looked for (Up).
	Slave netlink.Link
	// Up: a census saw the slave's MAC on its parent's filter, so it
	// lives; its namespace was not read.
	Up bool
	// Err says why the kernel could not be asked; then nothing else is
	// known and the record must be taken as alive.
	Err error
}

// gone reports whether the record's slave is known not to exist.
func (v recView) gone() bool { return !v.Running && v.Slave == nil && !v.Up && v.Err == nil }

// slaveName is the name of the record's slave when it is known to live:
// as the kernel shows it, or as the record has it when a census saw it up.
func (v recView) slaveName() (string, bool) {
	switch {
	case v.Slave != nil:
		return v.Slave.Attrs().Name, true
	case v.Up:
		return v.Name, true
	}
	return "", false
}

// alive reports whether the record's attachment is, or may be, in use.
func (v recView) alive() bool { return !v.gone() }

// interrupted reports whether the record is of a run that was killed (or
// failed to roll back) before it finished.
func (v recView) interrupted() bool { return !v.Running && v.State != ledger.Done }

// inspect reads every record and tells which live (inspectAlive).
func inspect(led *ledger.Ledger) ([]recView, error) {
	views, _, err := inspectCensus(led)
	return views, err
}

// inspectCensus is inspect that also returns the census it took (nil:
// none).
func inspectCensus(led *ledger.Ledger) ([]recView, *census, error) {
	recs, err := led.List()
	if err != nil && len(recs) == 0 {
		return nil, nil, err
	}
	c := aliveCensus(recs)
	views, _ := inspectDumps(led, recs, c)
	return views, c, err
}

// censusMin is how many records make a census (takeCensus) pay: it costs
// two dumps of the namespace lanattach runs in, and saves one dump per
// target whose slaves it sees up.
const censusMin = 8

// inspectAlive reconciles recs with the kernel for callers that ask only
// whether each lives: with many records, a census sees the slaves that are
// up, and only the other targets are read.
func inspectAlive(led *ledger.Ledger, recs []ledger.Record) []recView {
	out, _ := inspectDumps(led, recs, aliveCensus(recs))
	return out
}

// aliveCensus is the census of every link with recs when there are enough
// of them for it to pay (censusMin); nil otherwise.
func aliveCensus(recs []ledger.Record) *census {
	if len(recs) < censusMin {
		return nil
	}
	return censusOf(recs, 0)
}

// censusOf takes a census of the link with index ifindex (0: of every
// link) with recs; nil when it fails (the caller then reads every
// namespace).
func censusOf(recs []ledger.Record, ifindex int) *census {
	c, err := takeCensus(recs, ifindex)
	if err != nil {
		slog.Debug("no census", "err", err)
		return nil
	}
	return c
}

// inspectRecords reconciles recs with the kernel, one link dump per target
// namespace: each live record's Slave is found.
func inspectRecords(led *ledger.Ledger, recs []ledger.Record) []recView {
	out, _ := inspectDumps(led, recs, nil)
	return out
}

// inspectDumps is inspectRecords that also returns the link dumps it
// made, by nsid (only those of namespaces that live). The finished records
// whose slave census c (nil: none) saw up are marked Up, and their
// targets are not read for them.
func inspectDumps(led *ledger.Ledger, recs []ledger.Record, c *census) ([]recView, map[int][]netlink.Link) {
	up := make([]bool, len(recs))
	var nsids []int
	for i, rec := range recs {
		up[i] = rec.State == ledger.Done && c.isUp(rec)
		if nsid := rec.Target.NSID; nsid != noTarget && !up[i] && !slices.Contains(nsids, nsid) {
			nsids = append(nsids, nsid)
		}
	}
	dumps, errs := linksByNSIDs(nsids)
	out := make([]recView, 0, len(recs))
	for i, rec := range recs {
		v := recView{Record: rec}
		if v.Running, v.Err = led.RunningNow(rec); v.Err != nil {
			out = append(out, v)
			continue
		}
		nsid := rec.Target.NSID
		if nsid == noTarget {
			out = append(out, v) // a shim in making: no slave to look for
			continue
		}
		if v.Up = !v.Running && up[i]; v.Up {
			out = append(out, v)
			continue
		}
		switch e := errs[nsid]; {
		case e == errNSGone:
		case e != nil:
			v.Err = e
		default:
			v.Slave = slaveOf(dumps[nsid], rec)
		}
		out = append(out, v)
	}
	return out, dumps
}

// slaveOf returns the slave of rec: the link marked with its id, or one
// still carrying its random temporary name (made but not yet marked).
func slaveOf(links []netlink.Link, rec ledger.Record) netlink.Link {
	for _, l := range links {
		if link.SlaveID(l.Attrs().Alias) == rec.ID || (rec.TempName != "" && l.Attrs().Name == rec.TempName) {
			return l
		}
	}
	return nil
}
