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

	// A shard takes global units from the global bucket in batches of up to
	// maxBatch (see globalPlan); batching is off below minBatch.
	maxBatch = 32
	minBatch = 2

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
	exactGlobal bool          // no batches: every decision updates the global bucket
	batchShift  uint          // batch = burst >> batchShift, log2(64 * len(shards))
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
	// batch is the global budget this shard holds for its own decisions,
	// in units of cost, at most twice the plan's batch (see globalPlan).
	batch atomic.Int64 // one cache line per shard
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
	maxKeys     int
	coarse      time.Duration
	exactGlobal bool
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

// WithExactGlobal turns off global batching (see the package documentation):
// every decision that spends global budget updates the one global bucket,
// so the global limit's full burst is available to every request and no
// budget is ever held by a shard, at the cost of a cache line that every
// core writes. Use it when single requests may cost nearly the whole global
// burst. The default batches when the global burst is large enough.
func WithExactGlobal() Option {
	return optionFunc(func(c *config) error {
		c.exactGlobal = true
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
		exactGlobal: c.exactGlobal,
		batchShift:  6 + bits,
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
	var p globalPlan
	if !q.Global.IsZero() {
		p = s.plan(q.Global)
	}
	if sl := sh.table.Load().find(h); sl != nil {
		if r, ok := s.decide(sh, sl, &q, &p, now); ok {
			return r, nil
		}
	}
	return s.takeSlow(sh, h, &q, &p, now)
}

// decide decides for a key found in a table without holding a lock: the
// client bucket is checked with [ratelimit.Limit.Admit], the global budget
// spent, and the client bucket updated with compare-and-swap; if the bucket
// moved meanwhile, the global budget goes back and the decision starts
// again. ok is false when the slot was swept or moved to a new table; the
// caller then decides under the shard lock. No budget is spent when ok is
// false or the request is denied.
func (s *Store) decide(sh *shard, sl *slot, q *ratelimit.Query, p *globalPlan, now int64) (r ratelimit.Result, ok bool) {
	for {
		v := sl.tat.Load()
		if v == dead {
			return r, false
		}
		ct, ok := q.Limit.Admit(v, now, q.Cost)
		if !ok {
			return q.Limit.Decide(v, now, q.Cost).Result(ratelimit.ScopeClient, time.Nanosecond), true
		}
		if q.Global.IsZero() {
			if sl.tat.CompareAndSwap(v, ct) {
				return ratelimit.Admitted(q.Limit, ct, q.Global, 0, now), true
			}
			continue
		}
		from, gt, ok := s.spendGlobal(sh, p, q.Cost, now)
		if !ok {
			return p.limit.Decide(gt, now, q.Cost).Result(ratelimit.ScopeGlobal, time.Nanosecond), true
		}
		if sl.tat.CompareAndSwap(v, ct) {
			return ratelimit.Admitted(q.Limit, ct, p.limit, gt, now), true
		}
		s.unspendGlobal(sh, p, from, q.Cost, now)
	}
}

// globalPlan is how the store applies a global limit.
//
// Batching: when the global burst B is large, a shard takes the global
// budget for its decisions from the global bucket batch units at a time,
// batch = min(32, B / (64·shards)), and keeps at most 2·batch, so that most
// decisions update only their own shard's cache line. Units a shard holds
// were spent from the global bucket when it took them, which is safe; to
// keep them from being spent a second time once the bucket refills, the
// global bucket enforces the burst B minus everything the shards can hold,
// 2·batch·shards ≤ B/32. Whatever mix of held and fresh budget is spent,
// at most B units pass at one instant and at most B plus the rate times the
// elapsed time over any interval: the global limit is never exceeded. The
// price: a request can be denied while other shards still hold up to B/32
// units between them, and no single request may cost more than B minus
// that reserve.
type globalPlan struct {
	limit ratelimit.Limit // what the global bucket enforces
	batch int64           // units taken per batch; 0 means no batching
}

func (s *Store) plan(g ratelimit.Limit) globalPlan {
	if s.exactGlobal {
		return globalPlan{limit: g}
	}
	batch := min(maxBatch, int64(g.Burst())>>s.batchShift)
	if batch < minBatch {
		return globalPlan{limit: g}
	}
	reserved, err := g.WithBurst(g.Burst() - int(2*batch)*len(s.shards))
	if err != nil { // unreachable: the reserve is at most B/32
		return globalPlan{limit: g}
	}
	return globalPlan{limit: reserved, batch: batch}
}

// spendSource records where spendGlobal took a decision's global units.
type spendSource uint8

const (
	fromBucket spendSource = iota // the global bucket
	fromBatch                     // the shard's batch
)

// spendGlobal spends cost global units for a decision in shard sh: from the
// shard's batch when it holds enough, else from the global bucket, taking a
// new batch along when the bucket can spare one. It returns the global
// bucket's TAT (at least now) when it spent, or the TAT it was denied on.
func (s *Store) spendGlobal(sh *shard, p *globalPlan, cost int, now int64) (from spendSource, tat int64, ok bool) {
	c := int64(cost)
	if p.batch > 0 && c <= p.batch {
		for {
			n := sh.batch.Load()
			if n < c {
				break
			}
			if sh.batch.CompareAndSwap(n, n-c) {
				return fromBatch, max(s.global.Load(), now), true
			}
		}
		for {
			v := s.global.Load()
			nt, ok := p.limit.Admit(v, now, cost+int(p.batch))
			if !ok {
				break // no room for a batch: try for just this cost
			}
			if s.global.CompareAndSwap(v, nt) {
				s.stock(sh, p, p.batch, now)
				return fromBucket, nt, true
			}
		}
	}
	for {
		v := s.global.Load()
		nt, ok := p.limit.Admit(v, now, cost)
		if !ok {
			return fromBucket, v, false
		}
		if s.global.CompareAndSwap(v, nt) {
			return fromBucket, nt, true
		}
	}
}

// unspendGlobal gives back cost units that spendGlobal took from source.
func (s *Store) unspendGlobal(sh *shard, p *globalPlan, from spendSource, cost int, now int64) {
	if from == fromBatch {
		s.stock(sh, p, int64(cost), now)
		return
	}
	s.refundGlobal(int64(cost), p.limit, now)
}

// stock adds n global units to sh's batch, or returns them to the global
// bucket if the batch would then hold more than 2·p.batch.
func (s *Store) stock(sh *shard, p *globalPlan, n, now int64) {
	for {
		b := sh.batch.Load()
		if b+n > 2*p.batch {
			s.refundGlobal(n, p.limit, now)
			return
		}
		if sh.batch.CompareAndSwap(b, b+n) {
			return
		}
	}
}

// refundGlobal moves the global bucket back by cost units of g, but not
// past full.
func (s *Store) refundGlobal(cost int64, g ratelimit.Limit, now int64) {
	back := cost * int64(g.Interval())
	for {
		v := s.global.Load()
		if v <= now || s.global.CompareAndSwap(v, max(v-back, now)) {
			return
		}
	}
}

// takeSlow decides under the shard lock: for a new key, or one whose slot
// was swept or moved by a concurrent rebuild.
func (s *Store) takeSlow(sh *shard, h uint64, q *ratelimit.Query, p *globalPlan, now int64) (ratelimit.Result, error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sl := sh.table.Load().find(h); sl != nil {
		// Under the lock, slots of the current table are never dead.
		if r, ok := s.decide(sh, sl, q, p, now); ok {
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
	var gt int64
	if !q.Global.IsZero() {
		var ok bool
		if _, gt, ok = s.spendGlobal(sh, p, q.Cost, now); !ok {
			return p.limit.Decide(gt, now, q.Cost).Result(ratelimit.ScopeGlobal, time.Nanosecond), nil
		}
	}
	s.insert(sh, h, d.TAT, now)
	return ratelimit.Admitted(q.Limit, d.TAT, p.limit, gt, now), nil
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
		s.refundGlobal(int64(q.Cost), q.Global, now)
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
		sh.batch.Store(0)
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
