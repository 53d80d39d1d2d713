package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// badInput is an attach that must be refused with exit 2 before anything
// changes.
type badInput struct {
	name string
	args []string // after the target, and --parent PARENT unless args name one
	// want: the message must contain all of these (the flag, usually).
	want []string
	// noTarget: args name the target(s) themselves. In args, TARGET
	// stands for the test's netns and PARENT for its parent.
	noTarget bool
}

// badInputs are the contract's bad-input cases.
var badInputs = []badInput{
	{name: "unknown mode", args: []string{"--mode", "bridge"}, want: []string{"--mode"}},
	{name: "unknown macvlan mode", args: []string{"--macvlan-mode", "l2"}, want: []string{"--macvlan-mode"}},
	{name: "unknown ipvlan mode", args: []string{"--mode", "ipvlan", "--ipvlan-mode", "l4"}, want: []string{"--ipvlan-mode"}},
	{name: "unknown ipvlan flag", args: []string{"--mode", "ipvlan", "--ipvlan-flag", "passthru"}, want: []string{"--ipvlan-flag"}},
	{name: "bad CIDR", args: []string{"--ip", "198.51.100.300/24"}, want: []string{"--ip"}},
	{name: "bad prefix length", args: []string{"--ip", "198.51.100.50/33"}, want: []string{"--ip"}},
	{name: "address without prefix", args: []string{"--ip", "198.51.100.50"}, want: []string{"--ip"}},
	{name: "bad route", args: []string{"--ip", slaveV4, "--route", "203.0.113.0/24 via nowhere"}, want: []string{"--route"}},
	{name: "bad MAC", args: []string{"--mac", "02:00:5e:zz:00:01"}, want: []string{"--mac"}},
	{name: "multicast MAC", args: []string{"--mac", "01:00:5e:00:00:01"}, want: []string{"--mac"}},
	{name: "gateway family without address", args: []string{"--ip", slaveV4, "--gateway", peerIP6}, want: []string{"--gateway"}},
	{name: "gateway without any address", args: []string{"--gateway", peerIP}, want: []string{"--gateway"}},
	{name: "two gateways of one family", args: []string{"--ip", slaveV4, "--gateway", peerIP, "--gateway", "198.51.100.3"}, want: []string{"--gateway"}},
	{name: "VID 0", args: []string{"--vlan", "0"}, want: []string{"--vlan"}},
	{name: "VID 4095", args: []string{"--vlan", "4095"}, want: []string{"--vlan"}},
	{name: "parent VID 4095", args: []string{"--parent", "PARENT.4095"}, want: []string{"--parent"}},
	{name: "name too long", args: []string{"--name", "abcdefghijklmnop"}, want: []string{"--name"}},
	{name: "name with slash", args: []string{"--name", "eth/1"}, want: []string{"--name"}},
	{name: "name with colon", args: []string{"--name", "eth:1"}, want: []string{"--name"}},
	{name: "MTU above parent's", args: []string{"--mtu", "9000"}, want: []string{"--mtu"}},
	{name: "MAC with ipvlan", args: []string{"--mode", "ipvlan", "--mac", "02:00:5e:10:00:01"}, want: []string{"--mac"}},
	{name: "unknown probe mode", args: []string{"--probe", "slow"}, want: []string{"--probe"}},
	{name: "missing parent", args: []string{"--parent", "nosuch0"}, want: []string{"--parent", "nosuch0"}},
	{name: "parent down", args: []string{"--parent", "down0"}, want: []string{"down0", "down"}},
	{name: "unknown flag", args: []string{"--bogus"}, want: []string{"bogus"}},
	{name: "no target", noTarget: true, args: []string{}, want: []string{"--pid"}},
	{name: "two targets", noTarget: true, args: []string{"--netns", "TARGET", "--pid", "1"}, want: []string{"--pid"}},
	{name: "no such pid", noTarget: true, args: []string{"--pid", "4194304"}, want: []string{"--pid"}},
	{name: "no such netns", noTarget: true, args: []string{"--netns", "nosuch-netns-lt"}, want: []string{"--netns"}},
	{name: "netns with slash", noTarget: true, args: []string{"--netns", "a/b"}, want: []string{"--netns"}},
	{name: "netns with dotdot", noTarget: true, args: []string{"--netns", ".."}, want: []string{"--netns"}},
	{name: "netns path not a netns", noTarget: true, args: []string{"--netns-path", "/proc/self/status"}, want: []string{"--netns-path"}},
}

// TestBadInput checks every bad-input case: exit 2, one line naming the
// flag on stderr, one JSON object on stdout, and no change to the host,
// the switch or the target.
func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range badInputs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLAN(t)
			l.AddHostIface(t, "down0", "192.0.2.1/24")
			sandbox.MustExec(t, l.Host, "ip", "link", "set", "down0", "down")
			tg := l.newTarget(t, "netns")
			args := []string{"-o", "json", "attach"}
			if !c.noTarget {
				args = append(args, tg.args...)
			}
			if !slices.Contains(c.args, "--parent") {
				args = append(args, "--parent", l.Parent)
			}
			for _, a := range c.args {
				args = append(args, strings.NewReplacer("TARGET", tg.name, "PARENT", l.Parent).Replace(a))
			}
			before := sandbox.Snapshot(t, l.Host, l.Switch, tg.ns)
			r := l.Lanattach(t, args...)
			wantFail(t, r, 2, c.want...)
			wantJSONFail(t, r)
			sandbox.SameSnapshot(t, "refused attach", before, sandbox.Snapshot(t, l.Host, l.Switch, tg.ns))
		})
	}
}
