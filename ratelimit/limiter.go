package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Limiter applies a per-client rate limit, an optional global rate limit and
// optional per-client and global in-flight limits, on top of a [Store].
//
// The per-client and global rates are decided by the store in one atomic
// step: a denial by one does not spend the other's budget. In-flight limits
// are counted by the Limiter itself, in this process: with several replicas
// sharing a Redis store, the rates are shared but each replica enforces its
// own in-flight limits (a crashed replica can therefore never leak slots).
//
// Every method is safe for concurrent use. Create Limiters with [New]; the
// zero Limiter is not usable. A Limiter does not own its store: close the
// store yourself when done.
type Limiter struct {
	store    Store
	client   Limit
	global   Limit
	failOpen bool
	log      *slog.Logger
	inflight *inflight // nil when no in-flight limit is set
}

// Option configures a [Limiter]. Options are created by the functions of
// this package only.
type Option interface {
	apply(*Limiter) error
}

type optionFunc func(*Limiter) error

func (f optionFunc) apply(l *Limiter) error { return f(l) }

// WithGlobal adds a rate limit shared by all clients, decided atomically
// with the per-client limit. The default is no global rate limit.
func WithGlobal(limit Limit) Option {
	return optionFunc(func(l *Limiter) error {
		if limit.IsZero() {
			return fmt.Errorf("%w: WithGlobal needs a non-zero limit", ErrInvalid)
		}
		l.global = limit
		return nil
	})
}

// WithClientInFlight limits how many operations one client may have in
// flight at once (between [Limiter.Acquire] and release). The default is no
// per-client in-flight limit; n must be at least 1.
func WithClientInFlight(n int) Option {
	return optionFunc(func(l *Limiter) error {
		if n < 1 {
			return fmt.Errorf("%w: client in-flight limit must be at least 1, got %d", ErrInvalid, n)
		}
		l.ensureInflight().perClient = int64(n)
		return nil
	})
}

// WithGlobalInFlight limits how many operations all clients together may
// have in flight at once in this process. The default is no global
// in-flight limit; n must be at least 1.
func WithGlobalInFlight(n int) Option {
	return optionFunc(func(l *Limiter) error {
		if n < 1 {
			return fmt.Errorf("%w: global in-flight limit must be at least 1, got %d", ErrInvalid, n)
		}
		l.ensureInflight().global = int64(n)
		return nil
	})
}

// FailOpenOnStoreError makes the Limiter admit requests when its store
// fails (unreachable Redis, a client timeout, the memory store at its key
// cap), logging each such admission at Warn level. In-flight limits still
// apply, and a request whose context is done is still denied. The default, and
// the recommended setting for anything security relevant, is to deny with
// an error matching [ErrStore].
func FailOpenOnStoreError() Option {
	return optionFunc(func(l *Limiter) error {
		l.failOpen = true
		return nil
	})
}

// WithLogger sets the logger for store failures. The default is
// slog.Default() as of the call to [New].
func WithLogger(log *slog.Logger) Option {
	return optionFunc(func(l *Limiter) error {
		if log == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalid)
		}
		l.log = log
		return nil
	})
}

// New returns a Limiter that spends per-client budget under client in store.
// It does no I/O. It fails with [ErrInvalid] for a nil store, a zero client
// limit or an invalid option.
func New(store Store, client Limit, opts ...Option) (*Limiter, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalid)
	}
	if client.IsZero() {
		return nil, fmt.Errorf("%w: zero client limit", ErrInvalid)
	}
	l := &Limiter{store: store, client: client}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalid)
		}
		if err := o.apply(l); err != nil {
			return nil, err
		}
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l, nil
}

func (l *Limiter) ensureInflight() *inflight {
	if l.inflight == nil {
		l.inflight = newInflight()
	}
	return l.inflight
}

// ClientLimit returns the per-client rate limit.
func (l *Limiter) ClientLimit() Limit { return l.client }

// GlobalLimit returns the global rate limit, or the zero Limit when none is
// set.
func (l *Limiter) GlobalLimit() Limit { return l.global }

// Allow is shorthand for AllowN(ctx, time.Time{}, client, 1): one unit of
// cost at the store's own clock.
func (l *Limiter) Allow(ctx context.Context, client string) (Result, error) {
	return l.AllowN(ctx, time.Time{}, client, 1)
}

// AllowN spends cost units for client, and globally when a global limit is
// set, at time now (the zero time means the store's clock; pass explicit
// times in tests). A denial is reported in the Result with a nil error; a
// cost above the burst of a limit is denied with RetryAfter [Never].
//
// Errors match [ErrInvalid] (empty or too long client, cost < 1, time out
// of range), ctx.Err() when ctx is done, or [ErrStore]; with any of them the
// Result is a denial. With [FailOpenOnStoreError] a store error instead
// yields an admitted Result with Scope [ScopeNone] and a nil error, unless
// ctx is done: a cancelled or expired request is never admitted.
func (l *Limiter) AllowN(ctx context.Context, now time.Time, client string, cost int) (Result, error) {
	q := Query{Key: client, Limit: l.client, Global: l.global, Cost: cost, Now: now}
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("ratelimit: %w", err)
	}
	r, err := l.store.Take(ctx, q)
	if err != nil {
		if errors.Is(err, ErrInvalid) && !errors.Is(err, ErrStore) {
			return Result{}, err
		}
		err = StoreError("take", err)
		if l.failOpen && ctx.Err() == nil {
			l.log.WarnContext(ctx, "ratelimit: store failed, admitting (fail-open)",
				slog.String("client", client), slog.Int("cost", cost), slog.Any("error", err))
			return Result{Allowed: true, Scope: ScopeNone}, nil
		}
		return Result{}, err
	}
	return r, nil
}

