package safedocker

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

// Sentinel errors. Every error an operation returns matches exactly one of them
// with errors.Is (plus context.Canceled or context.DeadlineExceeded where
// noted), or, for a pull whose credential provider failed, ErrCredentials
// alone. The typed errors below carry details and match their sentinel.
var (
	// ErrCapabilityDenied is returned when the operation's capability is not in
	// the client's grant. It is returned before the rate limiter, validation,
	// policy or the daemon are consulted. The error is a *CapabilityError.
	ErrCapabilityDenied = errors.New("safedocker: capability not granted")
	// ErrRateLimited is returned when the limiter refuses the operation (per
	// client, global or in-flight), or when the limiter itself fails (the
	// limiter fails closed). The error is a *RateLimitError.
	ErrRateLimited = errors.New("safedocker: rate limited")
	// ErrInvalidInput is returned when an argument fails validation, including a
	// malformed client identity in the context. The error is a *ValidationError.
	ErrInvalidInput = errors.New("safedocker: invalid input")
	// ErrPolicyViolation is returned when the policy denies the request. The
	// error is a *PolicyError listing every finding.
	ErrPolicyViolation = errors.New("safedocker: denied by policy")
	// ErrClosed is returned by operations on a client after Close.
	ErrClosed = errors.New("safedocker: client closed")

	// ErrNotFound is returned when the daemon reports that the object does not
	// exist. It wraps the daemon's error.
	ErrNotFound = engine.ErrNotFound
	// ErrConflict is returned when the request conflicts with the object's state
	// (name in use, container running or already stopped, object in use).
	ErrConflict = engine.ErrConflict
	// ErrRejected is returned when the daemon rejects a request as invalid that
	// passed our own validation.
	ErrRejected = engine.ErrRejected
	// ErrForbidden is returned when the daemon or an authorization plugin
	// refuses the request.
	ErrForbidden = engine.ErrForbidden
	// ErrUnavailable is returned when the daemon cannot be reached or is not
	// ready, and by Ping when the endpoint's socket check fails.
	ErrUnavailable = engine.ErrUnavailable
	// ErrNotImplemented is returned when the daemon does not support the operation.
	ErrNotImplemented = engine.ErrNotImplemented
	// ErrDaemon is returned for an internal or unclassified daemon failure.
	ErrDaemon = engine.ErrDaemon
	// ErrTimeout is returned when the operation's deadline (the per-class
	// default, see WithDeadlines, or the caller's) expires. It also matches
	// context.DeadlineExceeded.
	ErrTimeout = engine.ErrTimeout
	// ErrCanceled is returned when the caller's context is canceled. It also
	// matches context.Canceled.
	ErrCanceled = engine.ErrCanceled
)

// CapabilityError reports an operation outside the client's grant.
type CapabilityError struct {
	// Op is the operation, e.g. "container.create".
	Op string
	// Capability is the capability the operation needs.
	Capability Capability
}

// Error returns "safedocker: <op>: capability <name> not granted".
func (e *CapabilityError) Error() string {
	return fmt.Sprintf("safedocker: %s: capability %s not granted", e.Op, e.Capability)
}

// Is reports whether target is ErrCapabilityDenied.
func (e *CapabilityError) Is(target error) bool { return target == ErrCapabilityDenied }

// RateLimitError reports a refusal by the limiter.
type RateLimitError struct {
	// Op is the operation.
	Op string
	// Scope says which limit refused: "client", "global", "inflight" or the
	// limiter's own scope name; "error" when the limiter failed.
	Scope string
	// RetryAfter is how long to wait before retrying; 0 when unknown.
	RetryAfter time.Duration
	// Err is the limiter's error.
	Err error
}

// Error returns "safedocker: <op>: rate limited (<scope>), retry after <d>".
func (e *RateLimitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "safedocker: %s: rate limited", e.Op)
	if e.Scope != "" {
		fmt.Fprintf(&b, " (%s)", e.Scope)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Err != nil && e.Scope == "error" {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Is reports whether target is ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap returns the limiter's error.
func (e *RateLimitError) Unwrap() error { return e.Err }

// ValidationError reports an invalid argument. Reason never contains a secret
// (environment values and credentials are never echoed).
type ValidationError struct {
	// Op is the operation ("" when the error comes from a builder method).
	Op string
	// Field names the argument, e.g. "name" or "env[2]".
	Field string
	// Reason says what is wrong.
	Reason string
	// Err is the underlying validation error, if any.
	Err error
}

// Error returns "safedocker: <op>: invalid <field>: <reason>".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("safedocker: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString("invalid ")
	if e.Field != "" {
		b.WriteString(e.Field)
	} else {
		b.WriteString("input")
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidInput.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidInput }

// Unwrap returns the underlying validation error.
func (e *ValidationError) Unwrap() error { return e.Err }

// PolicyError reports a request the policy denies, with every finding at once.
type PolicyError struct {
	// Op is the operation.
	Op string
	// Findings are the reasons for the denial, in check order. They name env
	// keys, never values.
	Findings []policy.Finding
}

// Error returns the operation and up to three findings on one line.
func (e *PolicyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "safedocker: %s: denied by policy", e.Op)
	for i, f := range e.Findings {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Findings)-i)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Is reports whether target is ErrPolicyViolation.
func (e *PolicyError) Is(target error) bool { return target == ErrPolicyViolation }

// CheckIDs returns the IDs of the checks that denied, without duplicates, in
// order of first appearance.
func (e *PolicyError) CheckIDs() []policy.CheckID {
	return checkIDs(e.Findings)
}

func checkIDs(fs []policy.Finding) []policy.CheckID {
	out := make([]policy.CheckID, 0, len(fs))
	seen := make(map[policy.CheckID]bool, len(fs))
	for _, f := range fs {
		if !seen[f.Check] {
			seen[f.Check] = true
			out = append(out, f.Check)
		}
	}
	return out
}

// errorClass names the sentinel err matches, for audit events: a short,
// stable word that never carries a message.
func errorClass(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrCapabilityDenied):
		return "capability_denied"
	case errors.Is(err, ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, ErrInvalidInput):
		return "invalid_input"
	case errors.Is(err, ErrPolicyViolation):
		return "policy_violation"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrCredentials):
		return "credentials"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.Is(err, ErrRejected):
		return "rejected"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrNotImplemented):
		return "not_implemented"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrCanceled):
		return "canceled"
	case errors.Is(err, ErrDaemon):
		return "daemon"
	}
	return "other"
}

// truncate bounds s to n bytes for messages, cutting at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && i < len(s) && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "..."
}
