// Package safedocker performs security-checked Docker operations for programs
// that let untrusted intent reach a Docker daemon (an MCP server driven by a
// language model, an internal self-service tool, a CI runner).
//
// # Usage
//
// Build an [Endpoint] (mutual TLS, or a Unix socket acknowledged as
// root-equivalent), then a [Client] holding exactly the capabilities the
// program needs:
//
//	ep, err := safedocker.UnixSocketEndpoint("/var/run/docker.sock", safedocker.AcknowledgeRootEquivalentSocket)
//	c, err := safedocker.New(ep, safedocker.WithCapabilities(
//		safedocker.CapContainerCreate, safedocker.CapContainerStart, safedocker.CapContainerWait,
//		safedocker.CapContainerLogs, safedocker.CapContainerRemove))
//	created, err := c.NewContainer("alpine:3").WithCommand("echo", "hi").Create(ctx)
//
// [New] does no I/O; [Client.Ping] checks the socket and the daemon.
//
// # The pipeline
//
// Every operation runs the same steps, in this order, and stops at the first
// denial; a denied request never reaches the daemon:
//
//  1. capability: the operation's [Capability] must be in the client's
//     [Grant], else a [*CapabilityError] ([ErrCapabilityDenied]);
//  2. rate limit: the [Limiter], if any, decides for the client identity in
//     the context ([WithClientID]) and globally, atomically, and holds an
//     in-flight slot until the operation ends, else a [*RateLimitError]
//     ([ErrRateLimited]);
//  3. validation of the arguments, else a [*ValidationError]
//     ([ErrInvalidInput]);
//  4. policy: the evaluator (policy.New at Baseline by default) judges the
//     request and reports every finding, else a [*PolicyError]
//     ([ErrPolicyViolation]);
//  5. audit: one structured log/slog decision event, allowed or denied;
//  6. the engine call, under the deadline of the operation's class
//     ([Deadlines]), with bounded output ([OutputBounds]); daemon errors are
//     mapped onto [ErrNotFound], [ErrConflict], [ErrRejected],
//     [ErrForbidden], [ErrUnavailable], [ErrNotImplemented], [ErrDaemon],
//     [ErrTimeout] and [ErrCanceled], wrapping the cause; a pull whose
//     credential provider fails returns a [*CredentialError]
//     ([ErrCredentials]) and never reaches the daemon.
//
// # Capabilities
//
// Capabilities are typed constants, each with a safety class (read, write or
// destructive); destructive operations have capabilities of their own. Hand a
// component a client from [Client.Narrow] and one of the small per-capability
// interfaces ([ContainerReader], [ContainerLogReader], [ContainerCreator],
// [ContainerLifecycle], [ContainerRemover], ...): it cannot do more, and a
// narrowed client can never be widened again.
//
// # Audit
//
// Each operation logs one decision event and, when admitted, one result event
// (see the attribute list on auditMessage in audit.go, reproduced in the
// README). Events carry identifiers only: never environment values,
// credentials or daemon messages.
//
// # Concurrency
//
// A Client is safe for concurrent use. Builders ([ContainerBuilder]) are
// values: every With method returns a copy, so they can be shared freely.
package safedocker
