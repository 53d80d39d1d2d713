package battery

// probeBase is a probe that would run but for the flag under test.
var probeBase = []string{"probe", "--parent", Parent, "--ip", "198.51.100.60"}

// targetCases attack the target flags of attach, detach and probe, and
// the other detach flags.
func targetCases() []Case {
	var cs []Case
	for _, base := range [][]string{{"attach", "--parent", Parent, "--ip", "198.51.100.60/24"}, {"detach"}, probeBase} {
		cmd := base[0]
		mk := maker(cmd)
		t := func(flag, kind string, args ...string) Case { return mk(flag, kind, with(base, args...)...) }
		cs = append(cs,
			t("pid", "empty", "--pid", ""),
			t("pid", "negative", "--pid", "-5"),
			t("pid", "huge", "--pid", "4194304"),
			t("pid", "overflow", "--pid", huge),
			t("pid", "malformed", "--pid", "1x"),
			t("pid", "duplicated", "--pid", "1", "--pid", "2"),
			t("netns", "empty", "--netns", ""),
			t("netns", "missing", "--netns", "nosuch-netns-lt"),
			t("netns", "path traversal", "--netns", "../"+HostNS),
			t("netns", "slash", "--netns", "a/b"),
			t("netns", "control byte", "--netns", "web\x07"),
			t("netns", "the netns lanattach runs in", "--netns", HostNS),
			t("netns", "duplicated", "--netns", "a", "--netns", "b"),
			t("netns-path", "empty", "--netns-path", ""),
			t("netns-path", "not a netns", "--netns-path", "/proc/self/status"),
			t("netns-path", "the netns lanattach runs in", "--netns-path", "/proc/self/ns/net"),
			t("netns-path", "named netns lanattach runs in", "--netns-path", "/run/netns/"+HostNS),
			t("netns-path", "path traversal to itself", "--netns-path", "/run/netns/../../proc/self/ns/net"),
			t("netns-path", "path traversal", "--netns-path", "/run/netns/../../etc/passwd"),
			t("netns-path", "huge", "--netns-path", "/"+huge),
			t("netns-path", "duplicated", "--netns-path", "/run/netns/a", "--netns-path", "/run/netns/b"),
			Case{Cmd: cmd, Kind: "two targets", Args: with(base, Target, "--pid", "1"), Want: []string{"more than one target"}},
		)
	}
	cs = append(cs, Case{Cmd: "attach", Kind: "no target", Args: []string{"attach", "--parent", Parent}, Want: []string{"--pid"}})
	cs = append(cs, Case{Cmd: "detach", Kind: "no target", Args: []string{"detach"}, Want: []string{"--pid"}})
	detach := []string{"detach", Target}
	mk := maker("detach")
	d := func(kind string, args ...string) Case { return mk("name", kind, with(detach, args...)...) }
	return append(cs,
		Case{Cmd: "detach", Kind: "argument", Args: with(detach, "eth1"), Want: []string{`unexpected argument "eth1"`}},
		d("empty", "--name", ""),
		d("duplicated", "--name", "eth1", "--name", "eth2"),
		d("percent", "--name", "eth%d"),
		d("huge", "--name", huge),
		d("path traversal", "--name", "../eth1"),
		d("control byte", "--name", "eth\x011"),
		d("not made by lanattach", "--name", "lo"),
		d("missing", "--name", "eth7"),
	)
}
