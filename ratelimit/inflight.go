package ratelimit

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

const inflightShards = 64

// inflight counts operations in flight, per client and in total. Per-client
// counters exist only while non-zero, so memory is bounded by the number of
// operations in flight.
type inflight struct {
	perClient int64 // 0: no per-client limit
	global    int64 // 0: no global limit
	seed      maphash.Seed
	total     atomic.Int64
	shards    [inflightShards]inflightShard
}

type inflightShard struct {
	mu sync.Mutex
	m  map[uint64]int64
	_  [48]byte // keep shards on separate cache lines
}

func newInflight() *inflight {
	return &inflight{seed: maphash.MakeSeed()}
}

// acquire takes a slot for client, returning its release function, or the
// scope that refused.
func (f *inflight) acquire(client string) (func(), Scope) {
	if n := f.total.Add(1); f.global > 0 && n > f.global {
		f.total.Add(-1)
		return noop, ScopeGlobalInFlight
	}
	s := &slot{f: f}
	if f.perClient > 0 {
		s.h = maphash.String(f.seed, client)
		sh := &f.shards[s.h%inflightShards]
		sh.mu.Lock()
		if sh.m == nil {
			sh.m = make(map[uint64]int64)
		}
		if sh.m[s.h] >= f.perClient {
			sh.mu.Unlock()
			f.total.Add(-1)
			return noop, ScopeClientInFlight
		}
		sh.m[s.h]++
		sh.mu.Unlock()
	}
	return s.release, ScopeNone
}

// slot is one taken in-flight slot; release is idempotent.
type slot struct {
	f    *inflight
	h    uint64
	done atomic.Bool
}

func (s *slot) release() {
	if !s.done.CompareAndSwap(false, true) {
		return
	}
	f := s.f
	if f.perClient > 0 {
		sh := &f.shards[s.h%inflightShards]
		sh.mu.Lock()
		if n := sh.m[s.h] - 1; n > 0 {
			sh.m[s.h] = n
		} else {
			delete(sh.m, s.h)
		}
		sh.mu.Unlock()
	}
	f.total.Add(-1)
}
