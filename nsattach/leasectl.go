package nsattach

import (
	"log/slog"

	"github.com/lanattach/lanattach/dhcp"
	"github.com/lanattach/lanattach/ledger"
)

// endLease stops the keeper of rec's lease and releases the lease from
// the slave ifname in t, before detach deletes the slave. A release that
// cannot be sent is only logged: the lease then runs out on its own.
func endLease(t *Target, ifname string, rec ledger.Record) error {
	st := dhcpOf(rec.Extra)
	if st == nil {
		return nil
	}
	if err := stopKeeper(st.Keeper, rec.ID); err != nil {
		return err
	}
	c, err := dhcp.Open(t.NS, ifname, st.options())
	if err == nil {
		err = c.Release(st.Lease)
		c.Close()
	}
	if err != nil {
		slog.Warn("could not release the DHCP lease; it runs out by itself", "address", st.Lease.Addr,
			"expires", st.Lease.Expires(), "err", err)
	}
	return nil
}

// stopRecordKeeper stops the keeper of rec, if it has one still running
// (gc: the attachment is gone or its attach was interrupted).
func stopRecordKeeper(rec ledger.Record) error {
	if st := dhcpOf(rec.Extra); st != nil {
		return stopKeeper(st.Keeper, rec.ID)
	}
	return nil
}
