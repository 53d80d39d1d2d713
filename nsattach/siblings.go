package nsattach

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/lanattach/lanattach/arpcheck"
)

// recordSiblings returns the addresses that the record gives to slaves on
// the interface with index parent and that may be in use: those of runs
// still going, of attachments whose slave lives (wherever its namespace
// is), and of those the kernel could not be asked about.
func recordSiblings(parent int) ([]arpcheck.Holder, error) {
	led, err := openLedger()
	if err != nil {
		return nil, err
	}
	views, err := inspect(led)
	if err != nil {
		return nil, fmt.Errorf("reading the record: %w", err)
	}
	var out []arpcheck.Holder
	for _, v := range views {
		if v.ParentIndex != parent || !v.alive() {
			continue
		}
		mac, _ := net.ParseMAC(v.MAC)
		for _, a := range v.Addresses {
			if p, err := netip.ParsePrefix(a); err == nil {
				out = append(out, arpcheck.Holder{IP: p.Addr(), MAC: mac,
					Detail: v.Name + " in " + v.Target.Path + " (record " + v.ID + ")"})
			}
		}
	}
	return out, nil
}

// loadSiblings reads the addresses of the other slaves on the parent for
// the host check: from the record only (cheap, for the preflight), or with
// every namespace the kernel shows (under the lock, the final check). A
// VLAN parent not created yet has none.
func (r *attachRun) loadSiblings(withKernel bool) error {
	r.siblings = nil
	if r.parent.Link == nil {
		return nil
	}
	idx := r.parent.Link.Attrs().Index
	var err error
	if withKernel {
		r.siblings, err = Siblings(idx)
	} else {
		r.siblings, err = recordSiblings(idx)
	}
	if err != nil {
		return fmt.Errorf("listing sibling slaves of %s: %w", r.spec.Parent.Name(), err)
	}
	return nil
}
