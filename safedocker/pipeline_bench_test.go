package safedocker

import (
	"log/slog"
	"testing"

	"github.com/safedocker/safedocker/internal/enginetest"
)

// BenchmarkCreatePipeline measures the client-side cost of one create through
// the whole pipeline (capability, identity, validation, Baseline policy,
// audit events to a discarding handler) against a fake engine.
func BenchmarkCreatePipeline(b *testing.B) {
	o, err := resolveOptions([]Option{WithCapabilities(CapContainerCreate), WithLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		b.Fatal(err)
	}
	ev, err := o.evaluator(false)
	if err != nil {
		b.Fatal(err)
	}
	c := newClient(enginetest.New(b), Endpoint{}, o, ev)
	ctx := WithClientID(b.Context(), "bench")
	builder := c.NewContainer("alpine:3").WithName("bench").WithCommand("echo", "hi").
		WithEnv("A", "1").WithReadOnlyRootfs(true).WithCapDrop("ALL")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := builder.Create(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeniedCapability measures the cost of a refusal at step 1.
func BenchmarkDeniedCapability(b *testing.B) {
	o, _ := resolveOptions([]Option{WithLogger(slog.New(slog.DiscardHandler))})
	c := newClient(enginetest.New(b), Endpoint{}, o, nil)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.KillContainer(ctx, "abc", ""); err == nil {
			b.Fatal("allowed")
		}
	}
}
