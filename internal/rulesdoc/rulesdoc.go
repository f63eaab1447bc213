// Package rulesdoc renders the README's policy rules table from the policy
// registry, so the table cannot drift from the checks: `go generate ./...`
// rewrites it and TestREADMEUpToDate fails when it is stale.
package rulesdoc

//go:generate go run ../cmd/rulesdoc -readme ../../README.md

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/safedocker/safedocker/policy"
)

// The markers that delimit the generated table in the README.
const (
	BeginMarker = "<!-- BEGIN generated rules table: go generate ./internal/rulesdoc -->"
	EndMarker   = "<!-- END generated rules table -->"
)

// ErrNoMarkers is returned by Splice when the document lacks the markers.
var ErrNoMarkers = errors.New("rulesdoc: README has no generated-table markers")

// Table renders checks as a markdown table: check ID, level, what it denies, and
// the request fields it reads, in the order given.
func Table(checks []policy.Check) string {
	var b strings.Builder
	b.WriteString("| Check ID | Level | Denies | Fields |\n|---|---|---|---|\n")
	for _, c := range checks {
		fields := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			fields[i] = "`" + f + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.Level, escape(c.Title), strings.Join(fields, ", "))
	}
	return b.String()
}

// Splice replaces what lies between the markers in doc with table.
func Splice(doc []byte, table string) ([]byte, error) {
	begin := bytes.Index(doc, []byte(BeginMarker))
	end := bytes.Index(doc, []byte(EndMarker))
	if begin < 0 || end < begin {
		return nil, ErrNoMarkers
	}
	var out bytes.Buffer
	out.Write(doc[:begin+len(BeginMarker)])
	out.WriteString("\n")
	out.WriteString(table)
	out.Write(doc[end:])
	return out.Bytes(), nil
}

func escape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
