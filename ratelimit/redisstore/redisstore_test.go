package redisstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/safedocker/safedocker/internal/redistest"
	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/ratelimittest"
	"github.com/safedocker/safedocker/ratelimit/redisstore"
)

func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newStore(t *testing.T, c redisstore.Scripter) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(c, redisstore.WithPrefix("safedocker-test-"+rand.Text()))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	c := newClient(t, redistest.Addr(t))
	ratelimittest.Run(t, func(t *testing.T) ratelimit.Store { return newStore(t, c) })
}

func TestNewValidates(t *testing.T) {
	if _, err := redisstore.New(nil); !errors.Is(err, ratelimit.ErrInvalid) {
		t.Errorf("New(nil): %v, want ErrInvalid", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer c.Close()
	for _, p := range []string{"", "a{b", "a}b", string(make([]byte, 129))} {
		if _, err := redisstore.New(c, redisstore.WithPrefix(p)); !errors.Is(err, ratelimit.ErrInvalid) {
			t.Errorf("WithPrefix(%q): %v, want ErrInvalid", p, err)
		}
	}
	if _, err := redisstore.New(c, nil); !errors.Is(err, ratelimit.ErrInvalid) {
		t.Errorf("nil option: %v, want ErrInvalid", err)
	}
}

func TestUnreachableDenies(t *testing.T) {
	// Port 1 on loopback refuses connections: New must not notice, Take must.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	s, err := redisstore.New(c)
	if err != nil {
		t.Fatalf("New dialled or failed: %v", err)
	}
	l, _ := ratelimit.PerSecond(10, 10)
	r, err := s.Take(context.Background(), ratelimit.Query{Key: "alice", Limit: l, Cost: 1})
	if !errors.Is(err, ratelimit.ErrStore) || r.Allowed {
		t.Fatalf("Take against a closed port: %+v, %v; want a denial matching ErrStore", r, err)
	}
}

// TestServerClock checks that decisions without an explicit time use the
// Redis server's clock and that written keys expire when full again.
func TestServerClock(t *testing.T) {
	addr := redistest.Addr(t)
	c := newClient(t, addr)
	s, err := redisstore.New(c, redisstore.WithPrefix("safedocker-test-"+rand.Text()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, _ := ratelimit.NewLimit(1, time.Hour, 2)
	for i, want := range []bool{true, true, false} {
		r, err := s.Take(ctx, ratelimit.Query{Key: "alice", Limit: l, Cost: 1})
		if err != nil || r.Allowed != want {
			t.Fatalf("request %d: %+v, %v; want allowed=%v", i, r, err, want)
		}
		if !want && (r.RetryAfter <= 59*time.Minute || r.RetryAfter > time.Hour) {
			t.Fatalf("request %d: RetryAfter %s, want just under an hour", i, r.RetryAfter)
		}
	}
}

// TestKeyTTL checks the PEXPIRE: the key lives until the bucket is full.
func TestKeyTTL(t *testing.T) {
	c := newClient(t, redistest.Addr(t))
	prefix := "safedocker-test-" + rand.Text()
	s, err := redisstore.New(c, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, _ := ratelimit.NewLimit(1, time.Minute, 10)
	g, _ := ratelimit.NewLimit(1, time.Second, 100)
	if _, err := s.Take(ctx, ratelimit.Query{Key: "alice", Limit: l, Global: g, Cost: 3}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{
		"{" + prefix + "}:c:alice": 3 * time.Minute,
		"{" + prefix + "}:g":       3 * time.Second,
	} {
		ttl, err := c.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= want-5*time.Second || ttl > want {
			t.Errorf("PTTL(%s) = %s, want about %s", key, ttl, want)
		}
	}
}

// TestNoScriptFallback flushes the script cache; the next decision must
// still succeed (EVALSHA → NOSCRIPT → EVAL).
func TestNoScriptFallback(t *testing.T) {
	c := newClient(t, redistest.Start(t).Addr())
	s := newStore(t, c)
	ctx := context.Background()
	l, _ := ratelimit.PerSecond(10, 10)
	for i := range 3 {
		if err := c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Take(ctx, ratelimit.Query{Key: "alice", Limit: l, Cost: 1}); err != nil || !r.Allowed {
			t.Fatalf("take %d after SCRIPT FLUSH: %+v, %v", i, r, err)
		}
	}
}

// TestOutage stops Redis in the middle of a run: every decision must deny
// with a typed error, and service must resume when the server is back.
func TestOutage(t *testing.T) {
	srv := redistest.Start(t)
	c := newClient(t, srv.Addr())
	s := newStore(t, c)
	l, _ := ratelimit.PerSecond(1000, 1000)
	g, _ := ratelimit.PerSecond(1000, 1000)
	lim, err := ratelimit.New(s, l, ratelimit.WithGlobal(g), ratelimit.WithClientInFlight(5))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	decide := func() (ratelimit.Result, error) { return lim.Allow(ctx, "alice") }
	for i := range 5 {
		if r, err := decide(); err != nil || !r.Allowed {
			t.Fatalf("before the outage, decision %d: %+v, %v", i, r, err)
		}
	}
	srv.Stop()
	for i := range 10 {
		r, err := decide()
		if !errors.Is(err, ratelimit.ErrStore) || r.Allowed {
			t.Fatalf("during the outage, decision %d: %+v, %v; want a denial matching ErrStore", i, r, err)
		}
		rel, err := lim.Acquire(ctx, "alice", 1)
		if !errors.Is(err, ratelimit.ErrStore) || rel == nil {
			t.Fatalf("during the outage, Acquire %d: %v; want ErrStore and a no-op release", i, err)
		}
		rel()
		if _, err := lim.Reserve(ctx, "alice"); !errors.Is(err, ratelimit.ErrStore) {
			t.Fatalf("during the outage, Reserve %d: %v; want ErrStore", i, err)
		}
	}
	if n := lim.InFlight(); n != 0 {
		t.Fatalf("failed Acquires leaked %d in-flight slots", n)
	}
	srv.Restart() // same port, empty dataset, empty script cache
	// go-redis re-dials a failed pool in the background about once a
	// second; poll (bounded) until it has, denying all along.
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err := decide()
		if err == nil {
			if !r.Allowed {
				t.Fatalf("first decision after the outage denied: %+v", r)
			}
			break
		}
		if !errors.Is(err, ratelimit.ErrStore) || r.Allowed {
			t.Fatalf("while reconnecting: %+v, %v; want a denial matching ErrStore", r, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("service did not resume after Redis came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 5 {
		if r, err := decide(); err != nil || !r.Allowed {
			t.Fatalf("after the outage, decision %d: %+v, %v", i, r, err)
		}
	}
	rel, err := lim.Acquire(ctx, "alice", 1)
	if err != nil {
		t.Fatalf("Acquire after the outage: %v", err)
	}
	rel()
}

// TestOutageFailOpen: the explicitly named option admits during an outage.
func TestOutageFailOpen(t *testing.T) {
	srv := redistest.Start(t)
	c := newClient(t, srv.Addr())
	l, _ := ratelimit.PerSecond(1, 1)
	lim, err := ratelimit.New(newStore(t, c), l, ratelimit.FailOpenOnStoreError(),
		ratelimit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	for range 3 {
		if r, err := lim.Allow(context.Background(), "alice"); err != nil || !r.Allowed {
			t.Fatalf("fail-open during an outage: %+v, %v; want admitted", r, err)
		}
	}
}

// TestHammer: many goroutines and keys against one Redis, explicit times:
// the global limit is never exceeded beyond its burst plus its refill.
func TestHammer(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: redistest.Addr(t), PoolSize: 32})
	t.Cleanup(func() { _ = c.Close() })
	s := newStore(t, c)
	g, _ := ratelimit.NewLimit(1000, time.Second, 50) // one unit per ms
	l, _ := ratelimit.NewLimit(100, time.Second, 3)
	lim, err := ratelimit.New(s, l, ratelimit.WithGlobal(g))
	if err != nil {
		t.Fatal(err)
	}
	const workers, ops, keys = 16, 150, 200
	step := 20 * time.Microsecond
	t0 := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	admitted := 0
	perKey := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range ops {
				key := "client-" + strconv.Itoa((w*37+i*11)%keys)
				r, err := lim.AllowN(context.Background(), t0.Add(time.Duration(i)*step), key, 1)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					mu.Lock()
					admitted++
					perKey[key]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	span := time.Duration(ops-1) * step
	if bound := g.Burst() + int(span/g.Interval()); admitted > bound || admitted < g.Burst() {
		t.Fatalf("admitted %d, want between the burst %d and the bound %d", admitted, g.Burst(), bound)
	}
	for k, n := range perKey {
		if n > l.Burst()+int(span/l.Interval()) {
			t.Fatalf("%s admitted %d", k, n)
		}
	}
}
