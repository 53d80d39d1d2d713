package battery

// attachAddrCases attack the attach flags about addresses and routes.
func attachAddrCases() []Case {
	noIP := []string{"attach", Target, "--parent", Parent}
	auto := with(noIP, "--ip", "auto", "--subnet", "198.51.100.0/24")
	a := func(flag, kind string, args ...string) Case {
		return Case{Cmd: "attach", Flag: flag, Kind: kind, Args: args}
	}
	return []Case{
		a("ip", "empty", with(noIP, "--ip", "")...),
		a("ip", "malformed", with(noIP, "--ip", "198.51.100.300/24")...),
		a("ip", "prefix too long", with(noIP, "--ip", "198.51.100.50/33")...),
		a("ip", "negative prefix", with(noIP, "--ip", "198.51.100.50/-1")...),
		a("ip", "no prefix", with(noIP, "--ip", "198.51.100.50")...),
		a("ip", "huge", with(noIP, "--ip", huge)...),
		a("ip", "IPv4-mapped /120", with(noIP, "--ip", "::ffff:198.51.100.61/120")...),
		a("ip", "IPv4-mapped /24", with(noIP, "--ip", "::ffff:198.51.100.61/24")...),
		a("ip", "network address", with(noIP, "--ip", "198.51.100.0/24")...),
		a("ip", "broadcast address", with(noIP, "--ip", "198.51.100.255/24")...),
		a("ip", "multicast", with(noIP, "--ip", "224.0.0.5/24")...),
		a("ip", "duplicated", with(noIP, "--ip", "198.51.100.61/24", "--ip", "198.51.100.61/25")...),
		a("ip", "auto without subnet", with(noIP, "--ip", "auto")...),
		a("subnet", "empty", with(auto, "--subnet", "")...),
		a("subnet", "malformed", with(noIP, "--ip", "auto", "--subnet", "198.51.100.0/24x")...),
		a("subnet", "IPv4-mapped", with(noIP, "--ip", "auto", "--subnet", "::ffff:198.51.100.0/120")...),
		a("subnet", "duplicated", with(auto, "--subnet", "203.0.113.0/24")...),
		a("subnet", "huge", with(noIP, "--ip", "auto", "--subnet", huge)...),
		a("ip-range", "empty", with(auto, "--ip-range", "")...),
		a("ip-range", "outside the subnet", with(auto, "--ip-range", "203.0.113.0/28")...),
		a("ip-range", "IPv4-mapped", with(auto, "--ip-range", "::ffff:198.51.100.0/124")...),
		a("ip-range", "duplicated", with(auto, "--ip-range", "198.51.100.64/28", "--ip-range", "198.51.100.80/28")...),
		a("ip-range", "wrong family", with(auto, "--ip-range", "2001:db8:1::/120")...),
		a("exclude", "empty", with(auto, "--exclude", "")...),
		a("exclude", "malformed", with(auto, "--exclude", "198.51.100.x")...),
		a("exclude", "IPv4-mapped", with(auto, "--exclude", "::ffff:198.51.100.9")...),
		a("exclude", "path traversal", with(auto, "--exclude", "../../etc/passwd")...),
		a("gateway", "empty", with(attachBase, "--gateway", "")...),
		a("gateway", "malformed", with(attachBase, "--gateway", "nowhere")...),
		a("gateway", "unspecified", with(attachBase, "--gateway", "0.0.0.0")...),
		a("gateway", "multicast", with(attachBase, "--gateway", "224.0.0.1")...),
		a("gateway", "limited broadcast", with(attachBase, "--gateway", "255.255.255.255")...),
		a("gateway", "subnet broadcast", with(attachBase, "--gateway", "198.51.100.255")...),
		a("gateway", "off-subnet", with(attachBase, "--gateway", "203.0.113.1")...),
		a("gateway", "own address", with(attachBase, "--gateway", "198.51.100.60")...),
		a("gateway", "IPv4-mapped", with(attachBase, "--gateway", "::ffff:198.51.100.1")...),
		a("gateway", "wrong family", with(attachBase, "--gateway", "2001:db8:1::1")...),
		a("gateway", "duplicated", with(attachBase, "--gateway", "198.51.100.1", "--gateway", "198.51.100.2")...),
		a("gateway", "no address at all", with(noIP, "--gateway", "198.51.100.1")...),
		a("route", "empty", with(attachBase, "--route", "")...),
		a("route", "malformed", with(attachBase, "--route", "203.0.113.0/24 via nowhere")...),
		a("route", "via unspecified", with(attachBase, "--route", "203.0.113.0/24 via 0.0.0.0")...),
		a("route", "via off-subnet", with(attachBase, "--route", "203.0.113.0/24 via 203.0.113.1")...),
		a("route", "via multicast", with(attachBase, "--route", "203.0.113.0/24 via 224.0.0.1")...),
		a("route", "mixed family", with(attachBase, "--route", "203.0.113.0/24 via 2001:db8:1::1")...),
		a("route", "IPv4-mapped", with(attachBase, "--route", "::ffff:203.0.113.0/120")...),
		a("route", "default without via", with(attachBase, "--route", "default")...),
		a("route", "default next to --gateway", with(attachBase, "--gateway", "198.51.100.1", "--route", "default via 198.51.100.2")...),
		a("route", "duplicated default", with(attachBase, "--route", "default via 198.51.100.1", "--route", "0.0.0.0/0 via 198.51.100.2")...),
		a("route", "wrong family", with(attachBase, "--route", "2001:db8:2::/64")...),
	}
}
