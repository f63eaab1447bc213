package memorystore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
)

// BenchmarkTake decides one client bucket, and one client plus the global
// bucket, per op over 100,000 distinct tracked keys. The peer comparison
// lives in the separate ratelimit/bench module.
func BenchmarkTake(b *testing.B) {
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = "client-" + strconv.Itoa(i)
	}
	client := limit(b, 100, time.Second, 100)
	global := limit(b, 1_000_000_000, time.Second, 1_000_000_000)
	for _, c := range []struct {
		name   string
		global ratelimit.Limit
	}{{"client", ratelimit.Limit{}}, {"client+global", global}} {
		s, err := memorystore.New()
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for _, k := range keys {
			if _, err := s.Take(ctx, ratelimit.Query{Key: k, Limit: client, Global: c.global, Cost: 1}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(c.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_, _ = s.Take(ctx, ratelimit.Query{Key: keys[i%len(keys)], Limit: client, Global: c.global, Cost: 1})
				i++
			}
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					_, _ = s.Take(ctx, ratelimit.Query{Key: keys[i%len(keys)], Limit: client, Global: c.global, Cost: 1})
					i += 7
				}
			})
		})
	}
}

func BenchmarkClock(b *testing.B) {
	epoch := time.Now()
	var sink time.Duration
	for b.Loop() {
		sink += time.Since(epoch)
	}
	_ = sink
}
