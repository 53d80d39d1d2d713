package cni

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/lanattach/lanattach/arpcheck"
	"github.com/lanattach/lanattach/nsattach"
)

// TestCNIError checks the codes: a clash is 100 naming the address and
// where, bad input 101 naming the key, any other failure 102.
func TestCNIError(t *testing.T) {
	clash := &arpcheck.ConflictError{Conflicts: []arpcheck.Conflict{{IP: netip.MustParseAddr("198.51.100.2"), Where: "lan"}}}
	tests := []struct {
		name string
		err  error
		code uint
		msg  string
	}{
		{"clash", fmt.Errorf("attach: %w", clash), CodeClash, "address clash: 198.51.100.2 is in use (lan"},
		{"input", nsattach.Inputf("--mtu", "9000 is above the MTU"), CodeBadConfig, "mtu: 9000 is above the MTU"},
		{"runtime", errors.New("creating macvlan: operation not permitted"), CodeFailed, "creating macvlan: operation not permitted"},
		{"rollback", &nsattach.RollbackError{Err: nsattach.Inputf("--ip", "x"), Left: errors.New("y"), Record: "ab"}, CodeFailed, "rollback incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var te *types.Error
			if !errors.As(cniError(tt.err), &te) || te.Code != tt.code || !strings.Contains(te.Msg, tt.msg) {
				t.Errorf("cniError(%v) = %v, want code %d with %q", tt.err, te, tt.code, tt.msg)
			}
		})
	}
}

// TestResult checks the ADD result: prevResult's interface first, then the
// slave with MAC and sandbox, its address pointing at it with the
// configured gateway, the default route and the extra route.
func TestResult(t *testing.T) {
	conf := `{"cniVersion": "1.1.0", "name": "lan", "type": "lanattach", "master": "eth0",
		"addresses": ["198.51.100.50/24"], "gateways": "198.51.100.1", "routes": ["203.0.113.0/24 via 198.51.100.9"],
		"dns": {"nameservers": ["198.51.100.53"]},
		"prevResult": {"cniVersion": "1.1.0", "interfaces": [{"name": "lo", "sandbox": "/run/netns/web"}]}}`
	c, err := parseConf([]byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	args := cmdArgs(conf, "")
	spec, err := c.spec(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := &nsattach.Result{Interface: "eth0", MAC: "02:00:5e:10:00:01", Addresses: []string{"198.51.100.50/24"}}
	out, err := c.result(args, spec, res, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Interfaces) != 2 || out.Interfaces[1].Name != "eth0" || out.Interfaces[1].Mac != res.MAC ||
		out.Interfaces[1].Sandbox != "/run/netns/web" {
		t.Fatalf("interfaces %v, want lo then eth0 with MAC and sandbox", out.Interfaces)
	}
	want := []string{"{Interface:1 Address:{IP:198.51.100.50 Mask:ffffff00} Gateway:198.51.100.1}"}
	if got := ipStrings(out.IPs); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ips %v, want %v", got, want)
	}
	if len(out.Routes) != 2 || out.Routes[0].Dst.String() != "0.0.0.0/0" || out.Routes[0].GW.String() != "198.51.100.1" ||
		out.Routes[1].Dst.String() != "203.0.113.0/24" || out.Routes[1].GW.String() != "198.51.100.9" {
		t.Errorf("routes %v", out.Routes)
	}
	if len(out.DNS.Nameservers) != 1 {
		t.Errorf("dns %+v, want the configured nameserver", out.DNS)
	}
}

// ipStrings renders IP configs.
func ipStrings(ips []*current.IPConfig) []string {
	var out []string
	for _, ip := range ips {
		out = append(out, fmt.Sprintf("{Interface:%d Address:{IP:%s Mask:%s} Gateway:%s}", *ip.Interface,
			ip.Address.IP, ip.Address.Mask, ip.Gateway))
	}
	return out
}

// TestInvoked checks when the binary is the plugin.
func TestInvoked(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	tests := []struct {
		argv0, cmd string
		want       bool
	}{
		{"/usr/bin/lanattach", "", false},
		{"/usr/bin/lanattach", "ADD", true},
		{"/opt/cni/bin/lanattach-cni", "", true},
		{"lanattach-cni", "VERSION", true},
	}
	for _, tt := range tests {
		if got := Invoked(tt.argv0, env(tt.cmd)); got != tt.want {
			t.Errorf("Invoked(%q, CNI_COMMAND=%q) = %v, want %v", tt.argv0, tt.cmd, got, tt.want)
		}
	}
}
