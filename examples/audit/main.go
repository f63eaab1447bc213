// Command audit inspects the containers of a Docker daemon and reports which
// of them the safedocker policy would deny, with every finding: the check, the
// Engine API field, the offending value, the reason and the fix.
//
// It judges the daemon's own view of each container (its inspect result,
// converted into the policy model), so containers created by any tool are
// covered: docker run, compose, an orchestrator, another program.
//
// Usage:
//
//	audit [-level baseline|restricted] [-all] [-label key[=value]]... [-format text|json] [-host unix:///path]
//
// By default it audits running containers at the baseline level and prints
// text. -all includes stopped containers; -label narrows the audit to
// containers carrying every given label. The daemon is found through
// DOCKER_HOST (or -host) under safedocker's endpoint rules; the program only
// needs the container-read capability and never changes anything.
//
// Exit status: 0 when no audited container violates the policy, 1 when at
// least one does, 2 on errors (bad flags, an unreachable daemon, a container
// that could not be inspected); with errors the report is still printed but is
// incomplete, so 2 wins over 1.
//
// Host paths of bind mounts are judged as the daemon reports them, without
// resolving symlinks on the host.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
