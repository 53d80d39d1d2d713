package tests

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/lanattach/lanattach/ledger"
)

// recordDir returns the directory where lanattach keeps the records of
// runs in l's host netns.
func recordDir(t *testing.T, l *lan) string {
	t.Helper()
	var dir string
	err := ns.WithNetNSPath("/run/netns/"+l.Host, func(ns.NetNS) error {
		led, err := ledger.Open("")
		if err == nil {
			dir = led.Dir()
		}
		return err
	})
	if err != nil {
		t.Fatalf("finding the record directory of %s: %v", l.Host, err)
	}
	return dir
}

// recordFiles lists the record, run lock and temporary files in l's
// record directory.
func recordFiles(t *testing.T, l *lan) []string {
	t.Helper()
	ents, err := os.ReadDir(recordDir(t, l))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".run") || strings.HasSuffix(n, ".tmp") {
			out = append(out, n)
		}
	}
	return out
}

// wantNoRecords fails the test when l's host netns has a record left.
func wantNoRecords(t *testing.T, l *lan) {
	t.Helper()
	if files := recordFiles(t, l); len(files) > 0 {
		t.Errorf("records left in %s: %v", recordDir(t, l), files)
	}
}

// wantState checks list's state of the attachment with interface iface in
// target tg.
func wantState(t *testing.T, l *lan, iface, state string) {
	t.Helper()
	for _, a := range listAll(t, l) {
		if a.Interface == iface || (iface == "" && a.State == state) {
			if a.State != state {
				t.Errorf("list: %s is %q, want %q", iface, a.State, state)
			}
			return
		}
	}
	t.Errorf("list shows no %s (want state %q): %v", iface, state, listAll(t, l))
}

// eventuallyState waits (the kernel frees a dead netns in the background)
// until list shows iface in state.
func eventuallyState(t *testing.T, l *lan, iface, state string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, a := range listAll(t, l) {
			if a.Interface == iface && a.State == state {
				return
			}
		}
		if time.Now().After(deadline) {
			wantState(t, l, iface, state)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listAll runs `lanattach -o json list` in l's host netns.
func listAll(t *testing.T, l *lan) []attachment {
	t.Helper()
	r := l.Lanattach(t, "-o", "json", "list")
	if r.Code != 0 {
		t.Fatalf("list: %s", r)
	}
	var out struct{ Attachments []attachment }
	r.JSON(t, &out)
	return out.Attachments
}
