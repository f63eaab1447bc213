package ratelimit

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Never is the RetryAfter reported when a request can never be admitted,
// because its cost exceeds the burst of a limit it is checked against.
const Never time.Duration = math.MaxInt64

// maxTolerance bounds Interval*Burst so that time arithmetic cannot overflow.
const maxTolerance = 10 * 365 * 24 * time.Hour

// maxClockRange bounds how far an explicit decision time may lie from a
// store's epoch; see [Query.Now].
const maxClockRange = 100 * 365 * 24 * time.Hour

// MaxKeyLen is the longest client key a [Limiter] or [Store] accepts, in
// bytes. Longer keys are rejected with [ErrInvalid]; hash or truncate
// identities before using them as keys.
const MaxKeyLen = 512

// Limit is a validated GCRA rate: Events per Per, with at most Burst events
// admitted at the same instant. Build it with [NewLimit] or [PerSecond].
//
// The zero Limit means "no limit configured": it is accepted only where a
// limit is optional (the global limit of a [Query]) and rejected with
// [ErrInvalid] where one is required. Limit is a small value type; copy it
// freely. It is safe for concurrent use.
type Limit struct {
	interval int64   // nanoseconds between events, rounded up
	inverse  float64 // 1/interval, to divide without a division instruction
	per      time.Duration
	events   int32
	burst    int32
}

// NewLimit returns a limit of events per per, admitting up to burst events at
// once. It fails with [ErrInvalid] unless 1 ≤ events, burst ≤ 2³¹-1, per > 0 and
// per*burst/events is at most ten years. The emission interval per/events is
// rounded up to a whole nanosecond (up to a whole microsecond in the Redis
// store), which can only make the limit stricter.
func NewLimit(events int, per time.Duration, burst int) (Limit, error) {
	if events < 1 || per <= 0 || burst < 1 || events > math.MaxInt32 || burst > math.MaxInt32 {
		return Limit{}, fmt.Errorf("%w: limit needs events ≥ 1, per > 0 and burst ≥ 1, got %d per %s burst %d",
			ErrInvalid, events, per, burst)
	}
	interval := (int64(per) + int64(events) - 1) / int64(events)
	if interval > int64(maxTolerance)/int64(burst) {
		return Limit{}, fmt.Errorf("%w: limit %d per %s with burst %d spans more than %s",
			ErrInvalid, events, per, burst, maxTolerance)
	}
	return Limit{events: int32(events), per: per, burst: int32(burst), interval: interval,
		inverse: 1 / float64(interval)}, nil
}

// PerSecond is shorthand for NewLimit(events, time.Second, burst).
func PerSecond(events, burst int) (Limit, error) {
	return NewLimit(events, time.Second, burst)
}

// IsZero reports whether l is the zero Limit (no limit configured).
func (l Limit) IsZero() bool { return l.interval == 0 }

// Events returns the number of events per [Limit.Per].
func (l Limit) Events() int { return int(l.events) }

// Per returns the period in which [Limit.Events] events are admitted.
func (l Limit) Per() time.Duration { return l.per }

// Burst returns the largest cost admitted at one instant (the capacity of
// the equivalent token bucket).
func (l Limit) Burst() int { return int(l.burst) }

// Interval returns the emission interval, Per/Events rounded up to a whole
// nanosecond: the time one unit of cost takes to refill.
func (l Limit) Interval() time.Duration { return time.Duration(l.interval) }

// String formats l as "10/1s burst 20", or "none" for the zero Limit.
func (l Limit) String() string {
	if l.IsZero() {
		return "none"
	}
	return fmt.Sprintf("%d/%s burst %d", l.events, l.per, l.burst)
}

// Scope names the limit a decision is about.
type Scope uint8

const (
	// ScopeNone is the zero Scope. It appears only in zero Results.
	ScopeNone Scope = iota
	// ScopeClient is the per-client rate limit.
	ScopeClient
	// ScopeGlobal is the rate limit shared by all clients.
	ScopeGlobal
	// ScopeClientInFlight is the per-client limit on operations in flight.
	ScopeClientInFlight
	// ScopeGlobalInFlight is the limit on operations in flight for all clients.
	ScopeGlobalInFlight
)

// String returns "client", "global", "client in-flight", "global in-flight"
// or "none".
func (s Scope) String() string {
	switch s {
	case ScopeClient:
		return "client"
	case ScopeGlobal:
		return "global"
	case ScopeClientInFlight:
		return "client in-flight"
	case ScopeGlobalInFlight:
		return "global in-flight"
	case ScopeNone:
		return "none"
	default:
		return fmt.Sprintf("scope(%d)", uint8(s))
	}
}

