package memorystore

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
)

// DefaultMaxKeys is the default cap on tracked keys, about 34 MB of
// tables when full.
const DefaultMaxKeys = 1_000_000

const (
	maxShards    = 256
	keysPerShard = 256 // minimum cap per shard before adding shards
	minTable     = 8

	slotEmpty     uint64 = 0
	slotTombstone uint64 = 1

	// dead marks a slot whose entry was swept or moved to a new table.
	dead int64 = math.MinInt64
	// absent is the TAT of a bucket that has never been used: far in the
	// past, so it is full at any time a store accepts.
	absent int64 = math.MinInt64 / 2
)

var _ ratelimit.Store = (*Store)(nil)

// Store is an in-memory [ratelimit.Store]. Create it with [New]; the zero
// Store is not usable. All methods are safe for concurrent use.
type Store struct {
	seed        maphash.Seed
	epoch       time.Time
	shardShift  uint // shard index = hash >> shardShift
	maxPerShard int
	closed      atomic.Bool
	shards      []shard
	coarse      bool          // read clock instead of the monotonic clock
	clock       atomic.Int64  // coarse time since epoch, written by tick only
	stop        chan struct{} // closed by Close to end tick; nil without coarse
	// The global bucket is written by every decision that uses it: keep it
	// alone on its cache line so that those writes do not evict the fields
	// above, which every decision reads.
	_      [64]byte
	global atomic.Int64 // TAT of the global bucket
	_      [64]byte
}

type shard struct {
	table   atomic.Pointer[table] // written under mu, read without it
	mu      sync.Mutex
	live    int   // keys stored (some may have expired but not been swept)
	used    int   // non-empty slots: live keys plus tombstones
	minTAT  int64 // a lower bound of the live TATs in the table
	swept   uint64
	refused uint64
	_       [8]byte // one cache line per shard
}

type table struct {
	mask  uint64
	slots []slot
}

// slot is one table entry. key goes empty → hash → tombstone and tat goes
// valid → dead, never back, so a lock-free reader that sees its hash can
// trust the TAT until it reads dead.
type slot struct {
	key atomic.Uint64
	tat atomic.Int64
}

func newTable(size int) *table {
	return &table{mask: uint64(size - 1), slots: make([]slot, size)}
}

// find returns the slot holding h, or nil.
func (t *table) find(h uint64) *slot {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		switch s.key.Load() {
		case h:
			return s
		case slotEmpty:
			return nil
		}
	}
}

// Option configures a [Store]. Options are created by the functions of this
// package only.
type Option interface {
	apply(*config) error
}

type config struct {
	maxKeys int
	coarse  time.Duration
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// WithMaxKeys sets the hard cap on tracked keys; n must be at least 1. The
// default is [DefaultMaxKeys]. See the package documentation for the policy
// at the cap.
func WithMaxKeys(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: memorystore: max keys must be at least 1, got %d", ratelimit.ErrInvalid, n)
		}
		c.maxKeys = n
		return nil
	})
}

// Bounds of [WithCoarseClock]'s resolution.
const (
	MinCoarseResolution = 100 * time.Microsecond
	MaxCoarseResolution = time.Second
)

// WithCoarseClock makes the store read its own clock (the clock used when a
// [ratelimit.Query] carries no explicit time) from an atomic value that a
// goroutine owned by the store refreshes every resolution, instead of
// reading the monotonic clock on every decision. resolution must lie
// between [MinCoarseResolution] and [MaxCoarseResolution]; the default is
// no coarse clock (a precise clock read per decision).
//
// The coarse time lags real time by at most resolution plus the ticker
// goroutine's scheduling delay, and never runs backwards. A lagging clock
// refills buckets later, so limits only get stricter; RetryAfter and
// ResetAfter are accurate to within that lag, and a retry exactly after
// RetryAfter may be denied once more. The goroutine runs until
// [Store.Close]: close a store built with this option.
func WithCoarseClock(resolution time.Duration) Option {
	return optionFunc(func(c *config) error {
		if resolution < MinCoarseResolution || resolution > MaxCoarseResolution {
			return fmt.Errorf("%w: memorystore: coarse clock resolution must be %s to %s, got %s",
				ratelimit.ErrInvalid, MinCoarseResolution, MaxCoarseResolution, resolution)
		}
		c.coarse = resolution
		return nil
	})
}

