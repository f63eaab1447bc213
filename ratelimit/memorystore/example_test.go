package memorystore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
)

// A per-client limit of 2 requests per second with a burst of 2, and a
// global limit of 3 per second shared by every client.
func Example() {
	store, err := memorystore.New()
	if err != nil {
		panic(err)
	}
	defer store.Close(context.Background())
	perClient, _ := ratelimit.PerSecond(2, 2)
	global, _ := ratelimit.PerSecond(3, 3)
	lim, err := ratelimit.New(store, perClient, ratelimit.WithGlobal(global))
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // explicit time: reproducible output
	for _, client := range []string{"alice", "alice", "alice", "bob", "bob"} {
		r, err := lim.AllowN(ctx, now, client, 1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-5s allowed=%-5v scope=%-6s remaining=%d retry-after=%s\n",
			client, r.Allowed, r.Scope, r.Remaining, r.RetryAfter)
	}
	// Output:
	// alice allowed=true  scope=client remaining=1 retry-after=0s
	// alice allowed=true  scope=client remaining=0 retry-after=0s
	// alice allowed=false scope=client remaining=0 retry-after=500ms
	// bob   allowed=true  scope=global remaining=0 retry-after=0s
	// bob   allowed=false scope=global remaining=0 retry-after=333.333334ms
}

// Acquire is the call an operation pipeline makes: it spends the cost and
// takes an in-flight slot, and the release function frees the slot.
func Example_acquire() {
	store, _ := memorystore.New()
	defer store.Close(context.Background())
	perClient, _ := ratelimit.PerSecond(100, 100)
	lim, _ := ratelimit.New(store, perClient, ratelimit.WithClientInFlight(1))

	ctx := context.Background()
	release, err := lim.Acquire(ctx, "alice", 1)
	fmt.Println("first:", err)

	_, err = lim.Acquire(ctx, "alice", 1)
	var le *ratelimit.LimitError
	fmt.Println("second:", errors.As(err, &le), le.Scope, errors.Is(err, ratelimit.ErrLimited))

	release()
	release() // idempotent
	_, err = lim.Acquire(ctx, "alice", 1)
	fmt.Println("after release:", err)

	_, err = lim.Acquire(ctx, "", 1)
	fmt.Println("empty client:", errors.Is(err, ratelimit.ErrInvalid))
	// Output:
	// first: <nil>
	// second: true client in-flight true
	// after release: <nil>
	// empty client: true
}

// A cost above the burst can never be admitted: the Result says so with
// RetryAfter == ratelimit.Never instead of a misleading wait.
func ExampleStore_Take() {
	store, _ := memorystore.New()
	defer store.Close(context.Background())
	l, _ := ratelimit.NewLimit(10, time.Second, 5)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

	r, _ := store.Take(context.Background(), ratelimit.Query{Key: "alice", Limit: l, Cost: 3, Now: now})
	fmt.Println(r.Allowed, r.Remaining, r.ResetAfter)
	r, _ = store.Take(context.Background(), ratelimit.Query{Key: "alice", Limit: l, Cost: 6, Now: now})
	fmt.Println(r.Allowed, r.RetryAfter == ratelimit.Never)
	// Output:
	// true 2 300ms
	// false true
}
