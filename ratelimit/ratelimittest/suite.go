// Package ratelimittest holds a conformance suite for [ratelimit.Store]
// implementations, in the manner of testing/fstest.
//
// Every store in this module runs it: ratelimit/memorystore in its own
// tests, ratelimit/redisstore against a real redis-server. A third-party
// store can run it too:
//
//	func TestConformance(t *testing.T) {
//		ratelimittest.Run(t, func(t *testing.T) ratelimit.Store { return newStore(t) })
//	}
package ratelimittest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
)

// Factory returns a new, empty store for one subtest. Stores from two calls
// must not share state (for a shared backend, use a fresh key prefix). The
// suite closes the store; the factory may register further cleanup with
// t.Cleanup.
type Factory func(t *testing.T) ratelimit.Store

// t0 is the explicit time the suite's decisions start at. It is within a
// hundred years of the present, as stores require.
var t0 = time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)

// Run runs the conformance suite against stores made by newStore. All
// decisions use explicit times, so the suite does not sleep and does not
// depend on the machine's speed.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s ratelimit.Store)
	}{
		{"BurstThenDeny", testBurstThenDeny},
		{"Refill", testRefill},
		{"DenialWritesNothing", testDenialWritesNothing},
		{"Cost", testCost},
		{"CostAboveBurst", testCostAboveBurst},
		{"KeysIndependent", testKeysIndependent},
		{"FullAfterIdle", testFullAfterIdle},
		{"TimeGoingBackDoesNotMint", testTimeBackwards},
		{"GlobalDenialSpendsNoClientBudget", testGlobalDenial},
		{"ClientDenialSpendsNoGlobalBudget", testClientDenial},
		{"GlobalBinding", testGlobalBinding},
		{"Refund", testRefund},
		{"RefundNeverPastFull", testRefundPastFull},
		{"InvalidQueries", testInvalid},
		{"CancelledContext", testCancelledContext},
		{"Concurrent", testConcurrent},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close(context.Background()) })
			tc.fn(t, s)
		})
	}
}

func mustLimit(t *testing.T, events int, per time.Duration, burst int) ratelimit.Limit {
	t.Helper()
	l, err := ratelimit.NewLimit(events, per, burst)
	if err != nil {
		t.Fatalf("NewLimit: %v", err)
	}
	return l
}

// tenPerSecond is 10/s burst 5: one unit every 100ms.
func tenPerSecond(t *testing.T) ratelimit.Limit { return mustLimit(t, 10, time.Second, 5) }

func at(d time.Duration) time.Time { return t0.Add(d) }

func take(t *testing.T, s ratelimit.Store, q ratelimit.Query) ratelimit.Result {
	t.Helper()
	r, err := s.Take(context.Background(), q)
	if err != nil {
		t.Fatalf("Take(%q, cost %d, at %s): %v", q.Key, q.Cost, q.Now.Sub(t0), err)
	}
	return r
}

func want(t *testing.T, what string, got, want ratelimit.Result) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testBurstThenDeny(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	for i := 1; i <= 5; i++ {
		r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
		want(t, fmt.Sprintf("request %d", i), r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient,
			Remaining: 5 - i, ResetAfter: time.Duration(i) * 100 * time.Millisecond})
	}
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	want(t, "request 6", r, ratelimit.Result{Scope: ratelimit.ScopeClient, Remaining: 0,
		RetryAfter: 100 * time.Millisecond, ResetAfter: 500 * time.Millisecond})
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(30 * time.Millisecond)})
	want(t, "request 7, 30ms later", r, ratelimit.Result{Scope: ratelimit.ScopeClient, Remaining: 0,
		RetryAfter: 70 * time.Millisecond, ResetAfter: 470 * time.Millisecond})
}

