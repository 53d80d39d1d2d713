package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckArgs(t *testing.T) {
	tests := []struct {
		args string // split on spaces; _ stands for an empty argument, ~ for a blank one
		flag string // the flag the error names; "" means accepted
	}{
		{"attach --netns x --parent eth0 --ip 198.51.100.5/24 --ip 2001:db8::5/64", ""},
		{"attach --mtu 1400 --mtu 1300", "--mtu"},
		{"attach --mtu=1400 --mtu 1300", "--mtu"},
		{"attach --name a --name=b", "--name"},
		{"attach --parent x --parent y", "--parent"},
		{"attach -parent x --parent y", "--parent"},
		{"attach --dry-run --dry-run", "--dry-run"},
		{"attach --netns a --netns b", "--netns"},
		{"detach --pid 1 --pid 2", "--pid"},
		{"probe --probe fast --probe rfc", "--probe"},
		{"scan --bandwidth 1M --bandwidth 2M", "--bandwidth"},
		{"-o json -o text version", "-o"},
		{"-o json --output text version", "--output"},
		{"--output=json -o=json list", "-o"},
		{"--log-level warn --log-level=debug list", "--log-level"},
		{"attach --name _", "--name"},
		{"attach --name=", "--name"},
		{"attach --ip _", "--ip"},
		{"detach --netns-path _", "--netns-path"},
		{"-o _ version", "-o"},
		{"attach --name ~", "--name"},
		{"-o json attach --name json", ""},
		{"attach --mtu 1400 -- --mtu 1300", ""},
		{"list extra --mtu 1 --mtu 2", ""}, // arguments, refused by the command
		{"nosuch --x 1 --x 2", ""},
		{"attach --name", ""}, // missing value: the parser says so
	}
	for _, tt := range tests {
		args := []string{"lanattach"}
		for _, a := range strings.Split(tt.args, " ") {
			args = append(args, strings.NewReplacer("_", "", "~", " ").Replace(a))
		}
		err := checkArgs(newApp(), args)
		switch {
		case tt.flag == "" && err != nil:
			t.Errorf("%q: %v, want accepted", tt.args, err)
		case tt.flag != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.flag+": ") || exitCode(err) != exitInput):
			t.Errorf("%q: %v, want bad input naming %s", tt.args, err, tt.flag)
		}
	}
}

func TestUsageErrorsAreOneJSONObject(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-o", "json", "probe", "--parent", "lan0"}, "--ip"},
		{[]string{"-o", "json", "probe", "--ip", "198.51.100.5"}, "--parent"},
		{[]string{"-o", "json", "scan", "--parent", "lan0"}, "--subnet"},
		{[]string{"-o", "json", "scan", "--subnet", "198.51.100.0/24"}, "--parent"},
		{[]string{"-o", "json", "nosuch"}, `unknown command "nosuch"; the commands are attach, detach, list, gc, probe, scan, version`},
		{[]string{"-o", "json"}, "no command given"},
		{[]string{"-o", "json", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"-o", "json", "gc", "extra"}, `unexpected argument "extra"`},
		{[]string{"-o", "json", "version", "extra"}, `unexpected argument "extra"`},
		{[]string{"-o", "json", "attach", "--mtu", "1400", "--mtu", "1300"}, "--mtu"},
		{[]string{"-o", "json", "attach", "--netns", "x", "--parent", "eth0", "--probe-timeout", "1000h"}, "--probe-timeout"},
		{[]string{"-o", "json", "scan", "--parent", "lan0", "--subnet", "198.51.100.0/24", "--bandwidth", "1"}, "72h"},
		{[]string{"-o", "json", "detach", "--netns", "x", "--name", "x%d"}, "--name"},
		{[]string{"-o", "json", "probe", "--parent", "lan0", "--ip", "::ffff:198.51.100.61"}, "IPv4-mapped"},
		{[]string{"-o", "json", "probe", "--parent", "lan0", "--ip", "198.51.100.5", "--probe-timeout", "1ns"}, "--probe-timeout"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runCLI(tt.args...)
		var obj struct {
			Error string `json:"error"`
			Code  int    `json:"code"`
		}
		dec := json.NewDecoder(strings.NewReader(stdout))
		if err := dec.Decode(&obj); err != nil || dec.More() || code != exitInput || obj.Code != exitInput {
			t.Errorf("%v: exit %d, stdout %q; want exit 2 and one JSON error object", tt.args, code, stdout)
		}
		if !strings.Contains(obj.Error, tt.want) || !strings.HasPrefix(stderr, "lanattach: ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: stderr %q, error %q; want one line naming %q", tt.args, stderr, obj.Error, tt.want)
		}
	}
}