// New returns an empty store. It fails with [ratelimit.ErrInvalid] for an
// invalid option. With [WithCoarseClock] it starts one goroutine, stopped by
// [Store.Close].
func New(opts ...Option) (*Store, error) {
	c := config{maxKeys: DefaultMaxKeys}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: memorystore: nil option", ratelimit.ErrInvalid)
		}
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	n, bits := 1, uint(0)
	for n < maxShards && c.maxKeys/(2*n) >= keysPerShard {
		n, bits = 2*n, bits+1
	}
	s := &Store{
		seed:        maphash.MakeSeed(),
		epoch:       time.Now(),
		shardShift:  64 - bits,
		maxPerShard: c.maxKeys / n,
		shards:      make([]shard, n),
	}
	s.global.Store(absent)
	for i := range s.shards {
		s.shards[i].table.Store(newTable(minTable))
		s.shards[i].minTAT = math.MaxInt64
	}
	if c.coarse > 0 {
		s.coarse = true
		s.clock.Store(int64(time.Since(s.epoch)))
		s.stop = make(chan struct{})
		go s.tick(c.coarse)
	}
	return s, nil
}

// tick refreshes the coarse clock until Close. It is the only writer of
// s.clock, and time.Since reads the monotonic clock, so the value never
// decreases.
func (s *Store) tick(resolution time.Duration) {
	t := time.NewTicker(resolution)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.clock.Store(int64(time.Since(s.epoch)))
		}
	}
}

func (s *Store) hash(key string) uint64 {
	h := maphash.String(s.seed, key)
	if h <= slotTombstone {
		h += 2
	}
	return h
}

func (s *Store) shardOf(h uint64) *shard {
	if s.shardShift == 64 {
		return &s.shards[0]
	}
	return &s.shards[h>>s.shardShift]
}

func (s *Store) now(q *ratelimit.Query) (int64, error) {
	if q.Now.IsZero() {
		if s.coarse {
			return s.clock.Load(), nil
		}
		return int64(time.Since(s.epoch)), nil
	}
	return ratelimit.ClockOffset(q.Now, s.epoch, time.Nanosecond)
}

func (s *Store) begin(ctx context.Context, q *ratelimit.Query, op string) (int64, error) {
	if err := q.Validate(); err != nil {
		return 0, err
	}
	if s.closed.Load() {
		return 0, fmt.Errorf("%w: memorystore: %s: %w", ratelimit.ErrStore, op, ratelimit.ErrStopped)
	}
	if err := ctx.Err(); err != nil {
		return 0, ratelimit.StoreError("memorystore: "+op, err)
	}
	return s.now(q)
}

// Take implements [ratelimit.Store]. It makes no allocation. Errors match
// [ratelimit.ErrInvalid], or [ratelimit.ErrStore] together with
// [ratelimit.ErrStopped] (after Close), [ratelimit.ErrCapacity] (a new key
// at the cap) or the context's error.
func (s *Store) Take(ctx context.Context, q ratelimit.Query) (ratelimit.Result, error) {
	now, err := s.begin(ctx, &q, "take")
	if err != nil {
		return ratelimit.Result{}, err
	}
	h := s.hash(q.Key)
	sh := s.shardOf(h)
	if sl := sh.table.Load().find(h); sl != nil {
		// The fast path for a tracked key: admit with [ratelimit.Limit.Admit]
		// and build the Result once; a denial takes the full Decide.
		for {
			v := sl.tat.Load()
			if v == dead {
				break // swept or moved: decide under the shard lock
			}
			ct, ok := q.Limit.Admit(v, now, q.Cost)
			if !ok {
				return q.Limit.Decide(v, now, q.Cost).Result(ratelimit.ScopeClient, time.Nanosecond), nil
			}
			if q.Global.IsZero() {
				if sl.tat.CompareAndSwap(v, ct) {
					return ratelimit.Admitted(q.Limit, ct, q.Global, 0, now), nil
				}
				continue
			}
			gt, gv, ok := s.admitGlobal(&q, now)
			if !ok {
				return q.Global.Decide(gv, now, q.Cost).Result(ratelimit.ScopeGlobal, time.Nanosecond), nil
			}
			if sl.tat.CompareAndSwap(v, ct) {
				return ratelimit.Admitted(q.Limit, ct, q.Global, gt, now), nil
			}
			s.refundGlobal(&q, now) // the client bucket moved: undo, decide again
		}
	}
	return s.takeSlow(sh, h, &q, now)
}

