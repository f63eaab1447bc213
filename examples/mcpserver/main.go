// Command mcpserver is a Model Context Protocol server that gives a language
// model Docker tools through safedocker, built on the official Go MCP SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// Every tool is one safedocker operation: the client is narrowed to exactly
// the capabilities of the tools offered, every call is rate limited per
// client, audited, checked by the policy and bounded in its output. A policy
// denial is returned to the model as a tool error naming the check, the field
// and the fix, so it can correct its request.
//
// Tools come in three safety classes. Read tools are always offered; write
// tools (create, start, stop, restart, exec, pull, volume and network create,
// connect) only with -allow-write; destructive tools (remove, kill) only with
// -allow-destructive.
//
// Transports:
//
//	mcpserver                                   # stdio (default)
//	mcpserver -http 127.0.0.1:8080 -token-file tokens.txt
//
// Over HTTP (the streamable transport) every request needs
// "Authorization: Bearer <token>"; tokens come from -token-file (one per line,
// the file readable by its owner only) or from SAFEDOCKER_MCP_TOKENS
// (comma-separated), and must be at least 32 characters. The token, never a
// header the client chooses or its address, is the identity the per-client
// rate limit and the audit log use. A non-loopback address needs -tls-cert and
// -tls-key.
//
// The daemon is found through DOCKER_HOST (or -host) under safedocker's
// endpoint rules: a Unix socket (acknowledged in this program as
// root-equivalent) or mutual TLS. Audit events go to standard error as JSON.
//
// The policy is safedocker's Baseline level, or Restricted with
// -level restricted. Bind mounts are denied unless -allow-bind names a host
// directory under which they may be made (read-only; "DIR:rw" for read-write);
// sensitive paths stay denied under it, and for a local daemon symlinks are
// followed on this host before judging.
//
// Run mcpserver -h for every flag. The exit status is 0 after a clean
// shutdown and 2 on a configuration or start-up error.
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
