package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lanattach/lanattach/tests/sandbox"
)

// bashComplete is a bash program that sources the completion script $1,
// shows how `lanattach` completes, then completes the command line
// "$2 $3 ..." (the last word being the one under the cursor) the way
// bash does and prints the candidates, one a line.
const bashComplete = `source "$1"; shift
complete -p lanattach
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_lanattach
printf '%s\n' "${COMPREPLY[@]}"
`

// TestCompletion runs the generated bash completion in a real bash inside
// a sandbox host netns and checks the candidates for a command, a flag,
// enum values, a --netns name, the host's interfaces and a container pid.
func TestCompletion(t *testing.T) {
	t.Parallel()
	if sandbox.InVM() {
		t.Skip("the VM guest's shell is busybox sh, not bash; the host run covers bash completion")
	}
	requireE2E(t, "bash")
	l := newLAN(t)
	netns := l.NewTarget(t)
	pid := strconv.Itoa(l.NewPIDTarget(t))
	bin := sandbox.Bin(t)
	docs := t.TempDir()
	cmd(t, bin, "__gen-docs", docs)
	script := filepath.Join(docs, "bash", "lanattach")
	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{"det"}, []string{"detach"}},
		{[]string{"-o", ""}, []string{"text", "json"}},
		{[]string{"attach", "--macv"}, []string{"--macvlan-mode"}},
		{[]string{"attach", "--mode", ""}, []string{"macvlan", "ipvlan"}},
		{[]string{"attach", "--mode", "="}, []string{"macvlan", "ipvlan"}}, // --mode=<TAB>
		{[]string{"attach", "--probe", "r"}, []string{"rfc"}},
		{[]string{"attach", "--netns", netns[:len(netns)-1]}, []string{netns}},
		{[]string{"doctor", "--parent", ""}, []string{l.Parent, "lo"}},
		{[]string{"attach", "--pid", ""}, []string{pid}},
	}
	for _, c := range cases {
		line := strings.Join(c.words, " ")
		out, err := sandbox.Exec(t, l.Host, append([]string{"bash", "-c", bashComplete, "bash", script, bin}, c.words...)...)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if !strings.Contains(lines[0], "-F _lanattach") {
			t.Errorf("complete -p lanattach = %q", lines[0])
		}
		for _, w := range c.want {
			if !slices.Contains(lines[1:], w) {
				t.Errorf("%q: candidates %q lack %q", line, lines[1:], w)
			}
		}
	}
}

// TestDeb builds the Debian package with hack/mkdeb.sh, installs it with
// dpkg into a throwaway root, runs the installed binary and finds its man
// pages with man -w, then removes it again.
func TestDeb(t *testing.T) {
	t.Parallel()
	if sandbox.InVM() {
		t.Skip("the VM guest has no dpkg or man; the host run covers the package")
	}
	requireE2E(t, "dpkg", "dpkg-deb", "man", "gzip")
	if os.Geteuid() != 0 {
		t.Skipf("dpkg --root needs root (euid %d); run `make test` as root", os.Geteuid())
	}
	bin, dir := sandbox.Bin(t), t.TempDir()
	docs, root := filepath.Join(dir, "docs"), filepath.Join(dir, "root")
	cmd(t, bin, "__gen-docs", docs)
	out := strings.Split(cmd(t, "../hack/mkdeb.sh", bin, docs, "v1.2.3-4-gabcdef0", "amd64", dir), "\n")
	deb := out[len(out)-1]
	if v := cmd(t, "dpkg-deb", "-f", deb, "Version"); v != "1.2.3+4+gabcdef0" {
		t.Errorf("package version %q, want 1.2.3+4+gabcdef0", v)
	}
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// --path-include undoes path-exclude rules (minimal images drop man pages).
	cmd(t, "dpkg", "--root="+root, "--path-include=*", "-i", deb)
	installed := filepath.Join(root, "usr/bin/lanattach")
	if v := cmd(t, installed, "version"); !strings.HasPrefix(v, "lanattach ") {
		t.Errorf("installed lanattach version = %q", v)
	}
	man := filepath.Join(root, "usr/share/man")
	for _, page := range []string{"lanattach", "lanattach-attach", "lanattach-doctor"} {
		if p := cmd(t, "man", "-M", man, "-w", page); p != filepath.Join(man, "man8", page+".8.gz") {
			t.Errorf("man -w %s = %q", page, p)
		}
	}
	for _, f := range []string{"usr/share/bash-completion/completions/lanattach", "usr/share/zsh/vendor-completions/_lanattach",
		"usr/share/fish/vendor_completions.d/lanattach.fish"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("completion not installed: %v", err)
		}
	}
	if p, err := filepath.EvalSymlinks(filepath.Join(root, "usr/lib/cni/lanattach-cni")); err != nil || p != installed {
		t.Errorf("usr/lib/cni/lanattach-cni resolves to %q, %v; want %s", p, err, installed)
	}
	cmd(t, "dpkg", "--root="+root, "-r", "lanattach")
	if _, err := os.Stat(installed); !os.IsNotExist(err) {
		t.Errorf("dpkg -r left %s: %v", installed, err)
	}
}
