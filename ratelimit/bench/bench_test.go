package bench

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	sethvargo "github.com/sethvargo/go-limiter/memorystore"
	ulule "github.com/ulule/limiter/v3"
	ululemem "github.com/ulule/limiter/v3/drivers/store/memory"
	"golang.org/x/time/rate"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/ratelimit/redisstore"
)

// The workload: distinct client keys, a per-client limit of 100/s with a
// burst of 100, and for our limiter also a global limit that the workload
// never exhausts (so every decision really reads and writes both buckets).
const (
	memKeys   = 100_000
	redisKeys = 10_000
	perSecond = 100
	fillKeys  = 1_000_000

	// coarseResolution is the coarse clock's refresh period in the
	// "-coarse" benchmarks.
	coarseResolution = time.Millisecond
	// step is how far the explicit time advances per decision in the
	// "explicit" benchmarks, about the cost of one decision.
	step = 100 * time.Nanosecond
)

func makeKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "client-" + strconv.Itoa(i)
	}
	return keys
}

var (
	keysOnce sync.Once
	memK     []string
)

func memKeyset() []string {
	keysOnce.Do(func() { memK = makeKeys(memKeys) })
	return memK
}

func mustLimit(b *testing.B, events int, per time.Duration, burst int) ratelimit.Limit {
	l, err := ratelimit.NewLimit(events, per, burst)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// decider is one limiter under test: decide(key) reports admission.
type decider func(key string) bool

func ours(b *testing.B, global bool, opts ...memorystore.Option) decider {
	lim := oursLimiter(b, global, opts...)
	ctx := context.Background()
	return func(key string) bool {
		r, err := lim.Allow(ctx, key)
		return err == nil && r.Allowed
	}
}

func oursLimiter(b *testing.B, global bool, sopts ...memorystore.Option) *ratelimit.Limiter {
	s, err := memorystore.New(sopts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	var opts []ratelimit.Option
	if global {
		opts = append(opts, ratelimit.WithGlobal(mustLimit(b, 1_000_000_000, time.Second, 1_000_000_000)))
	}
	lim, err := ratelimit.New(s, mustLimit(b, perSecond, time.Second, perSecond), opts...)
	if err != nil {
		b.Fatal(err)
	}
	return lim
}

// tdecider is a limiter under test deciding at an explicit time.
type tdecider func(key string, now time.Time) bool

func oursExplicit(b *testing.B) tdecider {
	lim := oursLimiter(b, true)
	ctx := context.Background()
	return func(key string, now time.Time) bool {
		r, err := lim.AllowN(ctx, now, key, 1)
		return err == nil && r.Allowed
	}
}

func xtimeExplicit(b *testing.B) tdecider {
	var m sync.Map
	return func(key string, now time.Time) bool {
		v, ok := m.Load(key)
		if !ok {
			v, _ = m.LoadOrStore(key, rate.NewLimiter(perSecond, perSecond))
		}
		return v.(*rate.Limiter).AllowN(now, 1)
	}
}

func xtime(b *testing.B) decider {
	var m sync.Map
	return func(key string) bool {
		v, ok := m.Load(key)
		if !ok {
			v, _ = m.LoadOrStore(key, rate.NewLimiter(perSecond, perSecond))
		}
		return v.(*rate.Limiter).Allow()
	}
}

func sethvargoStore(b *testing.B) decider {
	s, err := sethvargo.New(&sethvargo.Config{Tokens: perSecond, Interval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	ctx := context.Background()
	return func(key string) bool {
		_, _, _, ok, err := s.Take(ctx, key)
		return err == nil && ok
	}
}

func ululeStore(b *testing.B) decider {
	lim := ulule.New(ululemem.NewStore(), ulule.Rate{Period: time.Second, Limit: perSecond})
	ctx := context.Background()
	return func(key string) bool {
		c, err := lim.Get(ctx, key)
		return err == nil && !c.Reached
	}
}

// oursStore decides through memorystore.Store.Take directly, without the
// Limiter's argument checks and error wrapping.
func oursStore(b *testing.B) decider {
	s, err := memorystore.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	l := mustLimit(b, perSecond, time.Second, perSecond)
	g := mustLimit(b, 1_000_000_000, time.Second, 1_000_000_000)
	ctx := context.Background()
	return func(key string) bool {
		r, err := s.Take(ctx, ratelimit.Query{Key: key, Limit: l, Global: g, Cost: 1})
		return err == nil && r.Allowed
	}
}

var memory = []struct {
	name string
	new  func(*testing.B) decider
}{
	{"ours-client+global", func(b *testing.B) decider { return ours(b, true) }},
	{"ours-client+global-coarse", func(b *testing.B) decider {
		return ours(b, true, memorystore.WithCoarseClock(coarseResolution))
	}},
	{"ours-store-client+global", oursStore},
	{"ours-client", func(b *testing.B) decider { return ours(b, false) }},
	{"xtime-syncmap", xtime},
	{"sethvargo", sethvargoStore},
	{"ulule", ululeStore},
}

// warm decides every key once, so the timed loop measures decisions on
// tracked keys rather than first insertions.
func warm(d decider, keys []string) decider {
	for _, k := range keys {
		d(k)
	}
	return d
}

// cpuTime returns the CPU time (user + system) this process has used. On a
// shared, noisy machine, CPU time per op is far steadier than wall time per
// op, since time spent descheduled is not counted.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMemory: one decision per op over 100,000 distinct keys. Besides
// ns/op (wall time) it reports cpu-ns/op, the process's CPU time per
// decision.
func BenchmarkMemory(b *testing.B) {
	keys := memKeyset()
	for _, l := range memory {
		b.Run("serial/"+l.name, func(b *testing.B) {
			d := warm(l.new(b), keys)
			b.ReportAllocs()
			i := 0
			start := cpuTime()
			for b.Loop() {
				d(keys[i%len(keys)])
				i++
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
	for _, l := range memory {
		b.Run("parallel/"+l.name, func(b *testing.B) {
			d := warm(l.new(b), keys)
			var next atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				// Each goroutine walks the key set from its own offset.
				i := int(next.Add(1) * 7919)
				for pb.Next() {
					d(keys[i%len(keys)])
					i++
				}
			})
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

var memoryExplicit = []struct {
	name string
	new  func(*testing.B) tdecider
}{
	{"ours-client+global", oursExplicit},
	{"xtime-syncmap", xtimeExplicit},
}

// BenchmarkExplicit: the same workload, but every decision takes an
// explicit time (ours: Limiter.AllowN(ctx, t, key, 1); x/time/rate:
// Limiter.AllowN(t, 1)), so no clock is read. The other peers have no
// explicit-time form. Time advances by step per decision of each goroutine.
func BenchmarkExplicit(b *testing.B) {
	keys := memKeyset()
	base := time.Now()
	for _, l := range memoryExplicit {
		b.Run("serial/"+l.name, func(b *testing.B) {
			d := l.new(b)
			for _, k := range keys {
				d(k, base)
			}
			b.ReportAllocs()
			i := 0
			start := cpuTime()
			for b.Loop() {
				d(keys[i%len(keys)], base.Add(time.Duration(i)*step))
				i++
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
	for _, l := range memoryExplicit {
		b.Run("parallel/"+l.name, func(b *testing.B) {
			d := l.new(b)
			for _, k := range keys {
				d(k, base)
			}
			var next atomic.Uint64
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(1) * 7919)
				n := 0
				for pb.Next() {
					d(keys[i%len(keys)], base.Add(time.Duration(n)*step))
					i++
					n++
				}
			})
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkBytesPerKey fills each limiter with 1,000,000 distinct keys and
// reports the retained heap per key. Run it with -benchtime=1x.
func BenchmarkBytesPerKey(b *testing.B) {
	keys := makeKeys(fillKeys)
	fill := map[string]func(*testing.B) (decider, func()){
		"ours": func(b *testing.B) (decider, func()) {
			s, err := memorystore.New(memorystore.WithMaxKeys(2 * fillKeys))
			if err != nil {
				b.Fatal(err)
			}
			// A bucket that stays live for an hour: every key stays tracked
			// (expired buckets would be dropped and flatter the figure).
			l := mustLimit(b, 1, time.Hour, perSecond)
			ctx := context.Background()
			return func(key string) bool {
					r, err := s.Take(ctx, ratelimit.Query{Key: key, Limit: l, Cost: 1})
					return err == nil && r.Allowed
				}, func() {
					if n := s.Stats().Keys; n != fillKeys {
						b.Fatalf("ours tracks %d keys, want %d", n, fillKeys)
					}
				}
		},
		"xtime-syncmap": func(b *testing.B) (decider, func()) { d := xtime(b); return d, func() { runtime.KeepAlive(d) } },
		"sethvargo": func(b *testing.B) (decider, func()) {
			d := sethvargoStore(b)
			return d, func() { runtime.KeepAlive(d) }
		},
		"ulule": func(b *testing.B) (decider, func()) { d := ululeStore(b); return d, func() { runtime.KeepAlive(d) } },
	}
	for _, name := range []string{"ours", "xtime-syncmap", "sethvargo", "ulule"} {
		b.Run(name, func(b *testing.B) {
			var perKey float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				d, keep := fill[name](b)
				for _, k := range keys {
					if !d(k) {
						b.Fatalf("%s denied a fresh key", name)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				keep()
				perKey = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / fillKeys
			}
			b.ReportMetric(perKey, "B/key")
		})
	}
}

func redisAddr(b *testing.B) string {
	a := os.Getenv("SAFEDOCKER_TEST_REDIS_ADDR")
	if a == "" {
		b.Skip("set SAFEDOCKER_TEST_REDIS_ADDR (run.sh starts a redis-server)")
	}
	return a
}

// BenchmarkRedis: one decision per op over 10,000 distinct keys on the same
// redis-server. Ours decides the client and the global bucket in one round
// trip; redis_rate decides one key.
// oursRedis is our limiter on a Redis store under a fresh key prefix: a
// per-client limit and whatever opts add.
func oursRedis(b *testing.B, c *redis.Client, opts ...ratelimit.Option) decider {
	s, err := redisstore.New(c, redisstore.WithPrefix("bench:"+strconv.FormatInt(time.Now().UnixNano(), 36)))
	if err != nil {
		b.Fatal(err)
	}
	lim, err := ratelimit.New(s, mustLimit(b, perSecond, time.Second, perSecond), opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	return func(key string) bool {
		r, err := lim.Allow(ctx, key)
		if err != nil {
			b.Error(err)
		}
		return r.Allowed
	}
}

func BenchmarkRedis(b *testing.B) {
	addr := redisAddr(b)
	keys := makeKeys(redisKeys)
	ctx := context.Background()
	newClient := func(b *testing.B) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr})
		b.Cleanup(func() { _ = c.Close() })
		if err := c.Ping(ctx).Err(); err != nil {
			b.Fatal(err)
		}
		return c
	}
	peers := []struct {
		name string
		new  func(*testing.B) decider
	}{
		{"ours-client+global", func(b *testing.B) decider {
			return oursRedis(b, newClient(b), ratelimit.WithGlobal(mustLimit(b, 1_000_000, time.Second, 1_000_000)))
		}},
		{"ours-client", func(b *testing.B) decider { return oursRedis(b, newClient(b)) }},
		{"redis_rate", func(b *testing.B) decider {
			lim := redis_rate.NewLimiter(newClient(b))
			l := redis_rate.PerSecond(perSecond)
			return func(key string) bool {
				r, err := lim.Allow(ctx, key, l)
				if err != nil {
					b.Error(err)
					return false
				}
				return r.Allowed > 0
			}
		}},
	}
	for _, p := range peers {
		b.Run("serial/"+p.name, func(b *testing.B) {
			d := warm(p.new(b), keys)
			b.ReportAllocs()
			i := 0
			start := cpuTime()
			for b.Loop() {
				d(keys[i%len(keys)])
				i++
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "client-cpu-ns/op")
		})
	}
	for _, p := range peers {
		b.Run("parallel/"+p.name, func(b *testing.B) {
			d := warm(p.new(b), keys)
			var next atomic.Uint64
			b.SetParallelism(32)
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(1) * 7919)
				for pb.Next() {
					d(keys[i%len(keys)])
					i++
				}
			})
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "client-cpu-ns/op")
		})
	}
}