func testRefill(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	for range 5 {
		take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	}
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(100 * time.Millisecond)})
	want(t, "after one interval", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 0, ResetAfter: 500 * time.Millisecond})
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(100 * time.Millisecond)})
	if r.Allowed {
		t.Fatalf("second request after one interval admitted: %+v", r)
	}
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 2, Now: at(300 * time.Millisecond)})
	want(t, "cost 2 after two more intervals", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient,
		Remaining: 0, ResetAfter: 500 * time.Millisecond})
}

func testDenialWritesNothing(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	for range 5 {
		take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	}
	for i := range 50 {
		if r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(time.Duration(i) * time.Millisecond)}); r.Allowed {
			t.Fatalf("flood request %d admitted", i)
		}
	}
	// Had the denials been recorded, the bucket would be far in the future.
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(100 * time.Millisecond)})
	if !r.Allowed {
		t.Fatalf("request after one interval denied after a flood of denials: %+v", r)
	}
}

func testCost(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 3, Now: t0})
	want(t, "cost 3", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 2, ResetAfter: 300 * time.Millisecond})
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 3, Now: t0})
	want(t, "second cost 3", r, ratelimit.Result{Scope: ratelimit.ScopeClient, Remaining: 2, RetryAfter: 100 * time.Millisecond, ResetAfter: 300 * time.Millisecond})
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 2, Now: t0})
	want(t, "cost 2", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 0, ResetAfter: 500 * time.Millisecond})
}

func testCostAboveBurst(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 6, Now: t0})
	want(t, "cost 6 on a fresh bucket", r, ratelimit.Result{Scope: ratelimit.ScopeClient, Remaining: 5, RetryAfter: ratelimit.Never})
	take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 2, Now: t0})
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 100, Now: t0})
	want(t, "cost 100 on a used bucket", r, ratelimit.Result{Scope: ratelimit.ScopeClient, Remaining: 3, RetryAfter: ratelimit.Never, ResetAfter: 200 * time.Millisecond})
	r = take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 3, Now: t0})
	if !r.Allowed || r.Remaining != 0 {
		t.Fatalf("never-satisfiable requests spent budget: %+v", r)
	}
	g := mustLimit(t, 10, time.Second, 2)
	r = take(t, s, ratelimit.Query{Key: "bob", Limit: l, Global: g, Cost: 3, Now: t0})
	want(t, "cost above the global burst", r, ratelimit.Result{Scope: ratelimit.ScopeGlobal, Remaining: 2, RetryAfter: ratelimit.Never})
}

func testKeysIndependent(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	for range 5 {
		take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	}
	for _, k := range []string{"bob", "alice ", "Alice", "alice\x00", "{alice}", "ålice"} {
		r := take(t, s, ratelimit.Query{Key: k, Limit: l, Cost: 1, Now: t0})
		if !r.Allowed || r.Remaining != 4 {
			t.Fatalf("key %q shares state with alice: %+v", k, r)
		}
	}
}

func testFullAfterIdle(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	for range 5 {
		take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	}
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(time.Hour)})
	want(t, "after an hour", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 4, ResetAfter: 100 * time.Millisecond})
}

func testTimeBackwards(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	for range 5 {
		take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(time.Second)})
	}
	for _, d := range []time.Duration{0, 500 * time.Millisecond, 999 * time.Millisecond} {
		if r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: at(d)}); r.Allowed {
			t.Fatalf("request at an earlier time (%s) admitted: %+v", d, r)
		}
	}
}

func testGlobalDenial(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	g := mustLimit(t, 10, time.Second, 3)
	for _, k := range []string{"alice", "alice", "bob"} {
		if r := take(t, s, ratelimit.Query{Key: k, Limit: l, Global: g, Cost: 1, Now: t0}); !r.Allowed {
			t.Fatalf("%s denied within the global burst: %+v", k, r)
		}
	}
	for range 3 {
		r := take(t, s, ratelimit.Query{Key: "bob", Limit: l, Global: g, Cost: 1, Now: t0})
		want(t, "bob over the global limit", r, ratelimit.Result{Scope: ratelimit.ScopeGlobal, Remaining: 0, RetryAfter: 100 * time.Millisecond, ResetAfter: 300 * time.Millisecond})
	}
	// Bob spent one unit of his own budget, not four.
	r := take(t, s, ratelimit.Query{Key: "bob", Limit: l, Cost: 1, Now: t0})
	want(t, "bob's client bucket", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 3, ResetAfter: 200 * time.Millisecond})
}

