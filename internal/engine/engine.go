// Package engine is the narrow seam between safedocker and a container engine,
// expressed only in this module's own types. The single implementation talking
// to a real daemon lives in internal/engine/docker, the only package allowed to
// import the Docker SDK; internal/enginetest holds a recording fake.
//
// Implementations map every daemon failure onto one of the sentinel errors
// below, wrapping the cause with %w so that errors.Is matches the sentinel and
// errors.As still reaches the original error. Implementations must be safe for
// concurrent use.
//
// Each group of operations is a small interface of its own (Containers,
// System, and the operation groups in the sibling files); Engine embeds them
// all.
package engine

import (
	"context"
	"errors"
	"time"
)

// The sentinel errors an engine returns, always wrapped. They are re-exported by
// package safedocker under the same names, so callers match them there.
var (
	// ErrNotFound: the daemon reports that the object does not exist.
	ErrNotFound = errors.New("safedocker: not found")
	// ErrConflict: the request conflicts with the object's state or name
	// (name in use, container running, object in use).
	ErrConflict = errors.New("safedocker: conflict")
	// ErrRejected: the daemon rejected the request as invalid.
	ErrRejected = errors.New("safedocker: rejected by the daemon")
	// ErrForbidden: the daemon (or an authorization plugin) refused the request.
	ErrForbidden = errors.New("safedocker: forbidden by the daemon")
	// ErrUnavailable: the daemon could not be reached, or it is not ready.
	ErrUnavailable = errors.New("safedocker: daemon unavailable")
	// ErrNotImplemented: the daemon does not support the operation.
	ErrNotImplemented = errors.New("safedocker: not implemented by the daemon")
	// ErrDaemon: the daemon failed with an internal or unclassified error.
	ErrDaemon = errors.New("safedocker: daemon error")
	// ErrTimeout: the operation's deadline expired before the daemon answered.
	ErrTimeout = errors.New("safedocker: timed out")
	// ErrCanceled: the caller's context was canceled.
	ErrCanceled = errors.New("safedocker: canceled")
)

// Engine is everything safedocker asks of a container engine.
type Engine interface {
	Containers
	System
	Exec
	Images
	Volumes
	Networks
	SystemInfo
	// Close releases the engine's resources (idle connections). It is idempotent.
	Close() error
}

// System holds the daemon-level reads the client itself needs.
type System interface {
	// Ping calls the daemon's /_ping endpoint.
	Ping(ctx context.Context) (PingResult, error)
	// Version returns the daemon's version information.
	Version(ctx context.Context) (VersionInfo, error)
}

// PingResult is the answer to a ping.
type PingResult struct {
	// APIVersion is the highest API version the daemon supports.
	APIVersion string
	// OSType is the daemon's operating system ("linux").
	OSType string
	// Experimental is true when the daemon runs with experimental features.
	Experimental bool
}

// VersionInfo describes the daemon.
type VersionInfo struct {
	Version       string
	APIVersion    string
	MinAPIVersion string
	GitCommit     string
	GoVersion     string
	OS            string
	Arch          string
	KernelVersion string
	BuildTime     time.Time
}
