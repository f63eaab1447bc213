package memorystore_test

import (
	"testing"

	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/ratelimit/ratelimittest"
)

func TestConformance(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
		s, err := memorystore.New()
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return s
	})
}

func TestConformanceSmallCap(t *testing.T) {
	// One shard with a tiny table: exercises rebuilds and sweeps.
	ratelimittest.Run(t, func(t *testing.T) ratelimit.Store {
		s, err := memorystore.New(memorystore.WithMaxKeys(16))
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return s
	})
}
