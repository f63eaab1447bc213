package safedocker_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/safedocker"
)

// realLimiter builds a *ratelimit.Limiter on a memory store.
func realLimiter(t *testing.T, client ratelimit.Limit, opts ...ratelimit.Option) *ratelimit.Limiter {
	t.Helper()
	store, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(context.Background()) })
	lim, err := ratelimit.New(store, client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return lim
}

// TestIntegrationRealRateLimiter runs the client with the ratelimit package's
// own limiter (not a fake) in front of a real daemon: a client over its burst
// is refused with a *RateLimitError carrying the scope and a retry hint before
// anything reaches the daemon; another client has its own bucket.
func TestIntegrationRealRateLimiter(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	rec := dockertest.RecordingProxy(t, sock)
	perHour, err := ratelimit.NewLimit(1, time.Hour, 2)
	if err != nil {
		t.Fatal(err)
	}
	c := socketClient(t, rec.SocketPath(), safedocker.WithCapabilities(safedocker.CapSystemRead, safedocker.CapContainerRead),
		safedocker.WithLimiter(realLimiter(t, perHour)), safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	alice := safedocker.WithClientID(t.Context(), "alice")
	bob := safedocker.WithClientID(t.Context(), "bob")

	for i := range 2 { // the burst
		if _, err := c.Ping(alice); err != nil {
			t.Fatalf("ping %d within the burst: %v", i, err)
		}
	}
	rec.Reset()
	_, err = c.ListContainers(alice, safedocker.ListOptions{})
	var rl *safedocker.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, safedocker.ErrRateLimited) || !errors.Is(err, ratelimit.ErrLimited) {
		t.Fatalf("over the burst: %v, want a *RateLimitError", err)
	}
	if rl.Scope != ratelimit.ScopeClient.String() || rl.RetryAfter <= 0 || rl.RetryAfter > time.Hour || rl.Op != "container.list" {
		t.Errorf("refusal = %+v, want scope %q and a retry hint up to an hour", rl, ratelimit.ScopeClient)
	}
	if n := rec.Count(); n != 0 {
		t.Fatalf("%d requests of a rate-limited client reached the daemon: %+v", n, rec.Requests())
	}

	// Another identity has its own bucket.
	if _, err := c.Ping(bob); err != nil {
		t.Fatalf("bob, limited by alice's use: %v", err)
	}
	if rec.Count() == 0 {
		t.Error("bob's admitted ping did not reach the daemon")
	}
	// And alice stays refused.
	if _, err := c.Ping(alice); !errors.Is(err, safedocker.ErrRateLimited) {
		t.Errorf("alice after bob: %v", err)
	}
}

// TestIntegrationInFlightSlotReleased: with one operation in flight per client,
// a second one is refused while the first runs, and the slot comes back when
// the first ends, also when its context is canceled mid-call.
func TestIntegrationInFlightSlotReleased(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	img := dockertest.TinyImage(t)
	rec := dockertest.RecordingProxy(t, sock)
	fast, err := ratelimit.PerSecond(1000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	c := socketClient(t, rec.SocketPath(), safedocker.WithCapabilities(containerGrant...),
		safedocker.WithLimiter(realLimiter(t, fast, ratelimit.WithClientInFlight(1))),
		safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	ctx := safedocker.WithClientID(t.Context(), "carol")

	// Sequential operations each release their slot when they end.
	for i := range 3 {
		if _, err := c.Ping(ctx); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
	}
	created, err := c.NewContainer(img).WithName(dockertest.Name(t, "inflight")).WithCommand("sleep", "5m").Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.RemoveContainer(safedocker.WithClientID(context.Background(), "cleanup"), created.ID, safedocker.RemoveOptions{Force: true})
	})
	if err := c.StartContainer(ctx, created.ID); err != nil {
		t.Fatal(err)
	}

	// A wait holds carol's only slot until its context is canceled.
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	rec.Reset()
	done := make(chan error, 1)
	go func() {
		_, err := c.WaitContainer(waitCtx, created.ID, safedocker.WaitNotRunning)
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !sawWait(rec) {
		if time.Now().After(deadline) {
			t.Fatal("the wait never reached the daemon")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rec.Reset()
	_, err = c.Ping(ctx)
	var rl *safedocker.RateLimitError
	if !errors.As(err, &rl) || rl.Scope != ratelimit.ScopeClientInFlight.String() {
		t.Fatalf("second operation while one is in flight: %v, want a client in-flight refusal", err)
	}
	if rec.Count() != 0 {
		t.Fatalf("the refused operation reached the daemon: %+v", rec.Requests())
	}
	if _, err := c.Ping(safedocker.WithClientID(t.Context(), "dave")); err != nil {
		t.Errorf("another client during carol's wait: %v", err)
	}

	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, safedocker.ErrCanceled) {
			t.Fatalf("canceled wait: %v, want ErrCanceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the canceled wait did not return")
	}
	if _, err := c.Ping(ctx); err != nil {
		t.Fatalf("after the canceled wait the slot was not released: %v", err)
	}
}

// sawWait reports whether a container wait request reached the daemon.
func sawWait(rec *dockertest.Recorder) bool {
	for _, r := range rec.Requests() {
		if strings.HasSuffix(r.Path, "/wait") {
			return true
		}
	}
	return false
}
