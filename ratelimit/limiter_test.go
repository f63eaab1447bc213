package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
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

func newLimiter(t testing.TB, client ratelimit.Limit, opts ...ratelimit.Option) *ratelimit.Limiter {
	t.Helper()
	s, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	l, err := ratelimit.New(s, client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNewLimit(t *testing.T) {
	for _, c := range []struct {
		events int
		per    time.Duration
		burst  int
	}{{0, time.Second, 1}, {-1, time.Second, 1}, {1, 0, 1}, {1, -time.Second, 1}, {1, time.Second, 0},
		{1, 24 * time.Hour, 1 << 20}} {
		if _, err := ratelimit.NewLimit(c.events, c.per, c.burst); !errors.Is(err, ratelimit.ErrInvalid) {
			t.Errorf("NewLimit(%d, %s, %d): %v, want ErrInvalid", c.events, c.per, c.burst, err)
		}
	}
	l, err := ratelimit.NewLimit(3, time.Second, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Interval(), 333333334*time.Nanosecond; got != want {
		t.Errorf("Interval = %s, want %s (rounded up)", got, want)
	}
	if l.String() != "3/1s burst 2" || (ratelimit.Limit{}).String() != "none" {
		t.Errorf("String: %q, %q", l, ratelimit.Limit{})
	}
}

func TestDecide(t *testing.T) {
	// interval 10, burst 3 (tolerance 30), now 100.
	for _, c := range []struct {
		tat  int64
		cost int
		want ratelimit.Decision
	}{
		{0, 1, ratelimit.Decision{TAT: 110, Allowed: true, Remaining: 2, ResetAfter: 10}},
		{0, 3, ratelimit.Decision{TAT: 130, Allowed: true, Remaining: 0, ResetAfter: 30}},
		{120, 1, ratelimit.Decision{TAT: 130, Allowed: true, Remaining: 0, ResetAfter: 30}},
		{125, 1, ratelimit.Decision{TAT: 125, RetryAfter: 5, Remaining: 0, ResetAfter: 25}},
		{110, 3, ratelimit.Decision{TAT: 110, RetryAfter: 10, Remaining: 2, ResetAfter: 10}},
		{0, 4, ratelimit.Decision{TAT: 0, RetryAfter: -1, Remaining: 3, ResetAfter: 0}},
	} {
		if got := ratelimit.Decide(c.tat, 100, 10, 3, c.cost); got != c.want {
			t.Errorf("Decide(tat %d, cost %d) = %+v, want %+v", c.tat, c.cost, got, c.want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	s, _ := memorystore.New()
	l := limit(t, 1, time.Second, 1)
	for name, f := range map[string]func() (*ratelimit.Limiter, error){
		"nil store":  func() (*ratelimit.Limiter, error) { return ratelimit.New(nil, l) },
		"zero limit": func() (*ratelimit.Limiter, error) { return ratelimit.New(s, ratelimit.Limit{}) },
		"zero global": func() (*ratelimit.Limiter, error) {
			return ratelimit.New(s, l, ratelimit.WithGlobal(ratelimit.Limit{}))
		},
		"client in-flight": func() (*ratelimit.Limiter, error) { return ratelimit.New(s, l, ratelimit.WithClientInFlight(0)) },
		"global in-flight": func() (*ratelimit.Limiter, error) { return ratelimit.New(s, l, ratelimit.WithGlobalInFlight(-1)) },
		"nil logger":       func() (*ratelimit.Limiter, error) { return ratelimit.New(s, l, ratelimit.WithLogger(nil)) },
		"nil option":       func() (*ratelimit.Limiter, error) { return ratelimit.New(s, l, nil) },
	} {
		if lim, err := f(); !errors.Is(err, ratelimit.ErrInvalid) || lim != nil {
			t.Errorf("%s: %v, %v; want nil and ErrInvalid", name, lim, err)
		}
	}
}

func TestInvalidInputDenies(t *testing.T) {
	ctx := context.Background()
	lim := newLimiter(t, limit(t, 10, time.Second, 5), ratelimit.WithClientInFlight(1))
	for _, c := range []struct {
		client string
		cost   int
	}{{"", 1}, {"alice", 0}, {"alice", -3}, {string(make([]byte, ratelimit.MaxKeyLen+1)), 1}} {
		if r, err := lim.AllowN(ctx, t0, c.client, c.cost); !errors.Is(err, ratelimit.ErrInvalid) || r.Allowed {
			t.Errorf("AllowN(%q, %d): %+v, %v", c.client, c.cost, r, err)
		}
		if res, err := lim.ReserveN(ctx, t0, c.client, c.cost); !errors.Is(err, ratelimit.ErrInvalid) || res != nil {
			t.Errorf("ReserveN(%q, %d): %v", c.client, c.cost, err)
		}
		if err := lim.WaitN(ctx, c.client, c.cost); !errors.Is(err, ratelimit.ErrInvalid) {
			t.Errorf("WaitN(%q, %d): %v", c.client, c.cost, err)
		}
		rel, err := lim.Acquire(ctx, c.client, c.cost)
		if !errors.Is(err, ratelimit.ErrInvalid) || rel == nil {
			t.Errorf("Acquire(%q, %d): %v", c.client, c.cost, err)
		}
		rel()
	}
	if n := lim.InFlight(); n != 0 {
		t.Errorf("invalid Acquires hold %d slots", n)
	}
}

func TestAllowNGlobal(t *testing.T) {
	ctx := context.Background()
	g := limit(t, 10, time.Second, 3)
	lim := newLimiter(t, limit(t, 10, time.Second, 2), ratelimit.WithGlobal(g))
	for i, c := range []struct {
		client  string
		allowed bool
		scope   ratelimit.Scope
	}{{"alice", true, ratelimit.ScopeClient}, {"alice", true, ratelimit.ScopeClient},
		{"alice", false, ratelimit.ScopeClient}, {"bob", true, ratelimit.ScopeGlobal},
		{"bob", false, ratelimit.ScopeGlobal}, {"carol", false, ratelimit.ScopeGlobal}} {
		r, err := lim.AllowN(ctx, t0, c.client, 1)
		if err != nil || r.Allowed != c.allowed || r.Scope != c.scope {
			t.Fatalf("decision %d (%s): %+v, %v; want allowed=%v scope=%s", i, c.client, r, err, c.allowed, c.scope)
		}
	}
	r, err := lim.AllowN(ctx, t0.Add(100*time.Millisecond), "carol", 1)
	if err != nil || !r.Allowed {
		t.Fatalf("carol after one global interval: %+v, %v", r, err)
	}
	r, _ = lim.AllowN(ctx, t0, "dave", 10)
	if r.Allowed || r.RetryAfter != ratelimit.Never {
		t.Fatalf("cost above burst: %+v, want RetryAfter Never", r)
	}
}

func TestReserveCancel(t *testing.T) {
	ctx := context.Background()
	lim := newLimiter(t, limit(t, 10, time.Second, 3))
	res, err := lim.ReserveN(ctx, t0, "alice", 3)
	if err != nil || !res.Result().Allowed {
		t.Fatalf("ReserveN: %v", err)
	}
	_, err = lim.ReserveN(ctx, t0, "alice", 1)
	var le *ratelimit.LimitError
	if !errors.As(err, &le) || !errors.Is(err, ratelimit.ErrLimited) || le.Scope != ratelimit.ScopeClient ||
		le.RetryAfter != 100*time.Millisecond {
		t.Fatalf("ReserveN over the limit: %v (%+v)", err, le)
	}
	for range 3 { // idempotent: refunds once
		if err := res.Cancel(ctx); err != nil {
			t.Fatalf("Cancel: %v", err)
		}
	}
	r, _ := lim.AllowN(ctx, t0, "alice", 3)
	if !r.Allowed {
		t.Fatalf("cancelled reservation not refunded: %+v", r)
	}
	if r, _ := lim.AllowN(ctx, t0, "alice", 1); r.Allowed {
		t.Fatalf("Cancel refunded more than once: %+v", r)
	}
	_, err = lim.ReserveN(ctx, t0, "bob", 4)
	if !errors.Is(err, ratelimit.ErrCostExceedsBurst) || !errors.Is(err, ratelimit.ErrLimited) {
		t.Fatalf("ReserveN above burst: %v, want ErrCostExceedsBurst", err)
	}
}

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := newLimiter(t, limit(t, 10, time.Second, 1))
		ctx := context.Background()
		start := time.Now()
		if err := lim.Wait(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if err := lim.Wait(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 100*time.Millisecond {
			t.Fatalf("second Wait returned after %s, want exactly one interval (100ms)", got)
		}
		// A deadline before the budget: fail at once, without waiting.
		dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		before := time.Now()
		err := lim.Wait(dctx, "alice")
		var le *ratelimit.LimitError
		if !errors.As(err, &le) || le.RetryAfter != 100*time.Millisecond || time.Since(before) != 0 {
			t.Fatalf("Wait with a short deadline: %v after %s; want an immediate LimitError", err, time.Since(before))
		}
		if err := lim.WaitN(ctx, "alice", 2); !errors.Is(err, ratelimit.ErrCostExceedsBurst) {
			t.Fatalf("WaitN above burst: %v", err)
		}
		cctx, cancel2 := context.WithCancel(ctx)
		go func() { time.Sleep(30 * time.Millisecond); cancel2() }()
		if err := lim.Wait(cctx, "alice"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait cancelled while waiting: %v", err)
		}
	})
}

func TestAcquireInFlight(t *testing.T) {
	ctx := context.Background()
	lim := newLimiter(t, limit(t, 1000, time.Second, 1000),
		ratelimit.WithClientInFlight(2), ratelimit.WithGlobalInFlight(3))
	r1, err := lim.Acquire(ctx, "alice", 1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := lim.Acquire(ctx, "alice", 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lim.Acquire(ctx, "alice", 1)
	var le *ratelimit.LimitError
	if !errors.As(err, &le) || le.Scope != ratelimit.ScopeClientInFlight || !errors.Is(err, ratelimit.ErrLimited) {
		t.Fatalf("third alice Acquire: %v, want a client in-flight denial", err)
	}
	r3, err := lim.Acquire(ctx, "bob", 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lim.Acquire(ctx, "carol", 1)
	if !errors.As(err, &le) || le.Scope != ratelimit.ScopeGlobalInFlight {
		t.Fatalf("fourth Acquire: %v, want a global in-flight denial", err)
	}
	r1()
	r1() // idempotent: must not free a second slot
	r1()
	if n := lim.InFlight(); n != 2 {
		t.Fatalf("in flight after releasing one slot thrice: %d, want 2", n)
	}
	if _, err := lim.Acquire(ctx, "carol", 1); err != nil {
		t.Fatalf("Acquire after a release: %v", err)
	}
	if _, err := lim.Acquire(ctx, "dave", 1); !errors.As(err, &le) || le.Scope != ratelimit.ScopeGlobalInFlight {
		t.Fatalf("double release freed an extra slot: %v", err)
	}
	r2()
	r3()
}

func TestAcquireRateDenialFreesSlotAndInFlightDenialSpendsNothing(t *testing.T) {
	ctx := context.Background()
	lim := newLimiter(t, limit(t, 1, time.Hour, 2), ratelimit.WithClientInFlight(1))
	rel, err := lim.Acquire(ctx, "alice", 1)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 { // refused for the slot: must not spend rate budget
		if _, err := lim.Acquire(ctx, "alice", 1); err == nil {
			t.Fatal("second concurrent Acquire admitted")
		}
	}
	rel()
	rel2, err := lim.Acquire(ctx, "alice", 1)
	if err != nil {
		t.Fatalf("in-flight denials spent rate budget: %v", err)
	}
	rel2()
	_, err = lim.Acquire(ctx, "alice", 1)
	var le *ratelimit.LimitError
	if !errors.As(err, &le) || le.Scope != ratelimit.ScopeClient || le.RetryAfter <= 0 {
		t.Fatalf("third Acquire: %v, want a client rate denial with RetryAfter", err)
	}
	if n := lim.InFlight(); n != 0 {
		t.Fatalf("rate denial kept its slot: %d in flight", n)
	}
}

// failingStore fails every call.
type failingStore struct{ err error }

func (f failingStore) Take(context.Context, ratelimit.Query) (ratelimit.Result, error) {
	return ratelimit.Result{Allowed: true}, f.err // Allowed must be ignored on error
}
func (f failingStore) Refund(context.Context, ratelimit.Query) error { return f.err }
func (f failingStore) Close(context.Context) error                   { return nil }

func TestStoreErrorDenies(t *testing.T) {
	ctx := context.Background()
	cause := errors.New("connection refused")
	l := limit(t, 10, time.Second, 10)
	lim, err := ratelimit.New(failingStore{cause}, l, ratelimit.WithClientInFlight(1))
	if err != nil {
		t.Fatal(err)
	}
	r, err := lim.Allow(ctx, "alice")
	if r.Allowed || !errors.Is(err, ratelimit.ErrStore) || !errors.Is(err, cause) {
		t.Fatalf("Allow on a failing store: %+v, %v", r, err)
	}
	rel, err := lim.Acquire(ctx, "alice", 1)
	if !errors.Is(err, ratelimit.ErrStore) || errors.Is(err, ratelimit.ErrLimited) {
		t.Fatalf("Acquire on a failing store: %v", err)
	}
	rel()
	if err := lim.Wait(ctx, "alice"); !errors.Is(err, ratelimit.ErrStore) {
		t.Fatalf("Wait on a failing store: %v", err)
	}
	if lim.InFlight() != 0 {
		t.Fatal("store failure leaked an in-flight slot")
	}

	open, err := ratelimit.New(failingStore{cause}, l, ratelimit.FailOpenOnStoreError(),
		ratelimit.WithLogger(slog.New(slog.DiscardHandler)), ratelimit.WithClientInFlight(1))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := open.Allow(ctx, "alice"); err != nil || !r.Allowed {
		t.Fatalf("fail-open Allow: %+v, %v", r, err)
	}
	rel, err = open.Acquire(ctx, "alice", 1)
	if err != nil {
		t.Fatalf("fail-open Acquire: %v", err)
	}
	if _, err := open.Acquire(ctx, "alice", 1); !errors.Is(err, ratelimit.ErrLimited) {
		t.Fatalf("fail-open must keep in-flight limits: %v", err)
	}
	rel()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if r, err := open.Allow(cctx, "alice"); r.Allowed || !errors.Is(err, context.Canceled) || errors.Is(err, ratelimit.ErrStore) {
		t.Fatalf("fail-open with a cancelled context: %+v, %v; want a denial with context.Canceled", r, err)
	}
	res, err := open.Reserve(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Cancel(ctx); err != nil {
		t.Fatalf("Cancel of a fail-open reservation: %v", err)
	}
}

func TestLimitErrorMessages(t *testing.T) {
	for _, e := range []*ratelimit.LimitError{
		{Scope: ratelimit.ScopeClient, RetryAfter: time.Second},
		{Scope: ratelimit.ScopeGlobal, RetryAfter: ratelimit.Never},
		{Scope: ratelimit.ScopeGlobalInFlight},
	} {
		if msg := e.Error(); msg == "" || msg[:10] != "ratelimit:" {
			t.Errorf("message %q", msg)
		}
		if errors.Is(e, ratelimit.ErrCostExceedsBurst) != (e.RetryAfter == ratelimit.Never) {
			t.Errorf("%v: ErrCostExceedsBurst match wrong", e)
		}
	}
	if s := ratelimit.Scope(99).String(); s != "scope(99)" {
		t.Errorf("unknown scope: %q", s)
	}
}

// TestHammer: many goroutines, many keys, explicit times: the global limit
// is never exceeded beyond its burst plus what its rate refilled.
func TestHammer(t *testing.T) {
	const (
		workers = 16
		ops     = 4000
		keys    = 1000
		step    = 10 * time.Microsecond
	)
	s, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	g := limit(t, 1000, time.Second, 100) // one unit per ms
	lim, err := ratelimit.New(s, limit(t, 100, time.Second, 3), ratelimit.WithGlobal(g))
	if err != nil {
		t.Fatal(err)
	}
	hammer(t, lim, workers, ops, keys, step, g)
}

func hammer(t *testing.T, lim *ratelimit.Limiter, workers, ops, keys int, step time.Duration, g ratelimit.Limit) {
	t.Helper()
	var mu sync.Mutex
	admitted := 0
	perKey := make(map[string]int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n := 0
			mine := make(map[string]int)
			for i := range ops {
				key := fmt.Sprintf("client-%d", (w*7919+i*31)%keys)
				r, err := lim.AllowN(context.Background(), t0.Add(time.Duration(i)*step), key, 1)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					n++
					mine[key]++
				}
			}
			mu.Lock()
			admitted += n
			for k, v := range mine {
				perKey[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	span := time.Duration(ops-1) * step
	bound := g.Burst() + int(span/g.Interval())
	if admitted > bound {
		t.Fatalf("admitted %d, above the global bound %d (burst %d + %s of refill)", admitted, bound, g.Burst(), span)
	}
	if admitted < g.Burst() {
		t.Fatalf("admitted %d, below the global burst %d: the limiter is not admitting", admitted, g.Burst())
	}
	c := lim.ClientLimit()
	for k, v := range perKey {
		if max := c.Burst() + int(span/c.Interval()); v > max {
			t.Fatalf("%s admitted %d, above its bound %d", k, v, max)
		}
	}
	t.Logf("admitted %d of %d (bound %d)", admitted, workers*ops, bound)
}

// TestHammerStoreClock: the same with the store's own clock; the bound uses
// the elapsed time measured around the run.
func TestHammerStoreClock(t *testing.T) {
	s, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	hammerStoreClock(t, s)
}

// TestHammerCoarseClock: the same with the memory store's coarse clock.
func TestHammerCoarseClock(t *testing.T) {
	s, err := memorystore.New(memorystore.WithCoarseClock(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	hammerStoreClock(t, s)
}

func hammerStoreClock(t *testing.T, s ratelimit.Store) {
	t.Helper()
	g := limit(t, 1000, time.Second, 50)
	lim, err := ratelimit.New(s, limit(t, 100, time.Second, 3), ratelimit.WithGlobal(g))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 0
	for w := range 16 {
		wg.Go(func() {
			n := 0
			for i := range 3000 {
				r, err := lim.Allow(context.Background(), fmt.Sprintf("c%d", (w*131+i)%500))
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					n++
				}
			}
			mu.Lock()
			admitted += n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if bound := g.Burst() + int(elapsed/g.Interval()) + 1; admitted > bound {
		t.Fatalf("admitted %d in %s, above the global bound %d", admitted, elapsed, bound)
	}
}
