package battery

// scanBase is a scan that would run but for the flag under test.
var scanBase = []string{"scan", "--parent", Parent, "--subnet", "198.51.100.0/24"}

// probeCases attack the probe flags other than the target.
func probeCases() []Case {
	p := maker("probe")
	noParent := []string{"probe", "--ip", "198.51.100.60"}
	noIP := []string{"probe", "--parent", Parent}
	cs := []Case{
		{Cmd: "probe", Kind: "argument", Args: with(probeBase, "198.51.100.61"), Want: []string{"unexpected argument"}},
		p("parent", "missing flag", noParent...),
		p("parent", "missing interface", with(noParent, "--parent", "nosuch0")...),
		p("parent", "percent", with(noParent, "--parent", "eth%d")...),
		p("parent", "path traversal", with(noParent, "--parent", "../lo")...),
		p("parent", "huge", with(noParent, "--parent", huge)...),
		p("ip", "missing flag", noIP...),
		p("ip", "empty", with(noIP, "--ip", "")...),
		p("ip", "malformed", with(noIP, "--ip", "198.51.100.300")...),
		p("ip", "IPv4-mapped", with(noIP, "--ip", "::ffff:198.51.100.61")...),
		p("ip", "IPv4-mapped prefix", with(noIP, "--ip", "::ffff:198.51.100.61/120")...),
		p("ip", "zone", with(noIP, "--ip", "fe80::1%lo")...),
		p("ip", "huge", with(noIP, "--ip", huge)...),
		p("probe", "malformed", with(probeBase, "--probe", "slow")...),
		p("probe-timeout", "1ns", with(probeBase, "--probe-timeout", "1ns")...),
		p("probe-timeout", "huge", with(probeBase, "--probe-timeout", "1000h")...),
		p("probe-timeout", "negative", with(probeBase, "--probe-timeout", "-1s")...),
		p("probe-timeout", "malformed", with(probeBase, "--probe-timeout", "5")...),
		p("gateway", "empty", with(probeBase, "--gateway", "")...),
		p("gateway", "malformed", with(probeBase, "--gateway", "nowhere")...),
		p("gateway", "IPv4-mapped", with(probeBase, "--gateway", "::ffff:198.51.100.1")...),
	}
	cs = append(cs, valueCases("probe", "parent", noParent, Parent, Parent)...)
	cs = append(cs, valueCases("probe", "probe", probeBase, "fast", "off")...)
	return append(cs, valueCases("probe", "probe-timeout", probeBase, "200ms", "300ms")...)
}

// scanCases attack the scan flags.
func scanCases() []Case {
	s := maker("scan")
	noParent := []string{"scan", "--subnet", "198.51.100.0/24"}
	noSubnet := []string{"scan", "--parent", Parent}
	cs := []Case{
		{Cmd: "scan", Kind: "argument", Args: with(scanBase, "198.51.100.0/24"), Want: []string{"unexpected argument"}},
		s("parent", "missing flag", noParent...),
		s("parent", "missing interface", with(noParent, "--parent", "nosuch0")...),
		s("parent", "percent", with(noParent, "--parent", "eth%d")...),
		s("parent", "huge", with(noParent, "--parent", huge)...),
		s("subnet", "missing flag", noSubnet...),
		s("subnet", "malformed", with(noSubnet, "--subnet", "198.51.100.0/24x")...),
		s("subnet", "IPv4-mapped", with(noSubnet, "--subnet", "::ffff:198.51.100.0/120")...),
		s("subnet", "wrong family", with(noSubnet, "--subnet", "2001:db8:1::/120")...),
		s("subnet", "too large", with(noSubnet, "--subnet", "10.0.0.0/8")...),
		s("subnet", "huge", with(noSubnet, "--subnet", huge)...),
		s("bandwidth", "too slow for the subnet", with(scanBase, "--bandwidth", "1")...),
		s("bandwidth", "zero", with(scanBase, "--bandwidth", "0")...),
		s("bandwidth", "negative", with(scanBase, "--bandwidth", "-5")...),
		s("bandwidth", "huge", with(scanBase, "--bandwidth", "20000M")...),
		s("bandwidth", "overflow", with(scanBase, "--bandwidth", huge)...),
		s("bandwidth", "malformed", with(scanBase, "--bandwidth", "fast")...),
	}
	cs = append(cs, valueCases("scan", "parent", noParent, Parent, Parent)...)
	cs = append(cs, valueCases("scan", "subnet", noSubnet, "198.51.100.0/24", "198.51.100.0/25")...)
	return append(cs, valueCases("scan", "bandwidth", scanBase, "1M", "2M")...)
}

// doctorCases attack the doctor flags.
func doctorCases() []Case {
	d := maker("doctor")
	cs := []Case{
		{Cmd: "doctor", Kind: "argument", Args: []string{"doctor", "eth0"}, Want: []string{"unexpected argument"}},
		d("mode", "malformed", "doctor", "--mode", "bridge"),
		d("mode", "huge", "doctor", "--mode", huge),
	}
	cs = append(cs, valueCases("doctor", "parent", []string{"doctor"}, Parent, Parent)...)
	return append(cs, valueCases("doctor", "mode", []string{"doctor"}, "macvlan", "ipvlan")...)
}
