package memorystore_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
)

var t0 = time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)

func limit(t testing.TB, events int, per time.Duration, burst int) ratelimit.Limit {
	t.Helper()
	l, err := ratelimit.NewLimit(events, per, burst)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestWithMaxKeysValidates(t *testing.T) {
	for _, n := range []int{0, -1} {
		if _, err := memorystore.New(memorystore.WithMaxKeys(n)); !errors.Is(err, ratelimit.ErrInvalid) {
			t.Errorf("WithMaxKeys(%d): %v", n, err)
		}
	}
	if _, err := memorystore.New(nil); !errors.Is(err, ratelimit.ErrInvalid) {
		t.Errorf("nil option: %v", err)
	}
}

// TestMillionClientsStayUnderCap sends 1,000,000 distinct clients, all with
// live buckets, to a store capped at 100,000 keys: the store never tracks
// more than the cap, refuses the rest with a typed error, keeps serving and
// limiting the clients it tracks (no eviction into a fresh burst), and
// admits new clients once old buckets expire.
func TestMillionClientsStayUnderCap(t *testing.T) {
	const clients, maxKeys = 1_000_000, 100_000
	s, err := memorystore.New(memorystore.WithMaxKeys(maxKeys))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l := limit(t, 1, time.Minute, 1) // a bucket stays live for a minute
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	admitted, refused := 0, 0
	buf := make([]byte, 0, 32)
	for i := range clients {
		buf = strconv.AppendInt(append(buf[:0], "client-"...), int64(i), 10)
		r, err := s.Take(ctx, ratelimit.Query{Key: string(buf), Limit: l, Cost: 1, Now: t0})
		switch {
		case err == nil && r.Allowed:
			admitted++
		case errors.Is(err, ratelimit.ErrCapacity) && errors.Is(err, ratelimit.ErrStore) && !r.Allowed:
			refused++
		default:
			t.Fatalf("client %d: %+v, %v", i, r, err)
		}
	}
	st := s.Stats()
	if st.Keys > maxKeys || st.MaxKeys > maxKeys {
		t.Fatalf("tracking %d keys (cap %d), above %d", st.Keys, st.MaxKeys, maxKeys)
	}
	if admitted != st.Keys || refused != clients-admitted || st.CapacityRefusals != uint64(refused) {
		t.Fatalf("admitted %d, refused %d, stats %+v", admitted, refused, st)
	}
	if admitted < maxKeys*95/100 {
		t.Fatalf("admitted only %d of a %d cap", admitted, maxKeys)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if perKey := grown / int64(maxKeys); perKey > 64 {
		t.Fatalf("heap grew %d bytes for a %d-key cap: %d B per key, want at most 64", grown, maxKeys, perKey)
	}
	t.Logf("admitted %d, refused %d, heap +%d B (%.1f B per tracked key)", admitted, refused, grown, float64(grown)/float64(admitted))

	// Tracked clients are still limited: no eviction handed them a new burst.
	tracked := 0
	for i := 0; i < clients && tracked < 1000; i++ {
		buf = strconv.AppendInt(append(buf[:0], "client-"...), int64(i), 10)
		r, err := s.Take(ctx, ratelimit.Query{Key: string(buf), Limit: l, Cost: 1, Now: t0.Add(time.Second)})
		if errors.Is(err, ratelimit.ErrCapacity) {
			continue // refused earlier, still refused
		}
		if err != nil || r.Allowed || r.Scope != ratelimit.ScopeClient {
			t.Fatalf("tracked client-%d: %+v, %v; want a client denial", i, r, err)
		}
		tracked++
	}
	// A minute later every bucket is full again, i.e. deletable: new
	// clients are admitted and the cap still holds.
	later := t0.Add(time.Minute + time.Second)
	for i := range 10_000 {
		r, err := s.Take(ctx, ratelimit.Query{Key: "newcomer-" + strconv.Itoa(i), Limit: l, Cost: 1, Now: later})
		if err != nil || !r.Allowed {
			t.Fatalf("newcomer %d after expiry: %+v, %v", i, r, err)
		}
	}
	if st := s.Stats(); st.Keys > maxKeys || st.Swept == 0 {
		t.Fatalf("after expiry: %+v", st)
	}
}

// TestIncrementalSweep: a stream of distinct short-lived clients far larger
// than the cap never hits the cap, because expired buckets are dropped shard
// by shard as tables are rebuilt.
func TestIncrementalSweep(t *testing.T) {
	const maxKeys = 4096
	s, err := memorystore.New(memorystore.WithMaxKeys(maxKeys))
	if err != nil {
		t.Fatal(err)
	}
	l := limit(t, 1000, time.Second, 1) // a bucket is live for 1ms
	for i := range 200_000 {
		now := t0.Add(time.Duration(i) * time.Microsecond) // 1,000 new clients per live window
		r, err := s.Take(context.Background(), ratelimit.Query{Key: "c" + strconv.Itoa(i), Limit: l, Cost: 1, Now: now})
		if err != nil || !r.Allowed {
			t.Fatalf("client %d: %+v, %v", i, r, err)
		}
	}
	st := s.Stats()
	if st.Keys > maxKeys || st.CapacityRefusals != 0 || st.Swept < 190_000 {
		t.Fatalf("stats %+v", st)
	}
}

// TestConcurrentRebuild hammers a tiny store while tables are rebuilt and
// swept under it: per-key admissions never exceed the GCRA bound.
func TestConcurrentRebuild(t *testing.T) {
	s, err := memorystore.New(memorystore.WithMaxKeys(1 << 14))
	if err != nil {
		t.Fatal(err)
	}
	l := limit(t, 1000, time.Second, 2) // 1ms interval
	const workers, ops, hot = 8, 5000, 8
	counts := make([][hot]int, workers)
	var tick atomic.Int64 // one shared explicit clock: 10µs per op
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range ops {
				now := t0.Add(time.Duration(tick.Add(1)) * 10 * time.Microsecond)
				// Churn: a fresh key per op forces inserts, sweeps, rebuilds.
				cold := fmt.Sprintf("cold-%d-%d", w, i)
				if _, err := s.Take(context.Background(), ratelimit.Query{Key: cold, Limit: l, Cost: 1, Now: now}); err != nil {
					t.Error(err)
					return
				}
				k := i % hot
				r, err := s.Take(context.Background(), ratelimit.Query{Key: "hot-" + strconv.Itoa(k), Limit: l, Cost: 1, Now: now})
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					counts[w][k]++
				}
			}
		})
	}
	wg.Wait()
	span := time.Duration(tick.Load()) * 10 * time.Microsecond
	bound := l.Burst() + int(span/l.Interval())
	for k := range hot {
		total := 0
		for w := range workers {
			total += counts[w][k]
		}
		if total > bound || total < l.Burst() {
			t.Errorf("hot-%d admitted %d, want between %d and %d", k, total, l.Burst(), bound)
		}
	}
}

func TestCloseDropsState(t *testing.T) {
	s, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	l := limit(t, 1, time.Second, 1)
	if _, err := s.Take(context.Background(), ratelimit.Query{Key: "a", Limit: l, Cost: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Keys != 0 {
		t.Fatalf("after Close: %+v", st)
	}
}
