package cni

import (
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/lanattach/lanattach/nsattach"
)

// cmdArgs are the runtime's arguments of the unit tests.
func cmdArgs(conf, cniArgs string) *skel.CmdArgs {
	return &skel.CmdArgs{ContainerID: "c1", Netns: "/run/netns/web", IfName: "eth0", Args: cniArgs, StdinData: []byte(conf)}
}

// ipamResult is a host-local-like result: one address with a gateway, a
// default route and another route without a gateway (both via the
// address's gateway), and a route via another router.
func ipamResult() *current.Result {
	_, dflt, _ := net.ParseCIDR("0.0.0.0/0")
	_, dst, _ := net.ParseCIDR("203.0.113.0/24")
	_, dst2, _ := net.ParseCIDR("203.0.113.128/25")
	addr := net.IPNet{IP: net.ParseIP("198.51.100.50").To4(), Mask: net.CIDRMask(24, 32)}
	gw := net.ParseIP("198.51.100.1").To4()
	return &current.Result{CNIVersion: "1.0.0", IPs: []*current.IPConfig{{Address: addr, Gateway: gw}},
		Routes: []*types.Route{{Dst: *dflt}, {Dst: *dst, GW: net.ParseIP("198.51.100.9")}, {Dst: *dst2}}}
}