func testClientDenial(t *testing.T, s ratelimit.Store) {
	one := mustLimit(t, 10, time.Second, 1)
	g := mustLimit(t, 10, time.Second, 5)
	take(t, s, ratelimit.Query{Key: "carol", Limit: one, Global: g, Cost: 1, Now: t0})
	for range 10 {
		if r := take(t, s, ratelimit.Query{Key: "carol", Limit: one, Global: g, Cost: 1, Now: t0}); r.Allowed || r.Scope != ratelimit.ScopeClient {
			t.Fatalf("carol over her limit: want a client denial, got %+v", r)
		}
	}
	// The global bucket holds carol's one admitted unit only.
	r := take(t, s, ratelimit.Query{Key: "dave", Limit: tenPerSecond(t), Global: g, Cost: 4, Now: t0})
	if !r.Allowed || r.Scope != ratelimit.ScopeGlobal || r.Remaining != 0 {
		t.Fatalf("client denials spent global budget: dave's cost 4 got %+v", r)
	}
}

func testGlobalBinding(t *testing.T, s ratelimit.Store) {
	l := tenPerSecond(t)
	g := mustLimit(t, 100, time.Second, 50)
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 2, Now: t0})
	want(t, "client binding", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 3, ResetAfter: 200 * time.Millisecond})
	g2 := mustLimit(t, 10, time.Second, 2)
	r = take(t, s, ratelimit.Query{Key: "bob", Limit: l, Global: g2, Cost: 1, Now: at(time.Hour)})
	want(t, "global binding", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeGlobal, Remaining: 1, ResetAfter: 100 * time.Millisecond})
}

func testRefund(t *testing.T, s ratelimit.Store) {
	ctx := context.Background()
	l := tenPerSecond(t)
	g := mustLimit(t, 10, time.Second, 5)
	for range 5 {
		take(t, s, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 1, Now: t0})
	}
	if err := s.Refund(ctx, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 2, Now: t0}); err != nil {
		t.Fatalf("Refund: %v", err)
	}
	for i := range 2 {
		if r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 1, Now: t0}); !r.Allowed {
			t.Fatalf("refunded unit %d denied: %+v", i, r)
		}
	}
	if r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 1, Now: t0}); r.Allowed {
		t.Fatalf("refund gave back more than two units: %+v", r)
	}
}

func testRefundPastFull(t *testing.T, s ratelimit.Store) {
	ctx := context.Background()
	l := tenPerSecond(t)
	g := mustLimit(t, 10, time.Second, 5)
	take(t, s, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 1, Now: t0})
	for _, k := range []string{"alice", "nobody"} {
		if err := s.Refund(ctx, ratelimit.Query{Key: k, Limit: l, Global: g, Cost: 5, Now: t0}); err != nil {
			t.Fatalf("Refund(%s): %v", k, err)
		}
	}
	for _, k := range []string{"alice", "nobody"} {
		r := take(t, s, ratelimit.Query{Key: k, Limit: l, Cost: 5, Now: t0})
		want(t, k+" after refunds", r, ratelimit.Result{Allowed: true, Scope: ratelimit.ScopeClient, Remaining: 0, ResetAfter: 500 * time.Millisecond})
		if r := take(t, s, ratelimit.Query{Key: k, Limit: l, Cost: 1, Now: t0}); r.Allowed {
			t.Fatalf("%s: refund filled the bucket beyond its burst", k)
		}
	}
	r := take(t, s, ratelimit.Query{Key: "erin", Limit: l, Global: g, Cost: 5, Now: t0})
	if !r.Allowed {
		t.Fatalf("global bucket not full after refunds: %+v", r)
	}
	if r := take(t, s, ratelimit.Query{Key: "frank", Limit: l, Global: g, Cost: 1, Now: t0}); r.Allowed {
		t.Fatalf("refund filled the global bucket beyond its burst: %+v", r)
	}
}

