package battery

// dhcpBase and slaacBase are attaches that would get their addresses from
// the LAN but for the flag under test.
var (
	dhcpBase  = []string{"attach", Target, "--parent", Parent, "--ip", "dhcp"}
	slaacBase = []string{"attach", Target, "--parent", Parent, "--ip", "slaac"}
	stableMAC = with(attachBase, "--mac", "stable")
)

// dynamicCases attack --ip dhcp/slaac, --dhcp-timeout, --ra-timeout,
// --mac stable, --mac-seed and --resolv-conf.
func dynamicCases() []Case {
	a := maker("attach")
	cs := []Case{
		a("ip", "dhcp with a static IPv4", with(attachBase, "--ip", "dhcp")...),
		a("ip", "dhcp with auto", with(dhcpBase, "--ip", "auto", "--subnet", "198.51.100.0/24")...),
		a("ip", "dhcp twice", with(dhcpBase, "--ip", "dhcp")...),
		a("ip", "slaac twice", with(slaacBase, "--ip", "slaac")...),
		a("ip", "dhcp with ipvlan l3", with(dhcpBase, "--mode", "ipvlan", "--ipvlan-mode", "l3")...),
		a("subnet", "IPv4 with dhcp", with(dhcpBase, "--subnet", "198.51.100.0/24")...),
		a("gateway", "IPv4 with dhcp", with(dhcpBase, "--gateway", "198.51.100.1")...),
		a("mac", "stable without seed", stableMAC...),
		a("mac", "stable with ipvlan", with(attachBase, "--mode", "ipvlan", "--mac", "stable", "--mac-seed", "web")...),
		a("mac-seed", "without mac stable", with(attachBase, "--mac-seed", "web")...),
		a("mac-seed", "with a MAC", with(attachBase, "--mac", "02:00:5e:10:00:01", "--mac-seed", "web")...),
		a("resolv-conf", "without dhcp", with(attachBase, "--resolv-conf", "/tmp/lanattach-battery-resolv.conf")...),
		a("resolv-conf", "with slaac only", with(slaacBase, "--resolv-conf", "/tmp/lanattach-battery-resolv.conf")...),
	}
	for _, f := range []struct {
		flag string
		base []string
	}{{"dhcp-timeout", dhcpBase}, {"ra-timeout", slaacBase}} {
		cs = append(cs,
			a(f.flag, "1ns", with(f.base, "--"+f.flag, "1ns")...),
			a(f.flag, "negative", with(f.base, "--"+f.flag, "-1s")...),
			a(f.flag, "huge", with(f.base, "--"+f.flag, "1000h")...),
			a(f.flag, "malformed", with(f.base, "--"+f.flag, "5")...))
		cs = append(cs, valueCases("attach", f.flag, f.base, "5s", "6s")...)
	}
	cs = append(cs, valueCases("attach", "mac-seed", stableMAC, "web", "db")...)
	return append(cs, valueCases("attach", "resolv-conf", dhcpBase, "/tmp/a.conf", "/tmp/b.conf")...)
}
