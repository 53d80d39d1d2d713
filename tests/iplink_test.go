package tests

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// ipLink is one link as `ip -d -j link` prints it.
type ipLink struct {
	Name      string   `json:"ifname"`
	Flags     []string `json:"flags"`
	OperState string   `json:"operstate"`
	MTU       int      `json:"mtu"`
	Address   string   `json:"address"`
	Linkinfo  struct {
		Kind string         `json:"info_kind"`
		Data map[string]any `json:"info_data"`
	} `json:"linkinfo"`
}

// up reports whether the link is administratively up.
func (k ipLink) up() bool {
	for _, f := range k.Flags {
		if f == "UP" {
			return true
		}
	}
	return false
}

// ipAddr is one link's addresses as `ip -j addr` prints them.
type ipAddr struct {
	Name  string `json:"ifname"`
	Addrs []struct {
		Family string `json:"family"`
		Local  string `json:"local"`
		Len    int    `json:"prefixlen"`
		Scope  string `json:"scope"`
	} `json:"addr_info"`
}

// ipRoute is one route as `ip -j route` prints it.
type ipRoute struct {
	Dst     string `json:"dst"`
	Gateway string `json:"gateway"`
	Dev     string `json:"dev"`
}

// ipJSON runs `ip -j args...` in ns and decodes its output into v.
func ipJSON(t *testing.T, ns string, v any, args ...string) {
	t.Helper()
	out := sandbox.MustExec(t, ns, append([]string{"ip", "-j"}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("ip -j %v in %s: %v\n%s", args, ns, err, out)
	}
}

// links returns every link of ns by name.
func links(t *testing.T, ns string) map[string]ipLink {
	t.Helper()
	var ls []ipLink
	ipJSON(t, ns, &ls, "-d", "link", "show")
	m := map[string]ipLink{}
	for _, l := range ls {
		m[l.Name] = l
	}
	return m
}

// addrs returns the global addresses of iface in ns as ADDR/PREFIX.
func addrs(t *testing.T, ns, iface string) []string {
	t.Helper()
	var as []ipAddr
	ipJSON(t, ns, &as, "addr", "show", "dev", iface)
	var out []string
	for _, a := range as {
		for _, i := range a.Addrs {
			if i.Scope == "global" {
				out = append(out, i.Local+"/"+strconv.Itoa(i.Len))
			}
		}
	}
	return out
}

// routes returns the main-table routes of family ("-4" or "-6") in ns.
func routes(t *testing.T, ns, family string) []ipRoute {
	t.Helper()
	var rs []ipRoute
	ipJSON(t, ns, &rs, family, "route", "show")
	return rs
}