func testInvalid(t *testing.T, s ratelimit.Store) {
	ctx := context.Background()
	l := tenPerSecond(t)
	long := string(make([]byte, ratelimit.MaxKeyLen+1))
	for name, q := range map[string]ratelimit.Query{
		"empty key":     {Key: "", Limit: l, Cost: 1, Now: t0},
		"long key":      {Key: long, Limit: l, Cost: 1, Now: t0},
		"zero cost":     {Key: "alice", Limit: l, Cost: 0, Now: t0},
		"negative cost": {Key: "alice", Limit: l, Cost: -5, Now: t0},
		"zero limit":    {Key: "alice", Cost: 1, Now: t0},
		"far time":      {Key: "alice", Limit: l, Cost: 1, Now: t0.AddDate(500, 0, 0)},
	} {
		r, err := s.Take(ctx, q)
		if !errors.Is(err, ratelimit.ErrInvalid) || r.Allowed {
			t.Errorf("Take with %s: got %+v, %v; want a denial with ErrInvalid", name, r, err)
		}
		if err := s.Refund(ctx, q); !errors.Is(err, ratelimit.ErrInvalid) {
			t.Errorf("Refund with %s: got %v, want ErrInvalid", name, err)
		}
	}
	r := take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 5, Now: t0})
	if !r.Allowed {
		t.Fatalf("invalid queries changed state: %+v", r)
	}
}

func testCancelledContext(t *testing.T, s ratelimit.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := tenPerSecond(t)
	r, err := s.Take(ctx, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	if err == nil || r.Allowed {
		t.Fatalf("Take with a cancelled context: got %+v, %v; want a denial with an error", r, err)
	}
	if !errors.Is(err, ratelimit.ErrStore) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Take with a cancelled context: error %v should match ErrStore and context.Canceled", err)
	}
}

func testConcurrent(t *testing.T, s ratelimit.Store) {
	const keys, workers, attempts = 5, 4, 20
	l := mustLimit(t, 10, time.Second, 10)
	g := mustLimit(t, 10, time.Second, 30)
	var total atomic.Int64
	var per [keys]atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, keys*workers)
	for k := range keys {
		for range workers {
			wg.Go(func() {
				for range attempts {
					r, err := s.Take(context.Background(), ratelimit.Query{Key: fmt.Sprintf("key-%d", k),
						Limit: l, Global: g, Cost: 1, Now: t0})
					if err != nil {
						errs <- err
						return
					}
					if r.Allowed {
						total.Add(1)
						per[k].Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Take: %v", err)
	}
	// Every key keeps asking after the global bucket is empty and denials
	// spend nothing, so exactly the global burst is admitted.
	if got := total.Load(); got != 30 {
		t.Errorf("admitted %d in total, want exactly the global burst 30", got)
	}
	for k := range keys {
		if got := per[k].Load(); got > 10 {
			t.Errorf("key-%d admitted %d, above its burst 10", k, got)
		}
	}
}

func testClose(t *testing.T, s ratelimit.Store) {
	ctx := context.Background()
	l := tenPerSecond(t)
	take(t, s, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	r, err := s.Take(ctx, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0})
	if !errors.Is(err, ratelimit.ErrStopped) || !errors.Is(err, ratelimit.ErrStore) || r.Allowed {
		t.Fatalf("Take after Close: got %+v, %v; want a denial matching ErrStopped and ErrStore", r, err)
	}
	if err := s.Refund(ctx, ratelimit.Query{Key: "alice", Limit: l, Cost: 1, Now: t0}); !errors.Is(err, ratelimit.ErrStopped) {
		t.Fatalf("Refund after Close: got %v, want ErrStopped", err)
	}
}
