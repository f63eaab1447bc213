// Package redisstore is a [ratelimit.Store] kept in Redis, shared by every
// process that uses the same server and key prefix.
//
// # One round trip, the server's clock
//
// Each Take or Refund is one EVALSHA of a small, constant-time Lua script
// (falling back to EVAL when the server answers NOSCRIPT, as it does after a
// restart or failover). The script reads the Redis server's TIME, so
// application servers with skewed clocks agree, decides the client and
// global buckets together and writes both or neither. A denial writes
// nothing. Times are integer microseconds, exact in Lua's doubles; emission
// intervals are rounded up to a whole microsecond. Each written key expires
// (PEXPIRE, at least 1 ms) when its bucket is full again, which is exactly
// when deleting it loses nothing, so Redis memory bounds itself and no
// sweeper is needed. A [ratelimit.Query] with an explicit time (tests,
// replays) is decided at that time instead of the server's, and its keys
// live one minute longer, since that clock need not keep pace with Redis. Keep the instance's maxmemory-policy at noeviction or a
// volatile-* policy you have sized for: an evicted live key hands its client
// a fresh burst.
//
// # Keys and Redis Cluster
//
// Keys are "{prefix}:c:" + client key and "{prefix}:g" for the global bucket.
// The hash tag {prefix} puts every key of one prefix in the same slot, so the
// two-key script never fails with CROSSSLOT; the cost is that one prefix
// lives on one cluster node. Use several prefixes (one per limiter) to spread
// load.
//
// # Failures
//
// Errors from the client (unreachable server, timeout, cancelled context,
// an unexpected reply) are returned matching [ratelimit.ErrStore]. A
// [ratelimit.Limiter] denies on them unless it was built with
// [ratelimit.FailOpenOnStoreError].
//
// [New] takes any client with EvalSha and Eval, such as *redis.Client,
// *redis.ClusterClient or *redis.Ring, and never dials: the first decision
// does.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/safedocker/safedocker/ratelimit"
)

// DefaultPrefix is the default key prefix.
const DefaultPrefix = "safedocker:ratelimit"

// Scripter is the part of a go-redis client the store uses.
// *redis.Client, *redis.ClusterClient and *redis.Ring implement it.
type Scripter interface {
	EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd
	Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd
}

var _ ratelimit.Store = (*Store)(nil)

// Store is a Redis-backed [ratelimit.Store]. Create it with [New]; the zero
// Store is not usable. It is safe for concurrent use as far as its client
// is (go-redis clients are).
type Store struct {
	c       Scripter
	cPrefix string // "{prefix}:c:"
	gKey    string // "{prefix}:g"
	closed  atomic.Bool
	args    atomic.Pointer[limitArgs] // the last limits used
}

// Option configures a [Store]. Options are created by the functions of this
// package only.
type Option interface {
	apply(*Store) error
}

type optionFunc func(*Store) error

func (f optionFunc) apply(s *Store) error { return f(s) }

// WithPrefix sets the key prefix. It must be 1 to 128 bytes without '{' or
// '}'. The default is [DefaultPrefix].
func WithPrefix(prefix string) Option {
	return optionFunc(func(s *Store) error {
		if prefix == "" || len(prefix) > 128 || strings.ContainsAny(prefix, "{}") {
			return fmt.Errorf("%w: redisstore: prefix must be 1-128 bytes without braces, got %q",
				ratelimit.ErrInvalid, prefix)
		}
		s.setPrefix(prefix)
		return nil
	})
}

func (s *Store) setPrefix(p string) {
	s.cPrefix = "{" + p + "}:c:"
	s.gKey = "{" + p + "}:g"
}