// TestSpecIsTheCLIs checks that a configuration builds exactly the Spec
// the CLI builds from the same settings given as flags, with the CNI ids
// for the record.
func TestSpecIsTheCLIs(t *testing.T) {
	cli := nsattach.Flags{Target: nsattach.TargetSpec{Path: "/run/netns/web"}, Parent: "eth0.50", Mode: "macvlan",
		MacvlanMode: "bridge", Name: "eth0", MTU: 1400, MAC: "02:00:5e:10:00:01", Probe: "off",
		ProbeTimeout: 300 * time.Millisecond, IPs: []string{"198.51.100.50/24"}, Gateways: []string{"198.51.100.1"}}
	tests := []struct {
		name, conf, cniArgs string
		ipam                *current.Result
		mod                 func(*nsattach.Flags)
	}{
		{"own addresses", `{"addresses": "198.51.100.50/24", "gateways": ["198.51.100.1"]}`, "", nil, nil},
		{"ips capability", `{"runtimeConfig": {"ips": ["198.51.100.50/24"]}, "gateways": "198.51.100.1"}`, "", nil, nil},
		{"mac capability", `{"mac": "02:00:5e:10:00:09", "runtimeConfig": {"mac": "02:00:5e:10:00:01"}, "addresses": "198.51.100.50/24", "gateways": "198.51.100.1"}`, "", nil, nil},
		{"CNI_ARGS MAC", `{"mac": "", "addresses": "198.51.100.50/24", "gateways": "198.51.100.1"}`, "IgnoreUnknown=1;MAC=02:00:5e:10:00:01", nil, nil},
		{"CNI_ARGS IP", `{"subnet": "198.51.100.0/24", "gateways": "198.51.100.1"}`, "IgnoreUnknown=1;IP=198.51.100.50", nil, nil},
		{"ipam", `{"ipam": {"type": "host-local"}}`, "", ipamResult(),
			func(f *nsattach.Flags) {
				f.Routes = []string{"203.0.113.0/24 via 198.51.100.9", "203.0.113.128/25 via 198.51.100.1"}
			}},
		{"auto", `{"subnet": ["198.51.100.0/24"], "auto": true}`, "", nil,
			func(f *nsattach.Flags) {
				f.IPs, f.Gateways, f.Subnets = []string{"auto"}, nil, []string{"198.51.100.0/24"}
			}},
		{"ipvlan", `{"mode": "ipvlan", "submode": "l3", "ipvlanFlag": "private", "mac": "", "addresses": ["198.51.100.50/24"], "gateways": "198.51.100.1"}`, "", nil,
			func(f *nsattach.Flags) {
				f.Mode, f.MacvlanMode, f.IPVlanMode, f.IPVFlag, f.MAC = "ipvlan", "", "l3", "private", ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := `{"cniVersion": "1.0.0", "name": "lan", "type": "lanattach", "master": "eth0.50", "mtu": 1400,
				"mac": "02:00:5e:10:00:01", "probe": "off", "probeTimeout": "300ms", ` + tt.conf[1:]
			c, err := parseConf([]byte(conf))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.spec(cmdArgs(conf, tt.cniArgs), tt.ipam)
			if err != nil {
				t.Fatalf("spec: %v", err)
			}
			f := cli
			if tt.mod != nil {
				tt.mod(&f)
			}
			want, err := nsattach.Parse(f)
			if err != nil {
				t.Fatalf("CLI flags: %v", err)
			}
			want.Extra = map[string]string{keyContainer: "c1", keyNetwork: "lan", keyIfname: "eth0"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("spec\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestBadConf checks that bad configurations are code 101 naming the key.
func TestBadConf(t *testing.T) {
	tests := []struct{ name, conf, args, key string }{
		{"not json", `{"name": "lan", `, "", "decoding"},
		{"ipvlanFlag with macvlan", `{"ipvlanFlag": "bridge"}`, "", "ipvlanFlag"},
		{"probeTimeout", `{"probeTimeout": "soon"}`, "", "probeTimeout"},
		{"IP without subnet", `{"auto": false}`, "IP=198.51.100.50", "CNI_ARGS"},
		{"IP not an address", `{"subnet": "198.51.100.0/24"}`, "IP=nope", "CNI_ARGS"},
		{"addresses and ipam", `{"ipam": {"type": "static"}, "addresses": ["198.51.100.50/24"]}`, "", "addresses"},
		{"bad mtu", `{"mtu": 20, "addresses": ["198.51.100.50/24"]}`, "", "mtu:"},
		{"bad mode", `{"mode": "bond"}`, "", "mode:"},
		{"bad address", `{"addresses": ["198.51.100.500/24"]}`, "", "addresses:"},
		{"bad gateway", `{"addresses": ["198.51.100.50/24"], "gateways": "203.0.113.1"}`, "", "gateways:"},
		{"no master", `{"master": ""}`, "", "master"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := `{"cniVersion": "1.0.0", "name": "lan", "type": "lanattach", "master": "eth0", ` + tt.conf[1:]
			err := specErr(conf, tt.args)
			var te *types.Error
			if !errors.As(err, &te) || te.Code != CodeBadConfig || !strings.Contains(te.Msg, tt.key) {
				t.Errorf("want code %d naming %q, got %v", CodeBadConfig, tt.key, err)
			}
		})
	}
}

// specErr is the error of parsing conf into a Spec, as a CNI error.
func specErr(conf, cniArgs string) error {
	c, err := parseConf([]byte(conf))
	if err != nil {
		return err
	}
	var res *current.Result
	if c.IPAM.Type != "" {
		res = ipamResult()
	}
	if _, err := c.spec(cmdArgs(conf, cniArgs), res); err != nil {
		return cniError(err)
	}
	return nil
}

// FuzzParseConf feeds arbitrary configurations and CNI_ARGS to the
// parser: it must return a Spec or an error, never panic.
func FuzzParseConf(f *testing.F) {
	f.Add(`{"cniVersion": "1.0.0", "name": "lan", "master": "eth0", "addresses": "198.51.100.50/24"}`, "IP=198.51.100.5")
	f.Add(`{"name": "lan", "master": "eth0.5", "mode": "ipvlan", "subnet": ["198.51.100.0/24"], "auto": true}`, "")
	f.Add(`{"name": "x", "prevResult": {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}]}}`, "MAC=02:00:00:00:00:01")
	f.Fuzz(func(t *testing.T, conf, args string) {
		_ = specErr(conf, args)
	})
}
