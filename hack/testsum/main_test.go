package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: kernel has no ipvlan support; this case runs in the VM\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: boom\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Test":"TestC","Output":"chatter\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestC"}`,
		`{"Action":"output","Package":"q","Output":"ok  \tq\t0.1s\n"}`,
		`{"Action":"pass","Package":"q"}`,
		`# build error line`,
	}, "\n")
	var b strings.Builder
	failed, err := summarize(strings.NewReader(in), &b)
	got := b.String()
	if err != nil || !failed {
		t.Fatalf("summarize = %v, %v; want failed", failed, err)
	}
	for _, want := range []string{"--- FAIL: TestB (p)\n    b_test.go:3: boom\n", "ok  \tq\t0.1s\n", "# build error line",
		"skipped: 1 tests", "1 × kernel has no ipvlan support; this case runs in the VM", "(TestA)"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "chatter") {
		t.Errorf("a passing test's output was printed:\n%s", got)
	}
}