// Result is the outcome of one rate decision.
//
// When Allowed is false, Scope, Remaining, RetryAfter and ResetAfter
// describe the limit that denied. When Allowed is true they describe the
// binding limit: the one with fewer units remaining (the client limit on a
// tie or when no global limit is set).
type Result struct {
	// Allowed reports whether the cost was spent.
	Allowed bool
	// Scope is ScopeClient or ScopeGlobal; see the type comment.
	Scope Scope
	// Remaining is the cost that could still be spent at the decision time
	// (after this request, when Allowed).
	Remaining int
	// RetryAfter is zero when Allowed; otherwise the wait until the same
	// cost would be admitted, or [Never] when the cost exceeds the burst.
	RetryAfter time.Duration
	// ResetAfter is the wait until the bucket is full again.
	ResetAfter time.Duration
}

// Query is one request to a [Store]: spend Cost in the bucket Key under
// Limit and, when Global is not zero, in the store's global bucket under
// Global, both or neither.
type Query struct {
	// Key identifies the client bucket. It must be non-empty and at most
	// [MaxKeyLen] bytes.
	Key string
	// Limit is the client limit; it must not be zero.
	Limit Limit
	// Global is the global limit; the zero Limit means no global limit.
	Global Limit
	// Cost is the amount to spend or refund; it must be at least 1.
	Cost int
	// Now is the decision time. The zero time means the store's own clock
	// (the process's monotonic clock in memorystore, the server clock in
	// redisstore). An explicit time is meant for tests and replays; one
	// store should see either explicit times or its own clock, not both.
	Now time.Time
}

// Validate reports whether q is well formed. Stores call it first and deny
// a malformed query with an error matching [ErrInvalid].
func (q *Query) Validate() error {
	switch {
	case q.Key == "":
		return errEmptyKey
	case len(q.Key) > MaxKeyLen:
		return errLongKey
	case q.Limit.IsZero():
		return errNoLimit
	case q.Cost < 1:
		return errCost
	}
	return nil
}

// Store keeps GCRA bucket state for a [Limiter]. Implementations must be
// safe for concurrent use and must fail closed: any doubt is an error, and
// an error is a denial.
type Store interface {
	// Take spends q.Cost in the client bucket q.Key and, when q.Global is
	// set, in the store's global bucket, atomically: either both are spent
	// or neither is. A denial changes no state and is reported in the
	// Result, not as an error. A cost above a limit's burst is denied with
	// RetryAfter [Never]. Errors match [ErrStore] (backend failure,
	// [ErrStopped] after Close, [ErrCapacity]) or [ErrInvalid].
	Take(ctx context.Context, q Query) (Result, error)
	// Refund gives back q.Cost previously spent by Take with the same
	// limits (a cancelled reservation). It never makes a bucket fuller
	// than it would be had the Take not happened.
	Refund(ctx context.Context, q Query) error
	// Close releases the store's resources. It is idempotent; afterwards
	// Take and Refund fail with an error matching [ErrStopped].
	Close(ctx context.Context) error
}

// Decision is one GCRA step in a store's time unit (nanoseconds in
// memorystore, microseconds in redisstore).
type Decision struct {
	// TAT is the bucket's new theoretical arrival time. Store it only when
	// Allowed; a denial leaves the bucket unchanged.
	TAT int64
	// Allowed reports whether the cost fits.
	Allowed bool
	// Remaining is the cost still available at now (after this request
	// when Allowed).
	Remaining int
	// RetryAfter is 0 when Allowed, -1 when cost > burst, else the wait.
	RetryAfter int64
	// ResetAfter is the wait until the bucket is full.
	ResetAfter int64
}

// Decide runs one GCRA step: a bucket whose theoretical arrival time is tat
// (any value ≤ now, including 0 for an absent bucket, means full) receives a
// request of cost at now, under a limit whose emission interval is interval
// and whose capacity is burst. All times share one unit. The caller ensures
// interval ≥ 1, burst ≥ 1, cost ≥ 1 and that interval*burst plus now does
// not overflow (true for any [Limit] and any time a [Store] accepts).
func Decide(tat, now, interval int64, burst, cost int) Decision {
	base := max(tat, now)
	tolerance := interval * int64(burst)
	if cost > burst {
		return Decision{TAT: tat, RetryAfter: -1, ResetAfter: base - now,
			Remaining: int((tolerance - (base - now)) / interval)}
	}
	newTAT := base + int64(cost)*interval
	if ahead := newTAT - now; ahead > tolerance {
		return Decision{TAT: tat, RetryAfter: ahead - tolerance, ResetAfter: base - now,
			Remaining: int((tolerance - (base - now)) / interval)}
	}
	return Decision{TAT: newTAT, Allowed: true, ResetAfter: newTAT - now,
		Remaining: int((tolerance - (newTAT - now)) / interval)}
}

