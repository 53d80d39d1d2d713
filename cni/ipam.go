package cni

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
)

// ipam runs the delegated IPAM plugin of a network configuration.
type ipam struct {
	typ    string
	conf   []byte // the network configuration as the runtime gave it
	cniVer string
	path   string // CNI_PATH
	extra  string // CNI_ARGS
	prev   types.Result
}

// newIPAM returns the IPAM of c, or nil when c has none.
func newIPAM(c *NetConf, data []byte, args *skel.CmdArgs) *ipam {
	if c.IPAM.Type == "" {
		return nil
	}
	return &ipam{typ: c.IPAM.Type, conf: data, cniVer: c.CNIVersion, path: args.Path, extra: args.Args, prev: c.PrevResult}
}

// exec runs the IPAM plugin for args.Command. ADD, DEL and CHECK go out
// at the network's version first; a plugin that refuses that version (and
// any plugin for GC and STATUS, which older plugins do not know) is asked
// for its versions and gets the configuration at the highest one it speaks
// up to the network's, prevResult converted (Debian's plugins stop at
// 1.0.0). A plugin that speaks no version from minVer on is skipped
// (nil, nil): only ADD must not be skipped.
func (p *ipam) exec(ctx context.Context, minVer string, args *invoke.Args, result bool) (types.Result, error) {
	path, err := invoke.FindInPath(p.typ, filepath.SplitList(p.path))
	if err != nil {
		return nil, fmt.Errorf("ipam %q: %w", p.typ, err)
	}
	run := func(conf []byte) (types.Result, error) {
		if result {
			return invoke.ExecPluginWithResult(ctx, path, conf, args, nil)
		}
		return nil, invoke.ExecPluginWithoutResult(ctx, path, conf, args, nil)
	}
	var te *types.Error
	if old, _ := version.GreaterThan("1.1.0", minVer); old {
		r, err := run(p.conf)
		if !errors.As(err, &te) || te.Code != types.ErrIncompatibleCNIVersion {
			return r, err
		}
	}
	conf, err := p.confFor(ctx, path, minVer)
	if err != nil || conf == nil {
		return nil, err
	}
	return run(conf)
}

// confFor is the configuration at the highest version the plugin at path
// speaks from minVer up to the network's, nil if there is none.
func (p *ipam) confFor(ctx context.Context, path, minVer string) ([]byte, error) {
	info, err := invoke.GetVersionInfo(ctx, path, nil)
	if err != nil {
		return nil, fmt.Errorf("ipam %q: asking its versions: %w", p.typ, err)
	}
	best := ""
	for _, v := range info.SupportedVersions() {
		le, _ := version.GreaterThanOrEqualTo(p.cniVer, v)
		ge, _ := version.GreaterThanOrEqualTo(v, minVer)
		if newer, _ := version.GreaterThan(v, best); le && ge && (best == "" || newer) {
			best = v
		}
	}
	switch best {
	case "":
		return nil, nil
	case p.cniVer:
		return p.conf, nil
	}
	var m map[string]any
	if err := json.Unmarshal(p.conf, &m); err != nil {
		return nil, err
	}
	m["cniVersion"] = best
	if p.prev != nil { // CHECK: prevResult at the version given
		if m["prevResult"], err = p.prev.GetAsVersion(best); err != nil {
			return nil, fmt.Errorf("prevResult for ipam %q: %w", p.typ, err)
		}
	}
	return json.Marshal(m)
}

// args are the CNI variables for command cmd on attachment (id, ifname).
func (p *ipam) args(cmd, id, netns, ifname string) *invoke.Args {
	return &invoke.Args{Command: cmd, ContainerID: id, NetNS: netns, IfName: ifname,
		PluginArgsStr: p.extra, Path: p.path}
}

// add allocates addresses for the attachment.
func (p *ipam) add(ctx context.Context, args *skel.CmdArgs) (*current.Result, error) {
	r, err := p.exec(ctx, "0.1.0", p.args("ADD", args.ContainerID, args.Netns, args.IfName), true)
	if err == nil && r == nil {
		err = fmt.Errorf("speaks no CNI version up to %s", p.cniVer)
	}
	if err != nil {
		return nil, fmt.Errorf("ipam %q: %w", p.typ, err)
	}
	res, err := current.NewResultFromResult(r)
	if err != nil {
		return nil, fmt.Errorf("ipam %q result: %w", p.typ, err)
	}
	if len(res.IPs) == 0 {
		return nil, fmt.Errorf("ipam %q gave no address", p.typ)
	}
	return res, nil
}

// allocation is an IPAM ADD running in the background.
type allocation struct {
	done chan struct{}
	res  *current.Result
	err  error
}

// start runs add in the background.
func (p *ipam) start(ctx context.Context, args *skel.CmdArgs) *allocation {
	a := &allocation{done: make(chan struct{})}
	go func() {
		a.res, a.err = p.add(ctx, args)
		close(a.done)
	}()
	return a
}

// wait waits for the allocation and returns its result.
func (a *allocation) wait() (*current.Result, error) {
	<-a.done
	return a.res, a.err
}

// del releases the addresses of attachment (id, ifname).
func (p *ipam) del(ctx context.Context, id, netns, ifname string) error {
	return p.noResult(ctx, "0.1.0", p.args("DEL", id, netns, ifname))
}

// noResult runs a command without a result; a plugin that does not speak
// minVer (CHECK, GC, STATUS are newer than some IPAM plugins) is skipped.
func (p *ipam) noResult(ctx context.Context, minVer string, args *invoke.Args) error {
	if _, err := p.exec(ctx, minVer, args, false); err != nil {
		return fmt.Errorf("ipam %q %s: %w", p.typ, args.Command, err)
	}
	return nil
}

// release is del after a failed ADD: its own failure is added to cause.
func (p *ipam) release(ctx context.Context, args *skel.CmdArgs, cause error) error {
	if p == nil {
		return cause
	}
	if err := p.del(ctx, args.ContainerID, args.Netns, args.IfName); err != nil {
		var te *types.Error
		msg := fmt.Sprintf("%v; releasing the IPAM allocation failed too: %v", cause, err)
		if e, ok := cause.(*types.Error); ok {
			te = types.NewError(e.Code, msg, e.Details)
		} else {
			te = types.NewError(CodeFailed, msg, "")
		}
		return te
	}
	return cause
}
