package cni

import (
	"context"
	"encoding/json"
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

// plugin finds the IPAM binary in CNI_PATH and the configuration to give
// it: at the network's version when the plugin speaks it, else at the
// highest older version it speaks (Debian's plugins stop at 1.0.0), with
// prevResult converted to it. ok is
// false when it speaks none the network's command needs (minVer).
func (p *ipam) plugin(ctx context.Context, minVer string) (path string, conf []byte, ok bool, err error) {
	path, err = invoke.FindInPath(p.typ, filepath.SplitList(p.path))
	if err != nil {
		return "", nil, false, fmt.Errorf("ipam %q: %w", p.typ, err)
	}
	info, err := invoke.GetVersionInfo(ctx, path, nil)
	if err != nil {
		return "", nil, false, fmt.Errorf("ipam %q: asking its versions: %w", p.typ, err)
	}
	best := ""
	for _, v := range info.SupportedVersions() {
		le, _ := version.GreaterThanOrEqualTo(p.cniVer, v)
		ge, _ := version.GreaterThanOrEqualTo(v, minVer)
		if newer, _ := version.GreaterThan(v, best); le && ge && (best == "" || newer) {
			best = v
		}
	}
	if best == "" {
		return path, nil, false, nil
	}
	if best == p.cniVer {
		return path, p.conf, true, nil
	}
	var m map[string]any
	if err := json.Unmarshal(p.conf, &m); err != nil {
		return "", nil, false, err
	}
	m["cniVersion"] = best
	if p.prev != nil { // CHECK: prevResult at the version given
		if m["prevResult"], err = p.prev.GetAsVersion(best); err != nil {
			return "", nil, false, fmt.Errorf("prevResult for ipam %q: %w", p.typ, err)
		}
	}
	conf, err = json.Marshal(m)
	return path, conf, err == nil, err
}

// args are the CNI variables for command cmd on attachment (id, ifname).
func (p *ipam) args(cmd, id, netns, ifname string) *invoke.Args {
	return &invoke.Args{Command: cmd, ContainerID: id, NetNS: netns, IfName: ifname,
		PluginArgsStr: p.extra, Path: p.path}
}

// add allocates addresses for the attachment.
func (p *ipam) add(ctx context.Context, args *skel.CmdArgs) (*current.Result, error) {
	path, conf, ok, err := p.plugin(ctx, "0.1.0")
	if err == nil && !ok {
		err = fmt.Errorf("ipam %q speaks no CNI version up to %s", p.typ, p.cniVer)
	}
	if err != nil {
		return nil, err
	}
	r, err := invoke.ExecPluginWithResult(ctx, path, conf, p.args("ADD", args.ContainerID, args.Netns, args.IfName), nil)
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

// del releases the addresses of attachment (id, ifname).
func (p *ipam) del(ctx context.Context, id, netns, ifname string) error {
	return p.noResult(ctx, "DEL", "0.1.0", p.args("DEL", id, netns, ifname))
}

// noResult runs a command without a result; a plugin that does not speak
// minVer (CHECK, GC, STATUS are newer than some IPAM plugins) is skipped.
func (p *ipam) noResult(ctx context.Context, cmd, minVer string, args *invoke.Args) error {
	path, conf, ok, err := p.plugin(ctx, minVer)
	if err != nil || !ok {
		return err
	}
	if err := invoke.ExecPluginWithoutResult(ctx, path, conf, args, nil); err != nil {
		return fmt.Errorf("ipam %q %s: %w", p.typ, cmd, err)
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
