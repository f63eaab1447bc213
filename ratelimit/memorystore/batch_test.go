package memorystore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
)

// With WithMaxKeys(2048) the store has 8 shards, so a global burst of 4096
// is batched 4096/(64·8) = 8 units at a time, and the shards hold at most
// 2·8·8 = 128 units between them.
const (
	batchMaxKeys = 2048
	batchBurst   = 4096
	batchReserve = 128
)

func batchStore(t *testing.T, opts ...memorystore.Option) *memorystore.Store {
	t.Helper()
	s, err := memorystore.New(append([]memorystore.Option{memorystore.WithMaxKeys(batchMaxKeys)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// drain spends one unit at a time at the frozen time t0, cycling over keys,
// until the global limit denies keys requests in a row, and returns how many
// were admitted.
func drain(t *testing.T, s *memorystore.Store, client, global ratelimit.Limit, keys int) int {
	t.Helper()
	admitted, denied := 0, 0
	for i := 0; denied < keys; i++ {
		r, err := s.Take(context.Background(), ratelimit.Query{Key: fmt.Sprintf("k%d", i%keys),
			Limit: client, Global: global, Cost: 1, Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case r.Allowed:
			admitted, denied = admitted+1, 0
		case r.Scope != ratelimit.ScopeGlobal:
			t.Fatalf("denied by %s, want the global limit: %+v", r.Scope, r)
		default:
			denied++
		}
	}
	return admitted
}

// TestBatchedGlobalNeverExceedsBurst: at one instant, a batched global limit
// admits at most its burst, and strands at most the documented reserve in
// the shards' batches.
func TestBatchedGlobalNeverExceedsBurst(t *testing.T) {
	client := limit(t, 1_000_000, time.Second, 1_000)
	global := limit(t, 1000, time.Second, batchBurst)
	got := drain(t, batchStore(t), client, global, 500)
	if got > batchBurst || got < batchBurst-batchReserve {
		t.Errorf("batched: admitted %d at one instant, want between %d and the burst %d",
			got, batchBurst-batchReserve, batchBurst)
	}
	if got == batchBurst {
		t.Errorf("batched: admitted exactly the burst; was the store batching at all?")
	}
	if exact := drain(t, batchStore(t, memorystore.WithExactGlobal()), client, global, 500); exact != batchBurst {
		t.Errorf("WithExactGlobal: admitted %d at one instant, want exactly the burst %d", exact, batchBurst)
	}
}

// TestBatchedGlobalSmallBurstIsExact: below the batching threshold the
// global bucket is exact.
func TestBatchedGlobalSmallBurstIsExact(t *testing.T) {
	client := limit(t, 1_000_000, time.Second, 1_000)
	global := limit(t, 1000, time.Second, 1000) // 1000/(64·8) < 2: no batches
	if got := drain(t, batchStore(t), client, global, 50); got != 1000 {
		t.Errorf("admitted %d, want exactly the burst 1000", got)
	}
}

// TestBatchedGlobalCostLimit: in batching mode one request may cost at most
// the burst minus the reserve; more is never satisfiable. WithExactGlobal
// admits the whole burst.
func TestBatchedGlobalCostLimit(t *testing.T) {
	client := limit(t, 1_000_000, time.Second, 10_000)
	global := limit(t, 1000, time.Second, batchBurst)
	q := ratelimit.Query{Key: "big", Limit: client, Global: global, Cost: batchBurst - batchReserve, Now: t0}
	if r, err := batchStore(t).Take(context.Background(), q); err != nil || !r.Allowed {
		t.Errorf("cost burst-reserve: %+v, %v; want admitted", r, err)
	}
	q.Cost++
	if r, err := batchStore(t).Take(context.Background(), q); err != nil || r.Allowed || r.RetryAfter != ratelimit.Never {
		t.Errorf("cost burst-reserve+1: %+v, %v; want a denial with RetryAfter Never", r, err)
	}
	q.Cost = batchBurst
	if r, err := batchStore(t, memorystore.WithExactGlobal()).Take(context.Background(), q); err != nil || !r.Allowed {
		t.Errorf("WithExactGlobal, cost = burst: %+v, %v; want admitted", r, err)
	}
}

// TestBatchedGlobalHammer: many goroutines and keys, explicit times, a
// batched global limit: never more than the burst plus what the rate
// refilled, and the client limits hold.
func TestBatchedGlobalHammer(t *testing.T) {
	const (
		workers = 16
		ops     = 2000
		keys    = 1000
		step    = 10 * time.Microsecond
	)
	s := batchStore(t)
	client := limit(t, 1000, time.Second, 20)
	global := limit(t, 1000, time.Second, batchBurst)
	var admitted atomic.Int64
	perKey := make([]atomic.Int64, keys)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range ops {
				k := (w*7919 + i*31) % keys
				// Costs 1 to 3 exercise partial batches and give-backs.
				cost := 1 + (w+i)%3
				r, err := s.Take(context.Background(), ratelimit.Query{Key: fmt.Sprintf("c%d", k),
					Limit: client, Global: global, Cost: cost, Now: t0.Add(time.Duration(i) * step)})
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					admitted.Add(int64(cost))
					perKey[k].Add(int64(cost))
				}
			}
		})
	}
	wg.Wait()
	span := time.Duration(ops-1) * step
	bound := int64(batchBurst) + int64(span/global.Interval())
	if got := admitted.Load(); got > bound || got < batchBurst-batchReserve {
		t.Fatalf("admitted %d units, want between %d and the global bound %d", got, batchBurst-batchReserve, bound)
	}
	for k := range perKey {
		if got, max := perKey[k].Load(), int64(client.Burst())+int64(span/client.Interval()); got > max {
			t.Fatalf("c%d admitted %d units, above its bound %d", k, got, max)
		}
	}
}

// TestBatchedGlobalRefund: a refund after batching never fills the global
// bucket past what the limit allows.
func TestBatchedGlobalRefund(t *testing.T) {
	s := batchStore(t)
	client := limit(t, 1_000_000, time.Second, 1_000)
	global := limit(t, 1000, time.Second, batchBurst)
	q := ratelimit.Query{Key: "a", Limit: client, Global: global, Cost: 1, Now: t0}
	for range 10 {
		if _, err := s.Take(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 { // more refunds than takes: extra refunds are no-ops
		if err := s.Refund(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if got := drain(t, s, client, global, 500); got > batchBurst {
		t.Errorf("after refunds: admitted %d at one instant, above the burst %d", got, batchBurst)
	}
}
