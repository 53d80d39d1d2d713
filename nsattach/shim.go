package nsattach

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"

	"github.com/lanattach/lanattach/link"
	"github.com/vishvananda/netlink"
)

// Record.Extra keys of host access: the shim an attachment's host routes
// go through, and the random name the run creates it under before it is
// marked and renamed.
const (
	extraShim     = "shim"
	extraShimTemp = "shim_temp_name"
)

// HostAccess is what --host-access made: the shim, the host routes to the
// slave's addresses through it, their source addresses and the shim's
// reverse-path filter.
type HostAccess struct {
	Shim     string   `json:"shim"`
	Created  bool     `json:"shim_created"`
	Routes   []string `json:"routes"`
	Sources  []string `json:"sources"`
	RPFilter string   `json:"rp_filter"`
}

// hostAccessRun is the host-access part of an attach.
type hostAccessRun struct {
	name     string       // the shim's name
	src4     netip.Addr   // source of the IPv4 routes
	src6     netip.Addr   // source of the IPv6 routes
	borrowed []netip.Addr // host IPv6 addresses the shim proxies
}

// hostAccess makes (or reuses) the shim of the parent and routes the
// slave's addresses through it, under the host-wide lock so that no
// detach or gc deletes the shim meanwhile. The record names the shim (and
// the temporary name it is made under) before it is made.
func (r *attachRun) hostAccess(ctx context.Context) error {
	if !r.spec.HostAccess {
		return nil
	}
	return r.locked(ctx, func() error {
		l, created, err := r.ensureShim()
		if err != nil {
			return err
		}
		ha := &HostAccess{Shim: l.Attrs().Name, Created: created, Routes: []string{}, Sources: []string{}}
		cfg := &undoStack{}
		r.undo.push("shim-config", "settings of shim "+ha.Shim, func() error { return r.undoShimConfig(ha.Shim, cfg) })
		if ha.RPFilter, err = configureShim(r.host, cfg, l, r.spec.ShimIPs); err != nil {
			return err
		}
		if err := addProxies(r.host, cfg, l, r.ha.borrowed); err != nil {
			return err
		}
		for _, src := range []netip.Addr{r.ha.src4, r.ha.src6} {
			if src.IsValid() {
				ha.Sources = append(ha.Sources, src.String())
			}
		}
		r.res.HostAccess = ha
		return r.addShimRoutes(l)
	})
}

// ensureShim returns the parent's shim, made now if there is none.
func (r *attachRun) ensureShim() (netlink.Link, bool, error) {
	p := r.spec.Parent.Name()
	l, err := link.FindShim(r.host, "--host-access", p, r.ha.name)
	if err != nil || l != nil {
		if l != nil {
			r.rec.Extra = withExtra(r.rec.Extra, extraShim, l.Attrs().Name)
			err = r.save()
		}
		return l, false, asInput(err)
	}
	tmp, err := tempName("las")
	if err != nil {
		return nil, false, err
	}
	r.rec.Extra = withExtra(withExtra(r.rec.Extra, extraShim, r.ha.name), extraShimTemp, tmp)
	if err := r.save(); err != nil {
		return nil, false, err
	}
	l, err = link.CreateShim(r.host, r.parent.Link, tmp, r.ha.name, false)
	if err != nil {
		return nil, false, err
	}
	r.undo.push("shim", "create shim "+r.ha.name, func() error { return r.dropShim(l) })
	return l, true, nil
}

// undoShimConfig reverts what this run set on the shim (settings,
// addresses, proxy entries) unless another attachment uses the shim by
// now: it may rely on them.
func (r *attachRun) undoShimConfig(name string, cfg *undoStack) error {
	return r.locked(context.Background(), func() error {
		views, err := inspect(r.led)
		if err != nil {
			return err
		}
		if why := shimUse(views, name, r.rec.ID); why != "" {
			slog.Info("keeping the shim's settings", "shim", name, "why", why)
			return nil
		}
		return cfg.run()
	})
}

// dropShim undoes the creation of shim l unless another attachment uses
// it by now.
func (r *attachRun) dropShim(l netlink.Link) error {
	return r.locked(context.Background(), func() error {
		_, _, err := deleteUnusedShims(r.led, func(_, name string) bool { return name == l.Attrs().Name }, r.rec.ID, seen{})
		return err
	})
}

// addShimRoutes adds a host route through the shim to each address of the
// slave.
func (r *attachRun) addShimRoutes(l netlink.Link) error {
	for _, s := range r.res.Addresses {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("address %q: %w", s, err)
		}
		src := r.ha.src4
		if p.Addr().Is6() {
			src = r.ha.src6
		}
		rt := shimRoute(l, p.Addr(), src)
		if err := r.host.RouteAdd(rt); err != nil {
			return fmt.Errorf("adding host route to %s via shim %s: %w", p.Addr(), l.Attrs().Name, err)
		}
		r.undo.push("shim-route", "route to "+p.Addr().String(), func() error { return r.host.RouteDel(rt) })
		r.res.HostAccess.Routes = append(r.res.HostAccess.Routes,
			fmt.Sprintf("%s dev %s src %s", netip.PrefixFrom(p.Addr(), p.Addr().BitLen()), l.Attrs().Name, src))
	}
	return nil
}

// withExtra returns m with key set to val, making m if it is nil.
func withExtra(m map[string]string, key, val string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[key] = val
	return m
}