// takeExisting decides for a key found in a table without holding a lock.
// ok is false when the slot was swept or moved meanwhile; the caller then
// retries under the shard lock. No budget is spent when ok is false.
func (s *Store) takeExisting(sl *slot, q *ratelimit.Query, now int64) (r ratelimit.Result, ok bool) {
	v := sl.tat.Load()
	if v == dead {
		return r, false
	}
	d := q.Limit.Decide(v, now, q.Cost)
	if !d.Allowed {
		return d.Result(ratelimit.ScopeClient, time.Nanosecond), true
	}
	var g ratelimit.Decision
	if !q.Global.IsZero() {
		g = s.takeGlobal(q, now)
		if !g.Allowed {
			return g.Result(ratelimit.ScopeGlobal, time.Nanosecond), true
		}
	}
	for !sl.tat.CompareAndSwap(v, d.TAT) {
		if v = sl.tat.Load(); v != dead {
			d = q.Limit.Decide(v, now, q.Cost)
		}
		if v == dead || !d.Allowed {
			if !q.Global.IsZero() {
				s.refundGlobal(q, now)
			}
			if v == dead {
				return r, false
			}
			return d.Result(ratelimit.ScopeClient, time.Nanosecond), true
		}
	}
	return s.admitted(q, d, g), true
}

func (s *Store) admitted(q *ratelimit.Query, d, g ratelimit.Decision) ratelimit.Result {
	r := d.Result(ratelimit.ScopeClient, time.Nanosecond)
	if q.Global.IsZero() {
		return r
	}
	return ratelimit.Combine(r, g.Result(ratelimit.ScopeGlobal, time.Nanosecond))
}

// admitGlobal spends q.Cost in the global bucket if it fits. It returns the
// new TAT, or, when the cost does not fit, the TAT it decided on.
func (s *Store) admitGlobal(q *ratelimit.Query, now int64) (newTAT, old int64, ok bool) {
	for {
		v := s.global.Load()
		nt, ok := q.Global.Admit(v, now, q.Cost)
		if !ok {
			return 0, v, false
		}
		if s.global.CompareAndSwap(v, nt) {
			return nt, v, true
		}
	}
}

func (s *Store) takeGlobal(q *ratelimit.Query, now int64) ratelimit.Decision {
	for {
		v := s.global.Load()
		d := q.Global.Decide(v, now, q.Cost)
		if !d.Allowed || s.global.CompareAndSwap(v, d.TAT) {
			return d
		}
	}
}

func (s *Store) refundGlobal(q *ratelimit.Query, now int64) {
	back := int64(q.Cost) * int64(q.Global.Interval())
	for {
		v := s.global.Load()
		if v <= now || s.global.CompareAndSwap(v, max(v-back, now)) {
			return
		}
	}
}

// takeSlow decides under the shard lock: for a new key, or one whose slot
// was swept or moved by a concurrent rebuild.
func (s *Store) takeSlow(sh *shard, h uint64, q *ratelimit.Query, now int64) (ratelimit.Result, error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sl := sh.table.Load().find(h); sl != nil {
		// Under the lock, slots of the current table are never dead.
		if r, ok := s.takeExisting(sl, q, now); ok {
			return r, nil
		}
		return ratelimit.Result{}, fmt.Errorf("%w: memorystore: inconsistent table", ratelimit.ErrStore)
	}
	d := q.Limit.Decide(absent, now, q.Cost)
	if !d.Allowed { // cost above burst: record nothing
		return d.Result(ratelimit.ScopeClient, time.Nanosecond), nil
	}
	if sh.live >= s.maxPerShard {
		if now >= sh.minTAT { // something may have expired: sweep the shard
			s.sweep(sh, now)
		}
		if sh.live >= s.maxPerShard {
			sh.refused++
			return ratelimit.Result{}, fmt.Errorf("%w: memorystore: %w: %d live keys",
				ratelimit.ErrStore, ratelimit.ErrCapacity, s.maxPerShard*len(s.shards))
		}
	}
	var g ratelimit.Decision
	if !q.Global.IsZero() {
		g = s.takeGlobal(q, now)
		if !g.Allowed {
			return g.Result(ratelimit.ScopeGlobal, time.Nanosecond), nil
		}
	}
	s.insert(sh, h, d.TAT, now)
	return s.admitted(q, d, g), nil
}

