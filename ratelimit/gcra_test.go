package ratelimit_test

import (
	"context"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/ratelimit"
)

// The contract package safedocker declares for its limiter.
var _ interface {
	Acquire(ctx context.Context, client string, cost int) (release func(), err error)
} = (*ratelimit.Limiter)(nil)

// TestDecideMatchesTokenBucket checks GCRA against a plain token bucket of
// capacity burst refilled one unit per interval, in exact integer time, over
// random arrival sequences: the same admissions, the same Remaining and
// RetryAfter, and the Limit method agrees with the function.
func TestDecideMatchesTokenBucket(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		interval := int64(1 + rng.IntN(1000))
		burst := 1 + rng.IntN(20)
		l, err := ratelimit.NewLimit(1, time.Duration(interval), burst)
		if err != nil {
			t.Fatal(err)
		}
		capacity := interval * int64(burst) // the bucket's fill, in time units
		fill, last := capacity, int64(0)
		tat, now := int64(0), int64(0)
		for step := range 200 {
			now += int64(rng.IntN(int(interval) * 2))
			cost := 1 + rng.IntN(burst+2)
			fill = min(capacity, fill+(now-last))
			last = now
			wantAllowed := cost <= burst && fill >= int64(cost)*interval
			d := ratelimit.Decide(tat, now, interval, burst, cost)
			if dm := l.Decide(tat, now, cost); dm != d {
				t.Fatalf("trial %d step %d: Limit.Decide %+v != Decide %+v", trial, step, dm, d)
			}
			if d.Allowed != wantAllowed {
				t.Fatalf("trial %d step %d: interval %d burst %d fill %d cost %d: GCRA allowed=%v, bucket %v",
					trial, step, interval, burst, fill, cost, d.Allowed, wantAllowed)
			}
			if d.Allowed {
				fill -= int64(cost) * interval
				tat = d.TAT
			}
			if want := int(fill / interval); d.Remaining != want {
				t.Fatalf("trial %d step %d: Remaining %d, bucket holds %d", trial, step, d.Remaining, want)
			}
			switch {
			case d.Allowed && d.RetryAfter != 0,
				!d.Allowed && cost > burst && d.RetryAfter != -1,
				!d.Allowed && cost <= burst && d.RetryAfter != int64(cost)*interval-fill:
				t.Fatalf("trial %d step %d: RetryAfter %d (fill %d cost %d)", trial, step, d.RetryAfter, fill, cost)
			}
			if d.ResetAfter != capacity-fill {
				t.Fatalf("trial %d step %d: ResetAfter %d, want %d", trial, step, d.ResetAfter, capacity-fill)
			}
		}
	}
}

// TestNoBackendImports: the core and the memory store import neither Redis
// nor Docker.
func TestNoBackendImports(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps",
		"github.com/safedocker/safedocker/ratelimit",
		"github.com/safedocker/safedocker/ratelimit/memorystore").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "redis") || strings.HasPrefix(p, "github.com/docker/") || strings.HasPrefix(p, "github.com/moby/") {
			t.Errorf("ratelimit or memorystore depends on %s", p)
		}
	}
}

// TestAdmitMatchesDecide: the fast path (Limit.Admit, Admitted) gives the
// same admissions, TATs and Results as Decide and Combine, over random
// limits, bucket states, costs and times.
func TestAdmitMatchesDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	randLimit := func() ratelimit.Limit {
		l, err := ratelimit.NewLimit(1+rng.IntN(1000), time.Duration(1+rng.IntN(int(time.Minute))), 1+rng.IntN(50))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	const ns = time.Nanosecond
	for range 100_000 {
		c, g := randLimit(), randLimit()
		now := rng.Int64N(int64(time.Hour))
		ctat := now + rng.Int64N(int64(c.Interval())*int64(c.Burst()+2)) - int64(c.Interval())*2
		gtat := now + rng.Int64N(int64(g.Interval())*int64(g.Burst()+2)) - int64(g.Interval())*2
		cost := 1 + rng.IntN(60)
		cd := c.Decide(ctat, now, cost)
		cnew, cok := c.Admit(ctat, now, cost)
		if cok != cd.Allowed || (cok && cnew != cd.TAT) {
			t.Fatalf("client %s tat %d now %d cost %d: Admit (%d, %v), Decide %+v", c, ctat, now, cost, cnew, cok, cd)
		}
		if !cok {
			continue
		}
		if got, want := ratelimit.Admitted(c, cnew, ratelimit.Limit{}, 0, now), cd.Result(ratelimit.ScopeClient, ns); got != want {
			t.Fatalf("client only: Admitted %+v, want %+v", got, want)
		}
		gd := g.Decide(gtat, now, cost)
		gnew, gok := g.Admit(gtat, now, cost)
		if gok != gd.Allowed || (gok && gnew != gd.TAT) {
			t.Fatalf("global %s tat %d now %d cost %d: Admit (%d, %v), Decide %+v", g, gtat, now, cost, gnew, gok, gd)
		}
		if !gok {
			continue
		}
		want := ratelimit.Combine(cd.Result(ratelimit.ScopeClient, ns), gd.Result(ratelimit.ScopeGlobal, ns))
		if got := ratelimit.Admitted(c, cnew, g, gnew, now); got != want {
			t.Fatalf("client+global: Admitted %+v, want %+v", got, want)
		}
	}
}
