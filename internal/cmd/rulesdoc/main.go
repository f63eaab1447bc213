// Command rulesdoc rewrites the policy rules table in the README from the
// policy registry. Run it with `go generate ./internal/rulesdoc`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/safedocker/safedocker/internal/rulesdoc"
	"github.com/safedocker/safedocker/policy"
)

func main() {
	readme := flag.String("readme", "README.md", "path of the README to rewrite")
	flag.Parse()
	if err := run(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "rulesdoc:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := rulesdoc.Splice(doc, rulesdoc.Table(policy.DefaultChecks()))
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
