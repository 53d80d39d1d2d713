package nsattach

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFailpointsListed checks that every failpoint named in the code is
// one the integration tests drive (KillPoints, DetachPoints), and that
// those lists name no failpoint the code lacks.
func TestFailpointsListed(t *testing.T) {
	re := regexp.MustCompile(`failpoint\.Hit\("([^"]+)"\)`)
	found := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		data, err := os.ReadFile(path)
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			found[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	listed := append(slices.Clone(KillPoints), DetachPoints...)
	for name := range found {
		if !slices.Contains(listed, name) {
			t.Errorf("failpoint %q is in the code but in neither KillPoints nor DetachPoints: no test drives it", name)
		}
	}
	for _, name := range listed {
		if !found[name] {
			t.Errorf("failpoint %q is listed but not in the code", name)
		}
	}
}