// New returns a store that runs its script through c. It does no I/O. It
// fails with [ratelimit.ErrInvalid] for a nil client or an invalid option.
// Closing the store does not close c.
func New(c Scripter, opts ...Option) (*Store, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: redisstore: nil client", ratelimit.ErrInvalid)
	}
	s := &Store{c: c}
	s.setPrefix(DefaultPrefix)
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: redisstore: nil option", ratelimit.ErrInvalid)
		}
		if err := o.apply(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// script decides or refunds a client bucket (KEYS[1]) and, when ARGV[5] is
// not 0, the global bucket (KEYS[2]).
//
// With an explicit time, keys live a minute longer than the bucket needs,
// because that clock and the server's need not run at the same pace.
//
// ARGV: mode ("t" take, "r" refund at the server's TIME; "T", "R" at the
// explicit time ARGV[7]), cost, client interval µs, client burst, global
// interval µs (0: none), global burst and, for "T" and "R" only, the
// explicit now in µs. Reply for "t": {status, now, client TAT, global TAT} with status 0
// admitted, 1 denied by the client limit, 2 denied by the global limit;
// TATs are as read, 0 for an absent key. Reply for "r": {0, now, 0, 0}.
//
// Numbers passed to redis.call are formatted with string.format('%d'):
// Redis would otherwise format each Lua number with "%.17g", which costs
// about 0.5 µs of server CPU per decision on the benchmark machine.
const script = `
local now, slack
if ARGV[1] == 't' or ARGV[1] == 'r' then
  local t = redis.call('TIME')
  now, slack = t[1] * 1000000 + t[2], 0
else
  now, slack = tonumber(ARGV[7]), 60000
end
local cost, ci, cb, gi, gb = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ctat = tonumber(redis.call('GET', KEYS[1]) or 0)
local gtat = 0
if gi > 0 then gtat = tonumber(redis.call('GET', KEYS[2]) or 0) end
if ctat == nil or gtat == nil then return redis.error_reply('ratelimit: corrupt bucket') end
if ARGV[1] == 'r' or ARGV[1] == 'R' then
  local c, g = math.max(ctat - cost * ci, now), math.max(gtat - cost * gi, now)
  if ctat > now then
    if c > now then
      redis.call('SET', KEYS[1], string.format('%d', c), 'PX', string.format('%d', math.ceil((c - now) / 1000) + slack))
    else
      redis.call('DEL', KEYS[1])
    end
  end
  if gi > 0 and gtat > now then
    if g > now then
      redis.call('SET', KEYS[2], string.format('%d', g), 'PX', string.format('%d', math.ceil((g - now) / 1000) + slack))
    else
      redis.call('DEL', KEYS[2])
    end
  end
  return {0, now, 0, 0}
end
local cnew = math.max(ctat, now) + cost * ci
if cost > cb or cnew - now > ci * cb then return {1, now, ctat, gtat} end
if gi > 0 then
  local gnew = math.max(gtat, now) + cost * gi
  if cost > gb or gnew - now > gi * gb then return {2, now, ctat, gtat} end
  redis.call('SET', KEYS[2], string.format('%d', gnew), 'PX', string.format('%d', math.ceil((gnew - now) / 1000) + slack))
end
redis.call('SET', KEYS[1], string.format('%d', cnew), 'PX', string.format('%d', math.ceil((cnew - now) / 1000) + slack))
return {0, now, ctat, gtat}
`

// scriptSHA is the SHA-1 of script, as EVALSHA wants it. TestScriptSHA
// keeps it in step with the script.
const scriptSHA = "82852e47bd16230deef695c25b5d1e83de0107ed"

// limitArgs holds the script arguments of one pair of limits, boxed once:
// a Limiter passes the same limits on every call, and reusing the boxed
// values saves allocations per decision.
type limitArgs struct {
	client, global ratelimit.Limit
	ci, cb, gi, gb any
}

func (s *Store) limitArgs(client, global ratelimit.Limit) *limitArgs {
	if la := s.args.Load(); la != nil && la.client == client && la.global == global {
		return la
	}
	la := &limitArgs{client: client, global: global,
		ci: micros(client), cb: int64(client.Burst()), gi: int64(0), gb: int64(0)}
	if !global.IsZero() {
		la.gi, la.gb = micros(global), int64(global.Burst())
	}
	s.args.Store(la)
	return la
}

func micros(l ratelimit.Limit) int64 {
	return (int64(l.Interval()) + 999) / 1000
}

func (s *Store) run(ctx context.Context, q *ratelimit.Query, mode string) ([]int64, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	op := "take"
	if mode == "r" {
		op = "refund"
	}
	// Lowercase modes read the server's clock; uppercase ones take ARGV[7].
	if s.closed.Load() {
		return nil, fmt.Errorf("%w: redisstore: %s: %w", ratelimit.ErrStore, op, ratelimit.ErrStopped)
	}
	if err := ctx.Err(); err != nil {
		return nil, ratelimit.StoreError("redisstore: "+op, err)
	}
	now := int64(0)
	if !q.Now.IsZero() {
		if _, err := ratelimit.ClockOffset(q.Now, time.Now(), time.Microsecond); err != nil {
			return nil, err
		}
		now = q.Now.UnixMicro()
		mode = strings.ToUpper(mode)
	}
	la := s.limitArgs(q.Limit, q.Global)
	keys := []string{s.cPrefix + q.Key, s.gKey}
	// The explicit time goes last and only when set: one argument less to
	// send and parse on the common path.
	args := []any{mode, q.Cost, la.ci, la.cb, la.gi, la.gb, now}
	if mode == "t" || mode == "r" {
		args = args[:6]
	}
	cmd := s.c.EvalSha(ctx, scriptSHA, keys, args...)
	if err := cmd.Err(); err != nil && (errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT")) {
		cmd = s.c.Eval(ctx, script, keys, args...)
	}
	v, err := cmd.Int64Slice()
	if err != nil {
		return nil, ratelimit.StoreError("redisstore: "+op, err)
	}
	if len(v) != 4 || v[0] < 0 || v[0] > 2 {
		return nil, fmt.Errorf("%w: redisstore: %s: unexpected reply %v", ratelimit.ErrStore, op, v)
	}
	return v, nil
}

// Take implements [ratelimit.Store] in one round trip. Errors match
// [ratelimit.ErrInvalid], or [ratelimit.ErrStore] (with
// [ratelimit.ErrStopped] after Close, or the client's error).
func (s *Store) Take(ctx context.Context, q ratelimit.Query) (ratelimit.Result, error) {
	v, err := s.run(ctx, &q, "t")
	if err != nil {
		return ratelimit.Result{}, err
	}
	status, now, ctat, gtat := v[0], v[1], v[2], v[3]
	// Recompute the script's decision with the shared GCRA math; a
	// disagreement means a script or reply we do not understand: deny.
	c := ratelimit.Decide(ctat, now, micros(q.Limit), q.Limit.Burst(), q.Cost)
	cr := c.Result(ratelimit.ScopeClient, time.Microsecond)
	if !c.Allowed {
		if status != 1 {
			return ratelimit.Result{}, errDisagree(status)
		}
		return cr, nil
	}
	if q.Global.IsZero() {
		if status != 0 {
			return ratelimit.Result{}, errDisagree(status)
		}
		return cr, nil
	}
	g := ratelimit.Decide(gtat, now, micros(q.Global), q.Global.Burst(), q.Cost)
	gr := g.Result(ratelimit.ScopeGlobal, time.Microsecond)
	switch {
	case !g.Allowed && status == 2:
		return gr, nil
	case g.Allowed && status == 0:
		return ratelimit.Combine(cr, gr), nil
	}
	return ratelimit.Result{}, errDisagree(status)
}

func errDisagree(status int64) error {
	return fmt.Errorf("%w: redisstore: script status %d disagrees with the decision", ratelimit.ErrStore, status)
}

// Refund implements [ratelimit.Store] in one round trip.
func (s *Store) Refund(ctx context.Context, q ratelimit.Query) error {
	_, err := s.run(ctx, &q, "r")
	return err
}

// Close implements [ratelimit.Store]. It does not close the client. It is
// idempotent and always returns nil.
func (s *Store) Close(context.Context) error {
	s.closed.Store(true)
	return nil
}