// Decide is [Decide] in nanoseconds for limit l, without a division
// instruction on the hot path. l must not be zero.
func (l Limit) Decide(tat, now int64, cost int) Decision {
	base := max(tat, now)
	tolerance := l.interval * int64(l.burst)
	if cost > int(l.burst) {
		return Decision{TAT: tat, RetryAfter: -1, ResetAfter: base - now,
			Remaining: l.units(tolerance - (base - now))}
	}
	newTAT := base + int64(cost)*l.interval
	if ahead := newTAT - now; ahead > tolerance {
		return Decision{TAT: tat, RetryAfter: ahead - tolerance, ResetAfter: base - now,
			Remaining: l.units(tolerance - (base - now))}
	}
	return Decision{TAT: newTAT, Allowed: true, ResetAfter: newTAT - now,
		Remaining: l.units(tolerance - (newTAT - now))}
}

// Admit is the admitting half of [Limit.Decide], for a store's fast path: it
// reports whether cost fits a bucket whose theoretical arrival time is tat at
// now (nanoseconds) and, if it does, the bucket's new TAT. It fills in no
// Result fields; build those with [Admitted], or call Decide on a denial. l
// must not be zero.
func (l Limit) Admit(tat, now int64, cost int) (newTAT int64, ok bool) {
	if cost > int(l.burst) {
		return tat, false
	}
	newTAT = max(tat, now) + int64(cost)*l.interval
	return newTAT, newTAT-now <= l.interval*int64(l.burst)
}

// Admitted returns the Result of a request admitted at now (nanoseconds)
// by client, whose bucket's new TAT is ctat, and, unless global is zero, by
// global, whose new TAT is gtat. It equals Combine of the two admitted
// Decisions' Results (just the client's without a global limit), at less
// cost.
func Admitted(client Limit, ctat int64, global Limit, gtat, now int64) Result {
	r := Result{Allowed: true, Scope: ScopeClient, ResetAfter: time.Duration(ctat - now),
		Remaining: client.units(client.interval*int64(client.burst) - (ctat - now))}
	if global.IsZero() {
		return r
	}
	if g := global.units(global.interval*int64(global.burst) - (gtat - now)); g < r.Remaining {
		r.Scope, r.Remaining = ScopeGlobal, g
	}
	r.ResetAfter = max(r.ResetAfter, time.Duration(gtat-now))
	return r
}

// units returns floor(d / interval) for 0 ≤ d ≤ interval*burst, using the
// precomputed inverse and one correction step (exact: the float estimate is
// off by at most one).
func (l Limit) units(d int64) int {
	q := int64(float64(d) * l.inverse)
	if q*l.interval > d {
		q--
	} else if (q+1)*l.interval <= d {
		q++
	}
	return int(q)
}

// Result converts d, computed in units of unit, into a Result in scope s.
func (d Decision) Result(s Scope, unit time.Duration) Result {
	r := Result{Allowed: d.Allowed, Scope: s, Remaining: d.Remaining,
		ResetAfter: time.Duration(d.ResetAfter) * unit}
	switch {
	case d.RetryAfter < 0:
		r.RetryAfter = Never
	default:
		r.RetryAfter = time.Duration(d.RetryAfter) * unit
	}
	return r
}

// Combine merges the client and global results of one admitted request into
// the Result a [Store] returns: the binding limit is the one with fewer
// units remaining, the client on a tie, and ResetAfter is the later of the
// two.
func Combine(client, global Result) Result {
	r := client
	if global.Remaining < client.Remaining {
		r = global
	}
	r.Allowed = client.Allowed && global.Allowed
	r.ResetAfter = max(client.ResetAfter, global.ResetAfter)
	return r
}

// ClockOffset converts an explicit decision time into a store's time line:
// t minus epoch, in units of unit. It fails with [ErrInvalid] when t is more
// than a hundred years from epoch, which keeps GCRA arithmetic from
// overflowing.
func ClockOffset(t, epoch time.Time, unit time.Duration) (int64, error) {
	d := t.Sub(epoch)
	if d > maxClockRange || d < -maxClockRange {
		return 0, fmt.Errorf("%w: decision time %s is too far from the store epoch", ErrInvalid, t)
	}
	return int64(d / unit), nil
}