// Reservation is budget taken by [Limiter.Reserve] that can be handed back
// with Cancel when the operation it paid for did not happen. It is safe for
// concurrent use.
type Reservation struct {
	l        *Limiter
	q        Query
	r        Result
	canceled atomic.Bool
}

// Result returns the admitted decision.
func (r *Reservation) Result() Result { return r.r }

// Cancel refunds the reservation's cost to the client and global buckets.
// Only the first call refunds; later calls return nil. A refund returns at
// most the reserved cost and never fills a bucket beyond its burst. Cancel
// promptly: a GCRA bucket keeps no history, so a cancel that comes after
// the reserved units have refilled and other requests were admitted can
// hand back units the passage of time had already returned (the same
// caveat as x/time/rate's CancelAt). The refund uses the store's clock, or
// the reservation's explicit time if it had one.
func (r *Reservation) Cancel(ctx context.Context) error {
	if !r.canceled.CompareAndSwap(false, true) {
		return nil
	}
	if r.q.Key == "" { // fail-open reservation: nothing was spent
		return nil
	}
	if err := r.l.store.Refund(ctx, r.q); err != nil {
		return StoreError("refund", err)
	}
	return nil
}

// Reserve is shorthand for ReserveN(ctx, time.Time{}, client, 1).
func (l *Limiter) Reserve(ctx context.Context, client string) (*Reservation, error) {
	return l.ReserveN(ctx, time.Time{}, client, 1)
}

// ReserveN spends cost like [Limiter.AllowN] and returns a [Reservation]
// that can refund it. A denial is returned as a [*LimitError]; other errors
// are as for AllowN.
func (l *Limiter) ReserveN(ctx context.Context, now time.Time, client string, cost int) (*Reservation, error) {
	r, err := l.AllowN(ctx, now, client, cost)
	if err != nil {
		return nil, err
	}
	if !r.Allowed {
		return nil, &LimitError{Scope: r.Scope, RetryAfter: r.RetryAfter, Result: r}
	}
	res := &Reservation{l: l, r: r}
	if r.Scope != ScopeNone { // admitted by the store, not by fail-open
		res.q = Query{Key: client, Limit: l.client, Global: l.global, Cost: cost, Now: now}
	}
	return res, nil
}

// Wait is shorthand for WaitN(ctx, client, 1).
func (l *Limiter) Wait(ctx context.Context, client string) error {
	return l.WaitN(ctx, client, 1)
}

// WaitN blocks until cost units are spent for client (and globally) at the
// store's clock, or until ctx is done. It returns at once, without waiting,
// a [*LimitError] when the cost exceeds a burst (matching
// [ErrCostExceedsBurst]) or when ctx's deadline comes before the budget
// would; ctx.Err() when ctx ends while waiting; and store or input errors
// as for [Limiter.AllowN].
func (l *Limiter) WaitN(ctx context.Context, client string, cost int) error {
	for {
		r, err := l.AllowN(ctx, time.Time{}, client, cost)
		if err != nil {
			return err
		}
		if r.Allowed {
			return nil
		}
		lerr := &LimitError{Scope: r.Scope, RetryAfter: r.RetryAfter, Result: r}
		if r.RetryAfter == Never {
			return lerr
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < r.RetryAfter {
			return lerr
		}
		t := time.NewTimer(r.RetryAfter)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Acquire spends cost units for client (and globally), atomically, and takes
// an in-flight slot for client (and globally) when in-flight limits are set.
// It does not wait.
//
// On success, release must be called exactly once when the operation ends;
// calling it again does nothing. On failure release is a non-nil no-op and
// err is a [*LimitError] (matching [ErrLimited]) for a denial, or an error
// matching [ErrInvalid] or [ErrStore]. In-flight slots are taken first, so a
// request refused for want of a slot spends no rate budget; a request
// refused by a rate limit gives its slots back at once.
func (l *Limiter) Acquire(ctx context.Context, client string, cost int) (release func(), err error) {
	q := Query{Key: client, Limit: l.client, Cost: cost}
	if err := q.Validate(); err != nil {
		return noop, err
	}
	release = noop
	if l.inflight != nil {
		rel, scope := l.inflight.acquire(client)
		if scope != ScopeNone {
			return noop, &LimitError{Scope: scope}
		}
		release = rel
	}
	r, err := l.AllowN(ctx, time.Time{}, client, cost)
	if err != nil {
		release()
		return noop, err
	}
	if !r.Allowed {
		release()
		return noop, &LimitError{Scope: r.Scope, RetryAfter: r.RetryAfter, Result: r}
	}
	return release, nil
}

// InFlight returns the number of operations holding an in-flight slot, or 0
// when no in-flight limit is set.
func (l *Limiter) InFlight() int {
	if l.inflight == nil {
		return 0
	}
	return int(l.inflight.total.Load())
}

func noop() {}
