package engine

import (
	"context"
	"time"

	"github.com/safedocker/safedocker/policy"
)

// Containers holds the container operations. Callers (package safedocker) have
// already validated and policy-checked every argument; implementations convert
// and send them faithfully, adding nothing.
type Containers interface {
	// CreateContainer creates a container from req: every field of the policy
	// model plus the non-security settings, and nothing else. A model the
	// implementation cannot express exactly (a non-empty Invalid, a field the
	// daemon API has no place for) is refused with ErrRejected.
	CreateContainer(ctx context.Context, req CreateRequest) (CreateResult, error)
	// ListContainers lists containers; Filters were allow-listed by the caller.
	ListContainers(ctx context.Context, opts ListOptions) ([]ContainerSummary, error)
	// InspectContainer returns what the daemon knows about one container.
	InspectContainer(ctx context.Context, id string) (ContainerInfo, error)
	// ContainerLogs reads a container's logs, demultiplexed, within opts' bounds.
	ContainerLogs(ctx context.Context, id string, opts LogsOptions) (Logs, error)
	// ContainerStats reads one sample of a container's resource usage.
	ContainerStats(ctx context.Context, id string) (Stats, error)
	// StartContainer starts a created or stopped container.
	StartContainer(ctx context.Context, id string) error
	// StopContainer stops a container, sending opts.Signal (or the image's stop
	// signal) and killing it after opts.Timeout.
	StopContainer(ctx context.Context, id string, opts StopOptions) error
	// RestartContainer stops and starts a container.
	RestartContainer(ctx context.Context, id string, opts StopOptions) error
	// KillContainer sends signal to the container's main process.
	KillContainer(ctx context.Context, id, signal string) error
	// WaitContainer blocks until the container reaches cond, or ctx ends.
	WaitContainer(ctx context.Context, id string, cond WaitCondition) (WaitResult, error)
	// RemoveContainer removes a container.
	RemoveContainer(ctx context.Context, id string, opts RemoveOptions) error
}

// CreateRequest is a container-create request: the policy-checked model plus
// settings that carry no security meaning.
type CreateRequest struct {
	// Spec is the policy-checked model. It must not be nil.
	Spec *policy.Container
	// Settings are the non-security settings.
	Settings CreateSettings
}

// CreateSettings are container settings outside the policy model. The zero
// value keeps every daemon default.
type CreateSettings struct {
	// RestartPolicy is "", "no", "always", "unless-stopped" or "on-failure".
	RestartPolicy string
	// RestartMaxRetries bounds restarts for "on-failure".
	RestartMaxRetries int
	// Healthcheck timing; zero keeps the image's or daemon's value.
	HealthInterval    time.Duration
	HealthTimeout     time.Duration
	HealthStartPeriod time.Duration
	HealthRetries     int
	// StopSignal is the signal that stops the container ("" = the image's).
	StopSignal string
	// StopTimeout is the default stop timeout; nil keeps the daemon default.
	StopTimeout *time.Duration
	// TmpfsSize maps a tmpfs mount target to its size in bytes.
	TmpfsSize map[string]int64
}

// CreateResult is the answer to a create.
type CreateResult struct {
	ID       string
	Warnings []string
}

// ListOptions selects containers to list.
type ListOptions struct {
	// All includes stopped containers.
	All bool
	// Limit caps the number of containers returned (0 = no cap), in the states
	// All selects. Implementations must not pass it to the Engine API without
	// All: the API's limit also selects stopped containers.
	Limit int
	// Filters are daemon filters, key to values; already allow-listed.
	Filters map[string][]string
}

// ContainerSummary is one entry of a container list.
type ContainerSummary struct {
	ID      string
	Names   []string
	Image   string
	ImageID string
	Command string
	Created time.Time
	State   string
	Status  string
	Labels  map[string]string
}

// ContainerInfo is the inspected state of a container. It carries environment
// variable keys only, never values.
type ContainerInfo struct {
	ID      string
	Name    string
	Image   string
	ImageID string
	Created time.Time
	State   ContainerState
	// Spec is the daemon's view of the container's configuration, in the policy
	// model, so it can be re-evaluated (for example before a start). Env values
	// are removed. Fields the adapter could not model are listed in Spec.Invalid.
	Spec policy.Container
	// RestartCount is how often the daemon restarted the container.
	RestartCount int
}

// ContainerState is the runtime state of a container.
type ContainerState struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
	// Health is the healthcheck status ("" when the container has none).
	Health string
}

// LogsOptions selects and bounds the logs to read.
type LogsOptions struct {
	Stdout bool
	Stderr bool
	// Tail is the number of lines from the end to return; negative means all.
	Tail int
	// Since and Until bound the log timestamps; the zero time means unbounded.
	Since time.Time
	Until time.Time
	// Timestamps prefixes each line with its timestamp.
	Timestamps bool
	// Follow keeps reading until ctx ends (the caller always sets a deadline).
	Follow bool
	// MaxBytes bounds the bytes returned, stdout and stderr together; reading
	// stops, and Truncated is set, when the bound is reached. Must be > 0.
	MaxBytes int64
}

// Logs is the demultiplexed output of ContainerLogs.
type Logs struct {
	Stdout []byte
	Stderr []byte
	// Truncated is true when MaxBytes cut the output short.
	Truncated bool
	// DeadlineReached is true when a follow ended because ctx's deadline passed.
	DeadlineReached bool
}

// Stats is one sample of a container's resource usage.
type Stats struct {
	Read time.Time
	// CPUPercent is the CPU usage since the previous sample, in percent of one CPU
	// times the online CPUs (as docker stats shows it).
	CPUPercent float64
	// MemoryUsage and MemoryLimit are in bytes.
	MemoryUsage uint64
	MemoryLimit uint64
	// Pids is the number of processes.
	Pids uint64
	// NetworkRx and NetworkTx are bytes received and sent, over all interfaces.
	NetworkRx uint64
	NetworkTx uint64
	// BlockRead and BlockWrite are bytes read and written to block devices.
	BlockRead  uint64
	BlockWrite uint64
}

// StopOptions controls a stop or restart.
type StopOptions struct {
	// Signal is the stop signal ("" = the container's configured stop signal).
	Signal string
	// Timeout is how long to wait before killing; nil is the daemon default.
	Timeout *time.Duration
}

// WaitCondition is what WaitContainer waits for.
type WaitCondition string

// The wait conditions of the Engine API.
const (
	WaitNotRunning WaitCondition = "not-running"
	WaitNextExit   WaitCondition = "next-exit"
	WaitRemoved    WaitCondition = "removed"
)

// WaitResult is the answer to a wait.
type WaitResult struct {
	StatusCode int64
	// Error is the daemon's error message about the wait, if any.
	Error string
}

// RemoveOptions controls a container removal.
type RemoveOptions struct {
	// Force kills a running container first.
	Force bool
	// RemoveVolumes also removes the container's anonymous volumes.
	RemoveVolumes bool
}
