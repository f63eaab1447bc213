// Package ratelimit limits how fast, and how many at once, clients may run
// operations: a per-client rate, a global rate shared by all clients, and
// per-client and global in-flight (concurrency) limits.
//
// # Algorithm
//
// Rates use the generic cell rate algorithm (GCRA). Each bucket is one
// integer, its theoretical arrival time (TAT). A [Limit] of Events per Per
// with Burst B behaves exactly like a token bucket of capacity B refilled at
// Events/Per: B requests may arrive at once, after which requests are
// admitted every Per/Events. A denial writes nothing, so a flooding client
// costs no writes and cannot push its own bucket further into the future.
// A time earlier than the bucket's last decision never mints tokens: the
// decision uses max(TAT, now).
//
// # Pieces
//
//   - [Limit] is a validated rate; build it with [NewLimit] or [PerSecond].
//   - [Store] keeps bucket state. It decides a per-client bucket and the
//     global bucket atomically: both are spent or neither is. Two stores are
//     provided: ratelimit/memorystore (one process, bounded memory, no
//     allocation per decision) and ratelimit/redisstore (shared across
//     processes, one round trip per decision, the Redis server's clock).
//     ratelimit/ratelimittest holds the conformance suite both pass.
//   - [Limiter] combines the per-client limit, the optional global limit and
//     the optional in-flight limits, and offers Allow/AllowN, Reserve/Cancel,
//     Wait and Acquire.
//
// # Failure policy
//
// The package fails closed. Invalid limits, costs at or below zero, empty
// client keys and store errors all deny. A store error is reported as an
// error matching [ErrStore]; only [FailOpenOnStoreError], named so it is
// easy to find in review, turns store errors into admissions.
//
// # Client identity
//
// The client key is the caller's authenticated identity. There is no shared
// bucket for unknown callers: an empty key is rejected with [ErrInvalid], so
// one anonymous caller cannot starve every other anonymous caller, and a
// forgotten identity is a visible error rather than a silent shared limit.
package ratelimit
