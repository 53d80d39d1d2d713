package battery

// attachBase is an attach that would succeed but for the flag under test.
var attachBase = []string{"attach", Target, "--parent", Parent, "--ip", "198.51.100.60/24"}

// attachCases attack the attach flags about the slave itself.
func attachCases() []Case {
	bare := []string{"attach", Target}
	cs := []Case{
		{Cmd: "attach", Kind: "argument", Args: with(attachBase, "extra"), Want: []string{`unexpected argument "extra"`}},
		{Cmd: "attach", Flag: "parent", Kind: "missing interface", Args: with(bare, "--parent", "nosuch0"), Want: []string{"nosuch0"}},
		{Cmd: "attach", Flag: "parent", Kind: "down", Args: with(bare, "--parent", "down0"), Want: []string{"down0", "down"}},
		{Cmd: "attach", Flag: "parent", Kind: "loopback", Args: with(bare, "--parent", "lo"), Want: []string{"lo", "Ethernet"}},
		{Cmd: "attach", Flag: "parent", Kind: "VID out of range", Args: with(bare, "--parent", Parent+".4095")},
		{Cmd: "attach", Flag: "parent", Kind: "path traversal", Args: with(bare, "--parent", "../lo")},
		{Cmd: "attach", Flag: "parent", Kind: "percent", Args: with(bare, "--parent", "eth%d")},
		{Cmd: "attach", Flag: "parent", Kind: "huge", Args: with(bare, "--parent", huge)},
		{Cmd: "attach", Flag: "parent", Kind: "control byte", Args: with(bare, "--parent", "eth\x1b0")},
		{Cmd: "attach", Flag: "vlan", Kind: "zero", Args: with(attachBase, "--vlan", "0")},
		{Cmd: "attach", Flag: "vlan", Kind: "4095", Args: with(attachBase, "--vlan", "4095")},
		{Cmd: "attach", Flag: "vlan", Kind: "negative", Args: with(attachBase, "--vlan", "-1")},
		{Cmd: "attach", Flag: "vlan", Kind: "huge", Args: with(attachBase, "--vlan", huge)},
		{Cmd: "attach", Flag: "vlan", Kind: "malformed", Args: with(attachBase, "--vlan", "fifty")},
		{Cmd: "attach", Flag: "vlan", Kind: "contradicts parent", Args: with(bare, "--parent", Parent+".50", "--vlan", "51")},
		{Cmd: "attach", Flag: "mode", Kind: "malformed", Args: with(attachBase, "--mode", "bridge")},
		{Cmd: "attach", Flag: "macvlan-mode", Kind: "malformed", Args: with(attachBase, "--macvlan-mode", "l2")},
		{Cmd: "attach", Flag: "ipvlan-mode", Kind: "malformed", Args: with(attachBase, "--mode", "ipvlan", "--ipvlan-mode", "l4")},
		{Cmd: "attach", Flag: "ipvlan-flag", Kind: "malformed", Args: with(attachBase, "--mode", "ipvlan", "--ipvlan-flag", "passthru")},
		{Cmd: "attach", Flag: "name", Kind: "huge", Args: with(attachBase, "--name", "abcdefghijklmnop")},
		{Cmd: "attach", Flag: "name", Kind: "slash", Args: with(attachBase, "--name", "eth/1")},
		{Cmd: "attach", Flag: "name", Kind: "colon", Args: with(attachBase, "--name", "eth:1")},
		{Cmd: "attach", Flag: "name", Kind: "percent", Args: with(attachBase, "--name", "x%d")},
		{Cmd: "attach", Flag: "name", Kind: "newline", Args: with(attachBase, "--name", "eth\n1")},
		{Cmd: "attach", Flag: "name", Kind: "not ASCII", Args: with(attachBase, "--name", "eth\xff")},
		{Cmd: "attach", Flag: "name", Kind: "path traversal", Args: with(attachBase, "--name", "..")},
		{Cmd: "attach", Flag: "name", Kind: "taken in the target", Args: with(attachBase, "--name", "eth1"), Want: []string{"already exists"}},
		{Cmd: "attach", Flag: "mac", Kind: "malformed", Args: with(attachBase, "--mac", "02:00:5e:zz:00:01")},
		{Cmd: "attach", Flag: "mac", Kind: "multicast", Args: with(attachBase, "--mac", "01:00:5e:00:00:01")},
		{Cmd: "attach", Flag: "mac", Kind: "zero", Args: with(attachBase, "--mac", "00:00:00:00:00:00")},
		{Cmd: "attach", Flag: "mac", Kind: "huge", Args: with(attachBase, "--mac", "02:00:5e:10:00:01:02:03")},
		{Cmd: "attach", Flag: "mac", Kind: "with ipvlan", Args: with(attachBase, "--mode", "ipvlan", "--mac", "02:00:5e:10:00:01")},
		{Cmd: "attach", Flag: "mtu", Kind: "above the parent's", Args: with(attachBase, "--mtu", "9000")},
		{Cmd: "attach", Flag: "mtu", Kind: "huge", Args: with(attachBase, "--mtu", huge)},
		{Cmd: "attach", Flag: "mtu", Kind: "negative", Args: with(attachBase, "--mtu", "-1")},
		{Cmd: "attach", Flag: "mtu", Kind: "too small", Args: with(attachBase, "--mtu", "20")},
		{Cmd: "attach", Flag: "mtu", Kind: "malformed", Args: with(attachBase, "--mtu", "abc")},
		{Cmd: "attach", Flag: "probe", Kind: "malformed", Args: with(attachBase, "--probe", "slow")},
		{Cmd: "attach", Flag: "probe-timeout", Kind: "1ns", Args: with(attachBase, "--probe-timeout", "1ns")},
		{Cmd: "attach", Flag: "probe-timeout", Kind: "huge", Args: with(attachBase, "--probe-timeout", "1000h")},
		{Cmd: "attach", Flag: "probe-timeout", Kind: "negative", Args: with(attachBase, "--probe-timeout", "-1s")},
		{Cmd: "attach", Flag: "probe-timeout", Kind: "malformed", Args: with(attachBase, "--probe-timeout", "5")},
		{Cmd: "attach", Flag: "no-announce", Kind: "malformed", Args: with(attachBase, "--no-announce=maybe")},
		{Cmd: "attach", Flag: "no-announce", Kind: "duplicated", Args: with(attachBase, "--no-announce", "--no-announce")},
		{Cmd: "attach", Flag: "dry-run", Kind: "malformed", Args: with(attachBase, "--dry-run=maybe")},
		{Cmd: "attach", Flag: "dry-run", Kind: "duplicated", Args: with(attachBase, "--dry-run", "--dry-run")},
		{Cmd: "attach", Flag: "gateway", Kind: "bad input with dry-run", Args: with(attachBase, "--dry-run", "--gateway", "0.0.0.0")},
	}
	cs = append(cs, valueCases("attach", "parent", bare, Parent, Parent)...)
	cs = append(cs, valueCases("attach", "vlan", attachBase, "50", "51")...)
	cs = append(cs, valueCases("attach", "mode", attachBase, "macvlan", "macvlan")...)
	cs = append(cs, valueCases("attach", "macvlan-mode", attachBase, "bridge", "vepa")...)
	cs = append(cs, valueCases("attach", "ipvlan-mode", attachBase, "l2", "l3")...)
	cs = append(cs, valueCases("attach", "ipvlan-flag", attachBase, "bridge", "vepa")...)
	cs = append(cs, valueCases("attach", "name", attachBase, "eth5", "eth6")...)
	cs = append(cs, valueCases("attach", "mac", attachBase, "02:00:5e:10:00:01", "02:00:5e:10:00:02")...)
	cs = append(cs, valueCases("attach", "mtu", attachBase, "1400", "1300")...)
	cs = append(cs, valueCases("attach", "probe", attachBase, "fast", "rfc")...)
	return append(cs, valueCases("attach", "probe-timeout", attachBase, "200ms", "300ms")...)
}
