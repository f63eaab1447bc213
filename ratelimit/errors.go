package ratelimit

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrLimited is matched (errors.Is) by every [*LimitError]: a request was
	// denied by a rate or in-flight limit. It is not returned for store
	// failures or invalid input.
	ErrLimited = errors.New("ratelimit: limited")

	// ErrCostExceedsBurst is matched by a [*LimitError] whose cost can never
	// be admitted because it exceeds the burst of the limit that denied it
	// (RetryAfter is [Never]); waiting will not help.
	ErrCostExceedsBurst = errors.New("ratelimit: cost exceeds burst")

	// ErrStore is matched by errors from a [Store] backend (unreachable
	// server, timeout, cancelled context, unexpected reply, [ErrStopped],
	// [ErrCapacity]). A [Limiter] denies on it unless [FailOpenOnStoreError]
	// was chosen.
	ErrStore = errors.New("ratelimit: store failure")

	// ErrStopped is returned, together with [ErrStore], by a Store used
	// after Close and by a closed [Limiter].
	ErrStopped = errors.New("ratelimit: stopped")

	// ErrCapacity is returned, together with [ErrStore], when a store with
	// a hard cap on tracked keys is full of live buckets and refuses a new
	// key. Live buckets are never evicted to make room.
	ErrCapacity = errors.New("ratelimit: store at capacity")

	// ErrInvalid is matched by errors for malformed input: an empty or too
	// long client key, a cost below 1, an invalid or missing limit, a
	// decision time out of range, an unknown option.
	ErrInvalid = errors.New("ratelimit: invalid argument")
)

var (
	errEmptyKey = fmt.Errorf("%w: empty client key (no shared bucket for unknown clients)", ErrInvalid)
	errLongKey  = fmt.Errorf("%w: client key longer than %d bytes", ErrInvalid, MaxKeyLen)
	errNoLimit  = fmt.Errorf("%w: missing client limit", ErrInvalid)
	errCost     = fmt.Errorf("%w: cost must be at least 1", ErrInvalid)
)

// LimitError reports a denial by a rate or in-flight limit. It matches
// [ErrLimited], and also [ErrCostExceedsBurst] when RetryAfter is [Never].
type LimitError struct {
	// Scope is the limit that denied.
	Scope Scope
	// RetryAfter is the wait until the same cost would be admitted by the
	// rate limit that denied, [Never] when it never will, and 0 for
	// in-flight limits (a slot frees when another operation ends).
	RetryAfter time.Duration
	// Result is the rate decision; it is the zero Result for in-flight
	// denials.
	Result Result
}

// Error returns "ratelimit: client limit exceeded, retry after 1.5s" and
// similar.
func (e *LimitError) Error() string {
	switch {
	case e.RetryAfter == Never:
		return fmt.Sprintf("ratelimit: cost exceeds the %s limit's burst", e.Scope)
	case e.Scope == ScopeClientInFlight || e.Scope == ScopeGlobalInFlight:
		return fmt.Sprintf("ratelimit: %s limit reached", e.Scope)
	default:
		return fmt.Sprintf("ratelimit: %s limit exceeded, retry after %s", e.Scope, e.RetryAfter)
	}
}

// Is reports whether target is [ErrLimited], or [ErrCostExceedsBurst] for a
// cost that can never be admitted.
func (e *LimitError) Is(target error) bool {
	return target == ErrLimited || (target == ErrCostExceedsBurst && e.RetryAfter == Never)
}

// StoreError wraps a backend failure so that it matches [ErrStore] and still
// unwraps to its cause.
func StoreError(op string, err error) error {
	if errors.Is(err, ErrStore) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrStore, op, err)
}
