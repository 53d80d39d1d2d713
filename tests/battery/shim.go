package battery

// shimBase is a `lanattach shim` that would run but for the flag under
// test.
var shimBase = []string{"shim", "--parent", Parent}

// hostAccessCases attack attach's --host-access and --shim-ip.
func hostAccessCases() []Case {
	a := maker("attach")
	ha := with(attachBase, "--host-access")
	cs := []Case{
		a("host-access", "malformed", with(attachBase, "--host-access=maybe")...),
		a("host-access", "duplicated", with(ha, "--host-access")...),
		{Cmd: "attach", Flag: "host-access", Kind: "with macvlan-mode private", Args: with(ha, "--macvlan-mode", "private"), Want: []string{"bridge"}},
		{Cmd: "attach", Flag: "host-access", Kind: "with macvlan-mode vepa", Args: with(ha, "--macvlan-mode", "vepa"), Want: []string{"bridge"}},
		{Cmd: "attach", Flag: "host-access", Kind: "with macvlan-mode passthru", Args: with(ha, "--macvlan-mode", "passthru"), Want: []string{"bridge"}},
		{Cmd: "attach", Flag: "host-access", Kind: "with ipvlan", Args: with(ha, "--mode", "ipvlan"), Want: []string{"ipvlan"}},
		{Cmd: "attach", Flag: "host-access", Kind: "with ipvlan l3", Args: with(ha, "--mode", "ipvlan", "--ipvlan-mode", "l3"), Want: []string{"ipvlan"}},
		a("host-access", "dry-run with private", with(ha, "--dry-run", "--macvlan-mode", "private")...),
		a("shim-ip", "empty", with(ha, "--shim-ip", "")...),
		a("shim-ip", "malformed", with(ha, "--shim-ip", "198.51.100.300/24")...),
		a("shim-ip", "no prefix", with(ha, "--shim-ip", "198.51.100.9")...),
		a("shim-ip", "huge", with(ha, "--shim-ip", huge)...),
		a("shim-ip", "multicast", with(ha, "--shim-ip", "224.0.0.9/24")...),
		a("shim-ip", "link-local", with(ha, "--shim-ip", "fe80::9/64")...),
		a("shim-ip", "zone", with(ha, "--shim-ip", "fe80::9%lo/64")...),
		a("shim-ip", "broadcast", with(ha, "--shim-ip", "198.51.100.255/24")...),
		a("shim-ip", "two of a family", with(ha, "--shim-ip", "198.51.100.9/24", "--shim-ip", "198.51.100.8/24")...),
		a("shim-ip", "the slave's own", with(ha, "--shim-ip", "198.51.100.60/24")...),
		{Cmd: "attach", Flag: "shim-ip", Kind: "without host-access", Args: with(attachBase, "--shim-ip", "198.51.100.9/24"), Want: []string{"--host-access"}},
	}
	return cs
}

// shimCases attack `lanattach shim`.
func shimCases() []Case {
	s := maker("shim")
	cs := []Case{
		{Cmd: "shim", Kind: "argument", Args: with(shimBase, "extra"), Want: []string{`unexpected argument "extra"`}},
		{Cmd: "shim", Kind: "unknown flag", Args: with(shimBase, "--all"), Want: []string{"--all"}},
		{Cmd: "shim", Flag: "parent", Kind: "missing flag", Args: []string{"shim"}, Want: []string{"required"}},
		s("parent", "missing interface", "shim", "--parent", "nosuch0"),
		s("parent", "down", "shim", "--parent", "down0"),
		s("parent", "loopback", "shim", "--parent", "lo"),
		s("parent", "path traversal", "shim", "--parent", "../lo"),
		s("parent", "huge", "shim", "--parent", huge),
		{Cmd: "shim", Flag: "name", Kind: "taken, not lanattach's", Args: with(shimBase, "--name", "down0"), Want: []string{"down0", "did not make"}},
		{Cmd: "shim", Flag: "name", Kind: "taken, remove", Args: with(shimBase, "--name", "down0", "--remove"), Want: []string{"down0"}},
		s("name", "huge", with(shimBase, "--name", "abcdefghijklmnop")...),
		s("name", "slash", with(shimBase, "--name", "a/b")...),
		s("name", "path traversal", with(shimBase, "--name", "..")...),
		s("shim-ip", "empty", with(shimBase, "--shim-ip", "")...),
		s("shim-ip", "malformed", with(shimBase, "--shim-ip", "nowhere")...),
		s("shim-ip", "multicast", with(shimBase, "--shim-ip", "ff02::1/64")...),
		s("shim-ip", "with remove", with(shimBase, "--remove", "--shim-ip", "198.51.100.9/24")...),
		s("remove", "malformed", with(shimBase, "--remove=maybe")...),
		s("remove", "duplicated", with(shimBase, "--remove", "--remove")...),
		s("dry-run", "malformed", with(shimBase, "--dry-run=maybe")...),
		s("dry-run", "duplicated", with(shimBase, "--dry-run", "--dry-run")...),
		{Cmd: "shim", Flag: "name", Kind: "taken, dry-run", Args: with(shimBase, "--dry-run", "--name", "down0"), Want: []string{"down0"}},
	}
	cs = append(cs, valueCases("shim", "parent", []string{"shim"}, Parent, Parent)...)
	return append(cs, valueCases("shim", "name", shimBase, "s1", "s2")...)
}
