// Package enginetest provides a fake engine.Engine for tests: it records every
// call, answers from per-method hooks, and can fail the test when it is called
// at all (after a denial, no request may reach the engine).
//
// Methods of operation groups defined outside engine.go and containers.go live
// in sibling files of this package, each calling Fake.Enter first.
package enginetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

// Call is one recorded call.
type Call struct {
	// Method is the engine method, e.g. "CreateContainer".
	Method string
	// Args are the arguments after the context, as passed.
	Args []any
}

// Fake is a recording engine. The zero value is not usable; call New. A Fake is
// safe for concurrent use.
//
// Each method returns the result of its hook when set (for example
// CreateContainerFunc) and otherwise a plausible zero result with a nil error.
type Fake struct {
	t testing.TB

	mu        sync.Mutex
	calls     []Call
	forbidden bool
	closed    bool

	// Err, when non-nil, is returned by every method that has no hook.
	Err error

	CreateContainerFunc  func(ctx context.Context, req engine.CreateRequest) (engine.CreateResult, error)
	ListContainersFunc   func(ctx context.Context, opts engine.ListOptions) ([]engine.ContainerSummary, error)
	InspectContainerFunc func(ctx context.Context, id string) (engine.ContainerInfo, error)
	ContainerLogsFunc    func(ctx context.Context, id string, opts engine.LogsOptions) (engine.Logs, error)
	ContainerStatsFunc   func(ctx context.Context, id string) (engine.Stats, error)
	StartContainerFunc   func(ctx context.Context, id string) error
	StopContainerFunc    func(ctx context.Context, id string, opts engine.StopOptions) error
	RestartContainerFunc func(ctx context.Context, id string, opts engine.StopOptions) error
	KillContainerFunc    func(ctx context.Context, id, signal string) error
	WaitContainerFunc    func(ctx context.Context, id string, cond engine.WaitCondition) (engine.WaitResult, error)
	RemoveContainerFunc  func(ctx context.Context, id string, opts engine.RemoveOptions) error
	PingFunc             func(ctx context.Context) (engine.PingResult, error)
	VersionFunc          func(ctx context.Context) (engine.VersionInfo, error)
	InfoFunc             func(ctx context.Context) (engine.DaemonInfo, error)
}

// New returns a fake that reports forbidden calls to t.
func New(t testing.TB) *Fake {
	return &Fake{t: t}
}

// Forbid makes every later call fail the test (t.Errorf naming the method):
// use it before exercising a request that must be denied.
func (f *Fake) Forbid() {
	f.mu.Lock()
	f.forbidden = true
	f.mu.Unlock()
}

// Allow undoes Forbid.
func (f *Fake) Allow() {
	f.mu.Lock()
	f.forbidden = false
	f.mu.Unlock()
}

// Enter records a call of method with args, reporting it to the test when the
// fake is forbidden. Every method of the fake calls it first.
func (f *Fake) Enter(method string, args ...any) {
	f.mu.Lock()
	f.calls = append(f.calls, Call{Method: method, Args: args})
	forbidden := f.forbidden
	f.mu.Unlock()
	if forbidden {
		f.t.Helper()
		f.t.Errorf("enginetest: %s called after a denial (args %v)", method, args)
	}
}

// Calls returns a copy of the recorded calls, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Methods returns the names of the recorded calls, in order.
func (f *Fake) Methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.Method
	}
	return out
}

// Reset forgets the recorded calls.
func (f *Fake) Reset() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Close records the call and marks the fake closed.
func (f *Fake) Close() error {
	f.Enter("Close")
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	return nil
}

// CreateContainer implements engine.Containers. Without a hook it returns the
// ID "fake-" followed by the container name (or "container").
func (f *Fake) CreateContainer(ctx context.Context, req engine.CreateRequest) (engine.CreateResult, error) {
	f.Enter("CreateContainer", req)
	if f.CreateContainerFunc != nil {
		return f.CreateContainerFunc(ctx, req)
	}
	if f.Err != nil {
		return engine.CreateResult{}, f.Err
	}
	name := "container"
	if req.Spec != nil && req.Spec.Name != "" {
		name = req.Spec.Name
	}
	return engine.CreateResult{ID: "fake-" + name}, nil
}

// ListContainers implements engine.Containers.
func (f *Fake) ListContainers(ctx context.Context, opts engine.ListOptions) ([]engine.ContainerSummary, error) {
	f.Enter("ListContainers", opts)
	if f.ListContainersFunc != nil {
		return f.ListContainersFunc(ctx, opts)
	}
	return nil, f.Err
}

