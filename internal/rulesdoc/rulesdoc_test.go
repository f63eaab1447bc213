package rulesdoc

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedocker/safedocker/policy"
)

func TestREADMEUpToDate(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	want, err := Splice(doc, Table(policy.DefaultChecks()))
	require.NoError(t, err)
	if string(want) != string(doc) {
		t.Fatal("README.md rules table is stale: run `go generate ./internal/rulesdoc`")
	}
}

func TestTableListsEveryCheck(t *testing.T) {
	checks := policy.DefaultChecks()
	require.NotEmpty(t, checks, "no checks registered")
	table := Table(checks)
	for _, c := range checks {
		assert.Contains(t, table, "| `"+string(c.ID)+"` | "+c.Level.String()+" |", "table row for %s", c.ID)
		assert.NotEmpty(t, c.Title, "check %s has no title", c.ID)
		assert.NotEmpty(t, c.Fields, "check %s lists no fields", c.ID)
	}
}

func TestTableEscapesPipes(t *testing.T) {
	table := Table([]policy.Check{{ID: "x", Title: "a | b", Fields: []string{"F"}}})
	assert.Contains(t, table, `a \| b`)
}

func TestSpliceNeedsMarkers(t *testing.T) {
	_, err := Splice([]byte("no markers"), "x")
	require.ErrorIs(t, err, ErrNoMarkers)
	_, err = Splice([]byte(EndMarker+"\n"+BeginMarker), "x")
	require.ErrorIs(t, err, ErrNoMarkers, "markers in the wrong order")

	got, err := Splice([]byte("a\n"+BeginMarker+"\nold\n"+EndMarker+"\nb\n"), "new\n")
	require.NoError(t, err)
	assert.Equal(t, "a\n"+BeginMarker+"\nnew\n"+EndMarker+"\nb\n", string(got))
}
