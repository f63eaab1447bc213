// Command policycheck judges Docker Engine API requests with the safedocker
// policy, for CI pipelines and audits.
//
// It reads JSON Lines, from standard input or from the files named as
// arguments, one request envelope per line:
//
//	{"id": "web", "method": "POST", "path": "/v1.47/containers/create?name=web", "body": {...}}
//
// The body is judged from its exact bytes, decoded as the Docker daemon
// decodes it; other envelope fields are ignored. For each line it writes one
// JSON line:
//
//	{"id": "web", "allowed": false, "findings": [{"check": "privileged", "field": "HostConfig.Privileged", "message": "..."}]}
//
// Flags:
//
//	--level baseline|restricted   policy level (default baseline)
//	--allow-bind PATH             allow read-only binds under PATH; PATH:rw allows writable ones (repeatable)
//	--format json|text            output format; text adds the remediation (default json)
//
// The exit status is 0 when every request is allowed, 1 when any is denied or
// not judged, and 2 when input cannot be read (a missing file, a malformed
// line, bad flags). A malformed line gets an error line of its own and the
// remaining lines are still judged.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
