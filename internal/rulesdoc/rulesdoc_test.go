package rulesdoc

import (
	"os"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/policy"
)

func TestREADMEUpToDate(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Splice(doc, Table(policy.DefaultChecks()))
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(doc) {
		t.Fatal("README.md rules table is stale: run `go generate ./internal/rulesdoc`")
	}
}

func TestTableListsEveryCheck(t *testing.T) {
	checks := policy.DefaultChecks()
	if len(checks) == 0 {
		t.Fatal("no checks registered")
	}
	table := Table(checks)
	for _, c := range checks {
		if !strings.Contains(table, "| `"+string(c.ID)+"` |") {
			t.Errorf("table lacks check %s", c.ID)
		}
	}
}

func TestSpliceNeedsMarkers(t *testing.T) {
	if _, err := Splice([]byte("no markers"), "x"); err != ErrNoMarkers {
		t.Fatalf("err = %v, want ErrNoMarkers", err)
	}
	got, err := Splice([]byte("a\n"+BeginMarker+"\nold\n"+EndMarker+"\nb\n"), "new\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "a\n" + BeginMarker + "\nnew\n" + EndMarker + "\nb\n"
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