// InspectContainer implements engine.Containers. Without a hook it returns a
// stopped container with the given ID and an empty spec.
func (f *Fake) InspectContainer(ctx context.Context, id string) (engine.ContainerInfo, error) {
	f.Enter("InspectContainer", id)
	if f.InspectContainerFunc != nil {
		return f.InspectContainerFunc(ctx, id)
	}
	if f.Err != nil {
		return engine.ContainerInfo{}, f.Err
	}
	return engine.ContainerInfo{ID: id, Name: "/" + id, State: engine.ContainerState{Status: "created"},
		Spec: policy.Container{Image: "fake:latest"}}, nil
}

// ContainerLogs implements engine.Containers.
func (f *Fake) ContainerLogs(ctx context.Context, id string, opts engine.LogsOptions) (engine.Logs, error) {
	f.Enter("ContainerLogs", id, opts)
	if f.ContainerLogsFunc != nil {
		return f.ContainerLogsFunc(ctx, id, opts)
	}
	return engine.Logs{}, f.Err
}

// ContainerStats implements engine.Containers.
func (f *Fake) ContainerStats(ctx context.Context, id string) (engine.Stats, error) {
	f.Enter("ContainerStats", id)
	if f.ContainerStatsFunc != nil {
		return f.ContainerStatsFunc(ctx, id)
	}
	return engine.Stats{}, f.Err
}

// StartContainer implements engine.Containers.
func (f *Fake) StartContainer(ctx context.Context, id string) error {
	f.Enter("StartContainer", id)
	if f.StartContainerFunc != nil {
		return f.StartContainerFunc(ctx, id)
	}
	return f.Err
}

// StopContainer implements engine.Containers.
func (f *Fake) StopContainer(ctx context.Context, id string, opts engine.StopOptions) error {
	f.Enter("StopContainer", id, opts)
	if f.StopContainerFunc != nil {
		return f.StopContainerFunc(ctx, id, opts)
	}
	return f.Err
}

// RestartContainer implements engine.Containers.
func (f *Fake) RestartContainer(ctx context.Context, id string, opts engine.StopOptions) error {
	f.Enter("RestartContainer", id, opts)
	if f.RestartContainerFunc != nil {
		return f.RestartContainerFunc(ctx, id, opts)
	}
	return f.Err
}

// KillContainer implements engine.Containers.
func (f *Fake) KillContainer(ctx context.Context, id, signal string) error {
	f.Enter("KillContainer", id, signal)
	if f.KillContainerFunc != nil {
		return f.KillContainerFunc(ctx, id, signal)
	}
	return f.Err
}

// WaitContainer implements engine.Containers.
func (f *Fake) WaitContainer(ctx context.Context, id string, cond engine.WaitCondition) (engine.WaitResult, error) {
	f.Enter("WaitContainer", id, cond)
	if f.WaitContainerFunc != nil {
		return f.WaitContainerFunc(ctx, id, cond)
	}
	return engine.WaitResult{}, f.Err
}

// RemoveContainer implements engine.Containers.
func (f *Fake) RemoveContainer(ctx context.Context, id string, opts engine.RemoveOptions) error {
	f.Enter("RemoveContainer", id, opts)
	if f.RemoveContainerFunc != nil {
		return f.RemoveContainerFunc(ctx, id, opts)
	}
	return f.Err
}

// Ping implements engine.System.
func (f *Fake) Ping(ctx context.Context) (engine.PingResult, error) {
	f.Enter("Ping")
	if f.PingFunc != nil {
		return f.PingFunc(ctx)
	}
	if f.Err != nil {
		return engine.PingResult{}, f.Err
	}
	return engine.PingResult{APIVersion: "1.41", OSType: "linux"}, nil
}

// Version implements engine.System.
func (f *Fake) Version(ctx context.Context) (engine.VersionInfo, error) {
	f.Enter("Version")
	if f.VersionFunc != nil {
		return f.VersionFunc(ctx)
	}
	if f.Err != nil {
		return engine.VersionInfo{}, f.Err
	}
	return engine.VersionInfo{Version: "fake", APIVersion: "1.41", OS: "linux"}, nil
}

// String describes the fake and its call count, for test messages.
func (f *Fake) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("enginetest.Fake(%d calls)", len(f.calls))
}
