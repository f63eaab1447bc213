package memorystore_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/ratelimit/ratelimittest"
)

func TestWithCoarseClockValidates(t *testing.T) {
	for _, r := range []time.Duration{0, -time.Millisecond, memorystore.MinCoarseResolution - 1, memorystore.MaxCoarseResolution + 1} {
		if _, err := memorystore.New(memorystore.WithCoarseClock(r)); !errors.Is(err, ratelimit.ErrInvalid) {
			t.Errorf("WithCoarseClock(%s): %v, want ErrInvalid", r, err)
		}
	}
}

func newCoarse(t *testing.T, resolution time.Duration, opts ...memorystore.Option) *memorystore.Store {
	t.Helper()
	s, err := memorystore.New(append(opts, memorystore.WithCoarseClock(resolution))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func TestConformanceCoarseClock(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
		return newCoarse(t, time.Millisecond)
	})
}

// TestCoarseClockAdvances: with the store's own (coarse) clock, a drained
// bucket refills, so the clock moves.
func TestCoarseClockAdvances(t *testing.T) {
	s := newCoarse(t, time.Millisecond)
	ctx := context.Background()
	q := ratelimit.Query{Key: "a", Limit: limit(t, 1000, time.Second, 1), Cost: 1}
	if r, err := s.Take(ctx, q); err != nil || !r.Allowed {
		t.Fatalf("first take: %+v, %v", r, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := s.Take(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("bucket never refilled: the coarse clock does not advance (last %+v)", r)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// TestCoarseClockNeverAhead: the coarse clock never runs ahead of real
// time, so a store using it admits no more than the limit allows over the
// real elapsed time.
func TestCoarseClockNeverAhead(t *testing.T) {
	s := newCoarse(t, memorystore.MinCoarseResolution)
	ctx := context.Background()
	l := limit(t, 200, time.Second, 2) // one unit per 5 ms
	q := ratelimit.Query{Key: "a", Limit: l, Cost: 1}
	start := time.Now()
	admitted := 0
	for time.Since(start) < 150*time.Millisecond {
		r, err := s.Take(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed {
			admitted++
		}
		time.Sleep(50 * time.Microsecond)
	}
	elapsed := time.Since(start)
	if bound := l.Burst() + int(elapsed/l.Interval()); admitted > bound {
		t.Fatalf("admitted %d in %s, above %d: the coarse clock ran ahead", admitted, elapsed, bound)
	}
	if admitted < l.Burst() {
		t.Fatalf("admitted %d, below the burst %d", admitted, l.Burst())
	}
}

// tickers counts goroutines running a store's coarse clock.
func tickers() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "memorystore.(*Store).tick(")
}

// TestCloseStopsCoarseClock: New starts one ticker goroutine and Close ends
// it.
func TestCloseStopsCoarseClock(t *testing.T) {
	// Stores closed by earlier tests may still be ending their tickers.
	waitTickers(t, 0)
	s, err := memorystore.New(memorystore.WithCoarseClock(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// The goroutine may not have reached tick yet (until it runs, its stack
	// shows the compiler's go-statement wrapper), so wait for it.
	waitTickers(t, 1)
	for range 2 { // Close is idempotent
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	waitTickers(t, 0)
	_, err = s.Take(context.Background(), ratelimit.Query{Key: "a", Limit: limit(t, 1, time.Second, 1), Cost: 1})
	if !errors.Is(err, ratelimit.ErrStopped) {
		t.Fatalf("Take after Close: %v, want ErrStopped", err)
	}
}

func waitTickers(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for tickers() != want {
		if time.Now().After(deadline) {
			t.Fatalf("ticker goroutines: %d, want %d", tickers(), want)
		}
		time.Sleep(time.Millisecond)
	}
}
