package nsattach

import (
	"context"
	"errors"
	"fmt"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// Detached is what Detach removed.
type Detached struct {
	Target       TargetInfo `json:"target"`
	Interfaces   []string   `json:"interfaces"`
	VLANsDeleted []string   `json:"vlans_deleted"`
}

// Detach deletes the slaves lanattach made in the target (only name, when
// not empty), then every VLAN lanattach made that those slaves sat on and
// that nothing uses any more. A name that is not a lanattach slave is bad
// input; no slave at all is not an error.
func Detach(ctx context.Context, spec TargetSpec, name string) (*Detached, error) {
	t, err := OpenTarget(spec)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	th, err := t.Handle()
	if err != nil {
		return nil, err
	}
	defer th.Close()
	slaves, err := markedSlaves(th, t, name)
	if err != nil {
		return nil, err
	}
	d := &Detached{Target: t.Info(), Interfaces: []string{}, VLANsDeleted: []string{}}
	parents := map[string]bool{}
	for _, l := range slaves {
		if err := th.LinkDel(l); err != nil {
			return d, fmt.Errorf("deleting %s in %s: %w", l.Attrs().Name, t, err)
		}
		d.Interfaces = append(d.Interfaces, l.Attrs().Name)
		p, _ := link.SlaveParent(l.Attrs().Alias)
		parents[p] = true
	}
	if len(parents) == 0 {
		return d, nil
	}
	d.VLANsDeleted, err = deleteUnusedVLANs(ctx, func(name string) bool { return parents[name] })
	return d, err
}

// markedSlaves returns the lanattach slaves in the target, only the one
// called name when name is set.
func markedSlaves(th netlinksafe.Handle, t *Target, name string) ([]netlink.Link, error) {
	if name != "" {
		l, err := th.LinkByName(name)
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, Inputf("--name", "no interface %s in %s", name, t)
		}
		if err != nil {
			return nil, fmt.Errorf("looking up %s in %s: %w", name, t, err)
		}
		if _, ok := link.SlaveParent(l.Attrs().Alias); !ok {
			return nil, Inputf("--name", "%s in %s was not made by lanattach; not deleting it", name, t)
		}
		return []netlink.Link{l}, nil
	}
	links, err := th.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links in %s: %w", t, err)
	}
	var out []netlink.Link
	for _, l := range links {
		if _, ok := link.SlaveParent(l.Attrs().Alias); ok {
			out = append(out, l)
		}
	}
	return out, nil
}
