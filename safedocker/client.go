package safedocker

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/internal/engine/docker"
	"github.com/safedocker/safedocker/internal/hostfs"
	"github.com/safedocker/safedocker/policy"
)

// New returns a client for ep. It performs no I/O: it validates the endpoint and
// the options and prepares the connection; Ping checks that the daemon answers.
//
// Defaults: an empty grant (every operation is refused until capabilities are
// granted with WithCapabilities or WithGrant), the Baseline policy
// (policy.New with a zero Config; for a Unix-socket endpoint, whose daemon runs
// on this host, with LocalPathResolver as its Paths, so host paths are resolved
// through symlinks), no rate limiter, audit events to slog.Default(),
// DefaultDeadlines and DefaultOutputBounds. An evaluator given with WithPolicy
// is used as is: see there.
func New(ep Endpoint, opts ...Option) (*Client, error) {
	if err := ep.Validate(); err != nil {
		return nil, err
	}
	o, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	pol, err := o.evaluator(ep.Kind() == EndpointKindUnixSocket)
	if err != nil {
		return nil, err
	}
	eng, err := docker.New(ep.transportConfig(), docker.Options{APIVersion: o.apiVersion})
	if err != nil {
		return nil, fmt.Errorf("safedocker: %w: %w", ErrInvalidInput, err)
	}
	return newClient(eng, ep, o, pol), nil
}

// evaluator returns the configured evaluator, or builds the default one.
func (o options) evaluator(local bool) (*policy.Evaluator, error) {
	if o.policy != nil {
		return o.policy, nil
	}
	cfg := policy.Config{Paths: o.paths}
	if cfg.Paths == nil && local {
		cfg.Paths = LocalPathResolver()
	}
	ev, err := policy.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("safedocker: default policy: %w", err)
	}
	return ev, nil
}

// LocalPathResolver returns the policy.PathResolver of this host's file
// system: it follows symbolic links in bind-mount sources and device paths the
// way the kernel will when the daemon mounts them, tolerating a missing tail
// (which the daemon would create), and tells the hostMounts check whether a
// Binds source exists (policy.PathStatter), so that a missing one under a
// read-only bind root is denied. Put it in policy.Config.Paths when the
// daemon runs on this host (a Unix-socket endpoint) and you build the evaluator
// yourself for WithPolicy; New uses it by default for Unix-socket endpoints
// when WithPolicy is not given. Never use it for a remote daemon: its paths
// are on another host, and a symlink there cannot be followed from here. The
// resolver is stateless and safe for concurrent use.
func LocalPathResolver() policy.PathResolver { return hostfs.Resolver{} }

// Client performs security-checked Docker operations. Every operation passes
// the pipeline described in the package documentation: capability, rate limit,
// validation, policy, audit, engine. A Client is safe for concurrent use.
//
// A Client holds a fixed Grant. Narrow returns a client with fewer
// capabilities; no method returns one with more.
type Client struct {
	eng       engine.Engine
	endpoint  Endpoint
	policy    *policy.Evaluator
	grant     Grant
	limiter   Limiter
	audit     auditor
	deadlines Deadlines
	bounds    OutputBounds
	ops       opsSettings
	// facts caches what the daemon view needs to know about the daemon's
	// host; shared with narrowed clients.
	facts *hostFacts

	// closed is this client's own flag; rootClosed is shared with every client
	// narrowed from the same root, and set when the root is closed.
	closed     *atomic.Bool
	rootClosed *atomic.Bool
	root       bool
}

// newClient builds a client over eng from resolved options.
func newClient(eng engine.Engine, ep Endpoint, o options, pol *policy.Evaluator) *Client {
	rootClosed := new(atomic.Bool)
	return &Client{
		eng:        eng,
		endpoint:   ep,
		policy:     pol,
		grant:      o.grant,
		limiter:    o.limiter,
		audit:      auditor{log: o.logger},
		deadlines:  o.deadlines,
		bounds:     o.bounds,
		ops:        o.ops,
		facts:      new(hostFacts),
		closed:     rootClosed,
		rootClosed: rootClosed,
		root:       true,
	}
}

// isClosed reports whether c, or the root it was narrowed from, is closed.
func (c *Client) isClosed() bool {
	return c.closed.Load() || c.rootClosed.Load()
}

// Grant returns the client's capabilities.
func (c *Client) Grant() Grant { return c.grant }

// Narrow returns a client holding only caps, which must all be in c's grant;
// asking for a capability c does not hold fails with ErrCapabilityDenied, so a
// narrowed client can never be widened again. The narrowed client shares c's
// connection, limiter, policy and audit logger.
//
// Closing a narrowed client stops that client only; closing the client built by
// New stops it and every client narrowed from it.
func (c *Client) Narrow(caps ...Capability) (*Client, error) {
	want := NewGrant(caps...)
	for _, cp := range caps {
		if !c.grant.Has(cp) {
			return nil, &CapabilityError{Op: "narrow", Capability: cp}
		}
	}
	n := *c
	n.grant = c.grant.Intersect(want)
	n.closed = new(atomic.Bool)
	n.root = false
	return &n, nil
}

// Close releases the client. Operations called afterwards fail with ErrClosed.
// Closing the client returned by New closes the connection to the daemon; it is
// idempotent and safe to call concurrently with operations (in-flight ones
// finish or fail).
func (c *Client) Close() error {
	if c.closed.Swap(true) || !c.root {
		return nil
	}
	if err := c.eng.Close(); err != nil {
		return fmt.Errorf("safedocker: close: %w", err)
	}
	return nil
}

// Ping checks that the daemon answers. For a Unix-socket endpoint it first
// runs the socket check (Endpoint.CheckSocket) and fails with an error matching
// ErrUnavailable (and the socket check's sentinel) when the socket is unsafe;
// then it calls the daemon's /_ping. Capability: CapSystemRead.
func (c *Client) Ping(ctx context.Context) (PingResult, error) {
	var res PingResult
	err := c.run(ctx, operation{name: "system.ping", cap: CapSystemRead}, nil, nil, func(ctx context.Context) error {
		if c.endpoint.Kind() == EndpointKindUnixSocket {
			rep, err := c.endpoint.CheckSocket()
			if err != nil {
				return fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
			}
			res.Socket = &rep
		}
		p, err := c.eng.Ping(ctx)
		if err != nil {
			return err
		}
		res.APIVersion, res.OSType, res.Experimental = p.APIVersion, p.OSType, p.Experimental
		return nil
	})
	if err != nil {
		return PingResult{}, err
	}
	return res, nil
}

// PingResult is the answer to Ping.
type PingResult struct {
	// APIVersion is the highest Engine API version the daemon supports.
	APIVersion string
	// OSType is the daemon's operating system, e.g. "linux".
	OSType string
	// Experimental reports whether the daemon runs experimental features.
	Experimental bool
	// Socket is the socket check's report for a Unix-socket endpoint; nil for TLS.
	Socket *SocketReport
}
