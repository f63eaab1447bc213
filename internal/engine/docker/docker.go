// Package docker implements engine.Engine over the Docker Engine API with the
// Docker SDK (github.com/docker/docker/client). It is the only package of the
// module, besides its decode subpackage, that imports the Docker SDK: a test
// enforces it, so replacing the SDK (for github.com/moby/moby/client) touches
// this directory and go.mod only.
//
// The SDK client is built around an *http.Client from internal/engine/transport
// (pinned to the endpoint: a Unix socket or verified TLS), never from the
// environment; the API version is negotiated with the daemon on the first
// request unless pinned. Daemon errors are mapped onto the engine sentinels,
// wrapping the SDK's error; the SDK reads at most 1 MiB of an error body and
// this package keeps at most MaxErrorMessage bytes of its message.
package docker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/internal/engine/transport"
)

// MaxErrorMessage bounds the daemon message kept in a mapped error, in bytes.
const MaxErrorMessage = 2048

// Options configure New.
type Options struct {
	// APIVersion pins the Engine API version ("1.41"); "" negotiates it.
	APIVersion string
}

// Engine is the Docker implementation of engine.Engine. It is safe for
// concurrent use.
type Engine struct {
	cli  *client.Client
	http *http.Client
	once sync.Once
}

// New returns an engine for the endpoint described by cfg. It does no I/O.
func New(cfg transport.Config, opts Options) (*Engine, error) {
	hc, err := transport.NewHTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	// WithHost must come before WithHTTPClient: WithHost reconfigures the
	// transport of the client it finds (the SDK's default one, discarded here),
	// and would otherwise replace our pinned dialer and enable proxies from the
	// environment.
	copts := []client.Opt{client.WithHost(cfg.Host), client.WithHTTPClient(hc)}
	if cfg.TLS != nil {
		copts = append(copts, client.WithScheme("https"))
	}
	if opts.APIVersion != "" {
		copts = append(copts, client.WithVersion(opts.APIVersion))
	} else {
		copts = append(copts, client.WithAPIVersionNegotiation())
	}
	base := hc.Transport
	cli, err := client.NewClientWithOpts(copts...)
	if err != nil {
		return nil, fmt.Errorf("docker: building the client: %w", err)
	}
	// The SDK wraps the transport (tracing) but must not have reconfigured it.
	if err := transport.Check(base); err != nil {
		_ = cli.Close()
		return nil, fmt.Errorf("docker: the SDK changed the pinned transport: %w", err)
	}
	return &Engine{cli: cli, http: hc}, nil
}

// Close closes idle connections. It is idempotent.
func (e *Engine) Close() error {
	var err error
	e.once.Do(func() {
		err = e.cli.Close()
		e.http.CloseIdleConnections()
	})
	return err
}

var _ engine.Engine = (*Engine)(nil)

// daemonError carries the daemon's (bounded) message for one operation and
// unwraps to the SDK's error.
type daemonError struct {
	op  string
	msg string
	err error
}

func (e *daemonError) Error() string { return e.op + ": " + e.msg }
func (e *daemonError) Unwrap() error { return e.err }

// mapErr maps an SDK error onto an engine sentinel, wrapping it. nil stays nil.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	de := &daemonError{op: op, msg: boundMessage(err.Error()), err: err}
	var sentinel error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		sentinel = engine.ErrTimeout
	case errors.Is(err, context.Canceled):
		sentinel = engine.ErrCanceled
	case cerrdefs.IsNotFound(err):
		sentinel = engine.ErrNotFound
	case cerrdefs.IsConflict(err), cerrdefs.IsAlreadyExists(err):
		sentinel = engine.ErrConflict
	case cerrdefs.IsInvalidArgument(err), cerrdefs.IsFailedPrecondition(err), cerrdefs.IsOutOfRange(err):
		sentinel = engine.ErrRejected
	case cerrdefs.IsPermissionDenied(err), cerrdefs.IsUnauthorized(err):
		sentinel = engine.ErrForbidden
	case cerrdefs.IsNotImplemented(err):
		sentinel = engine.ErrNotImplemented
	case client.IsErrConnectionFailed(err), cerrdefs.IsUnavailable(err), isNetError(err):
		sentinel = engine.ErrUnavailable
	case cerrdefs.IsDeadlineExceeded(err):
		sentinel = engine.ErrTimeout
	case cerrdefs.IsCanceled(err):
		sentinel = engine.ErrCanceled
	default:
		sentinel = engine.ErrDaemon
	}
	return fmt.Errorf("%w: %w", sentinel, de)
}

// isNetError reports transport-level failures (dial, TLS handshake, reset).
func isNetError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}

// boundMessage keeps at most MaxErrorMessage bytes of a daemon message.
func boundMessage(s string) string {
	if len(s) <= MaxErrorMessage {
		return s
	}
	i := MaxErrorMessage
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "... (truncated)"
}