func TestHelpIsOneJSONObject(t *testing.T) {
	stdout, stderr, code := runCLI("-o", "json", "attach", "--help")
	var obj struct {
		Help string `json:"help"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&obj); err != nil || dec.More() || code != 0 || !strings.Contains(obj.Help, "--probe-timeout") {
		t.Errorf("exit %d, stdout %q, stderr %q; want one JSON object holding the help", code, stdout, stderr)
	}
}

func TestOnUsageErrorNamesTheFlag(t *testing.T) {
	for args, flag := range map[string]string{
		"attach --mtu abc": "--mtu", "attach --bogus": "--bogus", "attach --dry-run=x": "--dry-run",
		"attach --mtu": "--mtu", "-o": "-o", "detach --pid 1x": "--pid", "probe --probe-timeout 5": "--probe-timeout",
	} {
		_, stderr, code := runCLI(strings.Fields(args)...)
		if code != exitInput || !strings.HasPrefix(stderr, "lanattach: "+flag+": ") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming %s first", args, code, stderr, flag)
		}
	}
}

func TestMissingCaps(t *testing.T) {
	all := uint64(1)<<12 | 1<<13 | 1<<21 // CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN
	if m := missingCaps(all); len(m) != 0 {
		t.Errorf("missingCaps(all) = %v", m)
	}
	if m := missingCaps(0); strings.Join(m, ",") != "CAP_NET_ADMIN,CAP_NET_RAW,CAP_SYS_ADMIN" {
		t.Errorf("missingCaps(0) = %v", m)
	}
	if m := missingCaps(all &^ (1 << 21)); strings.Join(m, ",") != "CAP_SYS_ADMIN" {
		t.Errorf("missingCaps(no CAP_SYS_ADMIN) = %v", m)
	}
}

// FuzzCheckArgs feeds arbitrary command lines to the duplicate and empty
// flag check: it must never panic, and what it refuses is bad input.
func FuzzCheckArgs(f *testing.F) {
	f.Add("attach\x00--mtu\x001400\x00--mtu\x001300")
	f.Add("-o\x00json\x00-o=text\x00version")
	f.Add("attach\x00--name=\x00--\x00x")
	f.Add("probe\x00--ip\x00a\x00--ip\x00b\x00--parent")
	f.Add("-\x00--\x00---\x00=\x00-=")
	f.Fuzz(func(t *testing.T, line string) {
		err := checkArgs(newApp(), append([]string{"lanattach"}, strings.Split(line, "\x00")...))
		if err != nil && exitCode(err) != exitInput {
			t.Fatalf("%q: %v is not bad input", line, err)
		}
	})
}

func TestCommandOf(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"detach", "--netns", "x"}, "detach"},
		{[]string{"-o", "json", "detach"}, "detach"},
		{[]string{"--output", "json", "--log-level", "debug", "detach"}, "detach"},
		{[]string{"-o=json", "--log-level=info", "detach"}, "detach"},
		{[]string{"-o", "detach", "attach"}, "attach"}, // detach is -o's value here
		{[]string{"--help", "detach"}, "detach"},
		{[]string{"--", "detach"}, ""},
		{[]string{"-o"}, ""},
		{[]string{"-", "detach"}, "-"},
		{[]string{"attach", "detach"}, "attach"},
	} {
		if got := commandOf(newApp(), append([]string{"lanattach"}, tc.args...)); got != tc.want {
			t.Errorf("commandOf(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
