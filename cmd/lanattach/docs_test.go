package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// roffFlag is how flag name appears in a man page.
func roffFlag(name string) string {
	if len(name) == 1 {
		return `\-` + name
	}
	return `\-\-` + roffText(name)
}

// TestManPagesCoverEveryFlag checks that lanattach(8) names every command
// and global flag, and that each command's page names each of its flags.
func TestManPagesCoverEveryFlag(t *testing.T) {
	app := newApp()
	pages := manPages(app)
	main := pages["lanattach.8"]
	for _, f := range app.VisibleFlags() {
		for _, n := range f.Names() {
			if !strings.Contains(main, roffFlag(n)) {
				t.Errorf("lanattach.8 lacks global flag %s", n)
			}
		}
	}
	for _, c := range app.Commands {
		page, ok := pages["lanattach-"+c.Name+".8"]
		if c.Hidden {
			if ok || strings.Contains(main, roffText(c.Name)) {
				t.Errorf("hidden command %s is documented", c.Name)
			}
			continue
		}
		if !ok || !strings.Contains(main, `\fB`+roffText(c.Name)+`\fR`) {
			t.Errorf("command %s: page %v, listed in lanattach.8: %v", c.Name, ok, strings.Contains(main, roffText(c.Name)))
			continue
		}
		for _, f := range append(c.VisibleFlags(), cli.HelpFlag) {
			for _, n := range f.Names() {
				if !strings.Contains(page, roffFlag(n)) {
					t.Errorf("lanattach-%s.8 lacks flag %s", c.Name, n)
				}
			}
		}
		if !strings.HasPrefix(page, ".TH LANATTACH\\-"+strings.ToUpper(roffText(c.Name))+" 8 ") {
			t.Errorf("lanattach-%s.8 starts %q", c.Name, page[:min(40, len(page))])
		}
	}
}

func TestRoffText(t *testing.T) {
	tests := map[string]string{
		"--mode":      `\-\-mode`,
		`a\b`:         `a\eb`,
		".hidden":     `\&.hidden`,
		"'quote":      `\&'quote`,
		"plain words": "plain words",
	}
	for in, want := range tests {
		if got := roffText(in); got != want {
			t.Errorf("roffText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGenDocs checks that __gen-docs writes every man page and the three
// completion scripts, each calling the hidden __complete.
func TestGenDocs(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runCLI("__gen-docs", dir); code != 0 {
		t.Fatalf("__gen-docs: exit %d: %s", code, stderr)
	}
	want := []string{"man8/lanattach.8", "man8/lanattach-attach.8", "man8/lanattach-doctor.8",
		"bash/lanattach", "zsh/_lanattach", "fish/lanattach.fish"}
	for _, p := range want {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v, %d bytes", p, err, len(b))
		}
		if !strings.HasPrefix(p, "man8/") && !strings.Contains(string(b), "__complete --") {
			t.Errorf("%s does not call __complete", p)
		}
	}
	if _, _, code := runCLI("__gen-docs"); code != exitInput {
		t.Errorf("__gen-docs without a directory: exit %d, want %d", code, exitInput)
	}
}