// insert adds h with tat; the caller holds sh.mu and knows h is absent.
func (s *Store) insert(sh *shard, h uint64, tat, now int64) {
	t := sh.table.Load()
	if 4*(sh.used+1) > 3*len(t.slots) {
		t = s.rebuild(sh, t, now)
	}
	i := h & t.mask
	for t.slots[i].key.Load() != slotEmpty {
		i = (i + 1) & t.mask
	}
	t.slots[i].tat.Store(tat) // publish the TAT before the key
	t.slots[i].key.Store(h)
	sh.minTAT = min(sh.minTAT, tat)
	sh.live++
	sh.used++
}

// rebuild moves the live entries of t into a new table sized for them,
// dropping expired ones and tombstones. The caller holds sh.mu. Lock-free
// readers of t see dead TATs and retry under the lock.
func (s *Store) rebuild(sh *shard, t *table, now int64) *table {
	size := minTable
	for size < 2*(sh.live+1) {
		size *= 2
	}
	nt := newTable(size)
	live, minTAT := 0, int64(math.MaxInt64)
	for i := range t.slots {
		old := &t.slots[i]
		k := old.key.Load()
		if k <= slotTombstone {
			continue
		}
		v := old.tat.Swap(dead)
		if v == dead || v <= now {
			sh.swept++
			continue
		}
		j := k & nt.mask
		for nt.slots[j].key.Load() != slotEmpty {
			j = (j + 1) & nt.mask
		}
		nt.slots[j].tat.Store(v)
		nt.slots[j].key.Store(k)
		minTAT = min(minTAT, v)
		live++
	}
	sh.live, sh.used, sh.minTAT = live, live, minTAT
	sh.table.Store(nt)
	return nt
}

// sweep deletes every expired entry of the shard's table, leaving
// tombstones, and recomputes sh.minTAT. The caller holds sh.mu.
func (s *Store) sweep(sh *shard, now int64) {
	t := sh.table.Load()
	minTAT := int64(math.MaxInt64)
	for i := range t.slots {
		sl := &t.slots[i]
		if sl.key.Load() <= slotTombstone {
			continue
		}
		v := sl.tat.Load()
		if v <= now && v != dead && sl.tat.CompareAndSwap(v, dead) {
			sl.key.Store(slotTombstone)
			sh.live--
			sh.swept++
			continue
		}
		// v may have grown since the load; a smaller bound is still a bound.
		minTAT = min(minTAT, v)
	}
	sh.minTAT = minTAT
}

// Refund implements [ratelimit.Store]: it moves the client bucket and, when
// q.Global is set, the global bucket back by q.Cost emission intervals, but
// not past full. A key that is no longer tracked is already full.
func (s *Store) Refund(ctx context.Context, q ratelimit.Query) error {
	now, err := s.begin(ctx, &q, "refund")
	if err != nil {
		return err
	}
	h := s.hash(q.Key)
	sh := s.shardOf(h)
	sh.mu.Lock()
	if sl := sh.table.Load().find(h); sl != nil {
		back := int64(q.Cost) * int64(q.Limit.Interval())
		for {
			v := sl.tat.Load()
			if v <= now {
				break
			}
			if nv := max(v-back, now); sl.tat.CompareAndSwap(v, nv) {
				sh.minTAT = min(sh.minTAT, nv)
				break
			}
		}
	}
	sh.mu.Unlock()
	if !q.Global.IsZero() {
		s.refundGlobal(&q, now)
	}
	return nil
}

// Close implements [ratelimit.Store]: it drops all state and stops the
// coarse clock's goroutine, if any; afterwards Take and Refund fail with
// [ratelimit.ErrStopped]. It is idempotent and always returns nil.
func (s *Store) Close(context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.stop != nil {
		close(s.stop)
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.table.Store(newTable(minTable))
		sh.live, sh.used, sh.minTAT = 0, 0, math.MaxInt64
		sh.mu.Unlock()
	}
	return nil
}

// Stats is a snapshot of a [Store]'s bookkeeping.
type Stats struct {
	// Keys is the number of tracked keys, including expired ones not yet
	// swept.
	Keys int
	// MaxKeys is the effective cap: MaxKeys rounded down to a multiple of
	// the shard count.
	MaxKeys int
	// Swept counts expired buckets removed.
	Swept uint64
	// CapacityRefusals counts new keys refused because their shard was full
	// of live buckets.
	CapacityRefusals uint64
}

// Stats returns current counts. It locks each shard in turn, briefly.
func (s *Store) Stats() Stats {
	st := Stats{MaxKeys: s.maxPerShard * len(s.shards)}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		st.Keys += sh.live
		st.Swept += sh.swept
		st.CapacityRefusals += sh.refused
		sh.mu.Unlock()
	}
	return st
}
