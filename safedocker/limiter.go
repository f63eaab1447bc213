package safedocker

import (
	"context"
)

// Limiter admits or refuses operations per client, globally and by in-flight
// count. The ratelimit package's *ratelimit.Limiter implements it.
//
// Acquire decides atomically for client and for the global limits, spending
// cost units. On admission it returns a release function that frees the
// in-flight slot; the client calls it exactly once, when the operation ends
// (also on panic or cancellation). On refusal it returns an error. A
// *ratelimit.LimitError (anywhere in the chain) supplies the Scope and
// RetryAfter of the *RateLimitError the operation returns. Any other error,
// including a limiter or store failure, also refuses the operation (Scope
// "error"): the client fails closed.
//
// Implementations must be safe for concurrent use.
type Limiter interface {
	Acquire(ctx context.Context, client string, cost int) (release func(), err error)
}
