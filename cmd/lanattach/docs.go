package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
)

// docFiles are the man pages and completion scripts, by path under the
// directory `lanattach __gen-docs DIR` writes: man8/, bash/, zsh/, fish/.
func docFiles() map[string]string {
	files := map[string]string{
		"bash/lanattach":      bashCompletion,
		"zsh/_lanattach":      zshCompletion,
		"fish/lanattach.fish": fishCompletion,
	}
	for name, page := range manPages(newApp()) {
		files[filepath.Join("man8", name)] = page
	}
	return files
}

// genDocsCommand writes the man pages and completion scripts into a
// directory at build time (make docs), from the same command definitions
// as --help.
func genDocsCommand() *cli.Command {
	return &cli.Command{
		Name:      "__gen-docs",
		Hidden:    true,
		ArgsUsage: "DIR",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("", "__gen-docs takes one directory")
			}
			dir := c.Args().First()
			for path, text := range docFiles() {
				p := filepath.Join(dir, path)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return fmt.Errorf("writing docs: %w", err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					return fmt.Errorf("writing docs: %w", err)
				}
			}
			return nil
		},
	}
}
