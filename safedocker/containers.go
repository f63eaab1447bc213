package safedocker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// The per-capability interfaces. Hand a component the narrowest one it needs
// (together with a client narrowed to the matching capabilities by
// Client.Narrow) so it cannot do more, by construction. *Client implements them
// all.
type (
	// ContainerReader lists, inspects and judges containers (CapContainerRead).
	ContainerReader interface {
		ListContainers(ctx context.Context, opts ListOptions) (ContainerList, error)
		InspectContainer(ctx context.Context, id string) (ContainerInfo, error)
		ContainerStats(ctx context.Context, id string) (ContainerStats, error)
		JudgeContainer(ctx context.Context, id string, opts ...CallOption) (policy.Decision, error)
	}
	// ContainerLogReader reads container logs (CapContainerLogs).
	ContainerLogReader interface {
		ContainerLogs(ctx context.Context, id string, opts LogsOptions) (Logs, error)
	}
	// ContainerCreator creates containers (CapContainerCreate).
	ContainerCreator interface {
		NewContainer(image string) ContainerBuilder
		CreateContainer(ctx context.Context, b ContainerBuilder, opts ...CallOption) (Created, error)
	}
	// ContainerLifecycle starts, stops, restarts, kills and waits for
	// containers; each method needs its own capability (CapContainerStart,
	// CapContainerStop, CapContainerRestart, CapContainerKill, CapContainerWait).
	ContainerLifecycle interface {
		StartContainer(ctx context.Context, id string, opts ...CallOption) error
		StopContainer(ctx context.Context, id string, opts StopOptions) error
		RestartContainer(ctx context.Context, id string, opts StopOptions) error
		KillContainer(ctx context.Context, id, signal string) error
		WaitContainer(ctx context.Context, id string, cond WaitCondition) (WaitResult, error)
	}
	// ContainerRemover removes containers (CapContainerRemove).
	ContainerRemover interface {
		RemoveContainer(ctx context.Context, id string, opts RemoveOptions) error
	}
	// Pinger checks the daemon (CapSystemRead).
	Pinger interface {
		Ping(ctx context.Context) (PingResult, error)
	}
)

var (
	_ ContainerReader    = (*Client)(nil)
	_ ContainerLogReader = (*Client)(nil)
	_ ContainerCreator   = (*Client)(nil)
	_ ContainerLifecycle = (*Client)(nil)
	_ ContainerRemover   = (*Client)(nil)
	_ Pinger             = (*Client)(nil)
)

// ListOptions selects containers to list. The zero value lists running
// containers, up to the client's ListItems bound.
type ListOptions struct {
	// All includes stopped containers (and created, exited, dead ones). Without
	// it only running, paused and restarting containers are listed, whatever
	// Limit is.
	All bool
	// Limit caps the result (0 or above the client's bound: the bound). With
	// All, the daemon returns the most recently created containers first.
	Limit int
	// Filters are daemon filters; only the keys in ListFilterKeys are accepted,
	// at most 16 values per key.
	Filters map[string][]string
}

// ListFilterKeys returns the filter keys ListContainers accepts.
func ListFilterKeys() []string {
	return []string{"ancestor", "exited", "health", "id", "label", "name", "network", "status", "volume"}
}

// ContainerList is the result of ListContainers.
type ContainerList struct {
	Containers []ContainerSummary
	// Truncated is true when more containers matched than the limit let
	// through: narrow the filters, or raise Limit up to the client's bound.
	Truncated bool
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

// ContainerInfo is an inspected container. It names environment variables by
// key only; their values are never returned.
type ContainerInfo struct {
	ID      string
	Name    string
	Image   string
	ImageID string
	Created time.Time
	State   ContainerState
	// Config is the daemon's view of the container's configuration in the
	// policy model (env values removed).
	Config       policy.Container
	RestartCount int
}

// ContainerState is the runtime state of a container.
type ContainerState = engine.ContainerState

// ContainerStats is one sample of a container's resource usage.
type ContainerStats = engine.Stats

// LogsOptions selects logs. The zero value returns both streams, the last
// LogTail lines (the client's bound), without following.
type LogsOptions struct {
	// StdoutOnly and StderrOnly select one stream (both false: both streams).
	StdoutOnly, StderrOnly bool
	// Tail is the number of lines from the end (0 or above the bound: the bound).
	Tail int
	// Since and Until bound the timestamps (zero: unbounded).
	Since, Until time.Time
	// Timestamps prefixes lines with their timestamp.
	Timestamps bool
	// Follow keeps reading new output until FollowFor has passed (required,
	// at most the Long deadline).
	Follow    bool
	FollowFor time.Duration
	// MaxBytes bounds the bytes returned (0 or above the bound: the bound).
	MaxBytes int64
}

// Logs is the demultiplexed output of ContainerLogs.
type Logs = engine.Logs

// StopOptions controls a stop or restart.
type StopOptions struct {
	// Signal is the stop signal ("" = the container's); see KillContainer.
	Signal string
	// Timeout is how long to wait before killing (nil = the daemon default),
	// at most 10 minutes.
	Timeout *time.Duration
}

// WaitCondition is what WaitContainer waits for.
type WaitCondition = engine.WaitCondition

// The wait conditions.
const (
	WaitNotRunning = engine.WaitNotRunning
	WaitNextExit   = engine.WaitNextExit
	WaitRemoved    = engine.WaitRemoved
)

// WaitResult is the answer to a wait.
type WaitResult = engine.WaitResult

// RemoveOptions controls a removal.
type RemoveOptions struct {
	// Force kills a running container first.
	Force bool
	// RemoveVolumes removes its anonymous volumes too.
	RemoveVolumes bool
}

// checkRef validates a container ID or name argument
// (validate.ParseContainerName).
func checkRef(id string) error {
	return checkObjectRef("container", id)
}

// ListContainers lists containers, at most opts.Limit (or the client's
// ListItems bound); Truncated reports a cut. Filters are allow-listed
// (ListFilterKeys) and their values checked with validate.ParseFilters.
// Capability: CapContainerRead.
func (c *Client) ListContainers(ctx context.Context, opts ListOptions) (ContainerList, error) {
	var out ContainerList
	limit := opts.Limit
	err := c.run(ctx, operation{name: "container.list", cap: CapContainerRead},
		func() error {
			if limit < 0 {
				return &ValidationError{Field: "limit", Reason: "negative"}
			}
			if limit == 0 || limit > c.bounds.ListItems {
				limit = c.bounds.ListItems
			}
			allowed := ListFilterKeys()
			for k, vs := range opts.Filters {
				if !slices.Contains(allowed, k) {
					return &ValidationError{Field: "filters", Reason: fmt.Sprintf("filter %q is not allowed (allowed: %s)", truncate(k, 32), strings.Join(allowed, ", "))}
				}
				if len(vs) > 16 {
					return &ValidationError{Field: "filters", Reason: fmt.Sprintf("more than 16 values for %q", k)}
				}
				for _, v := range vs {
					if v == "" || len(v) > 256 || hasControl(v) {
						return &ValidationError{Field: "filters", Reason: fmt.Sprintf("invalid value for %q", k)}
					}
				}
			}
			// The value syntax of each key (validate.ParseFilters).
			return checkFilters(validate.ContainerObjects, opts.Filters)
		}, nil,
		func(ctx context.Context) error {
			// One more than the limit tells a full list from a cut one.
			list, err := c.eng.ListContainers(ctx, engine.ListOptions{All: opts.All, Limit: limit + 1, Filters: opts.Filters})
			if err != nil {
				return err
			}
			if len(list) > limit {
				list, out.Truncated = list[:limit], true
			}
			out.Containers = make([]ContainerSummary, len(list))
			for i, s := range list {
				out.Containers[i] = ContainerSummary(s)
			}
			return nil
		})
	if err != nil {
		return ContainerList{}, err
	}
	return out, nil
}

// InspectContainer returns a container's state and configuration (env keys
// only). Capability: CapContainerRead.
func (c *Client) InspectContainer(ctx context.Context, id string) (ContainerInfo, error) {
	var out ContainerInfo
	err := c.run(ctx, operation{name: "container.inspect", cap: CapContainerRead, target: id},
		func() error { return checkRef(id) }, nil,
		func(ctx context.Context) error {
			info, err := c.eng.InspectContainer(ctx, id)
			if err != nil {
				return err
			}
			out = ContainerInfo{ID: info.ID, Name: info.Name, Image: info.Image, ImageID: info.ImageID,
				Created: info.Created, State: info.State, Config: info.Spec, RestartCount: info.RestartCount}
			for i := range out.Config.Env {
				out.Config.Env[i].Value = ""
			}
			return nil
		})
	return out, err
}

// ContainerStats reads one sample of a container's resource usage (no
// streaming). Capability: CapContainerRead.
func (c *Client) ContainerStats(ctx context.Context, id string) (ContainerStats, error) {
	var out ContainerStats
	err := c.run(ctx, operation{name: "container.stats", cap: CapContainerRead, target: id},
		func() error { return checkRef(id) }, nil,
		func(ctx context.Context) error {
			s, err := c.eng.ContainerStats(ctx, id)
			out = s
			return err
		})
	return out, err
}

// ContainerLogs reads a container's logs, demultiplexed into stdout and stderr,
// bounded in lines (Tail) and bytes (MaxBytes); Truncated reports a cut. Follow
// requires FollowFor, which becomes the call's deadline. Capability:
// CapContainerLogs.
func (c *Client) ContainerLogs(ctx context.Context, id string, opts LogsOptions) (Logs, error) {
	var out Logs
	eo := engine.LogsOptions{Stdout: !opts.StderrOnly, Stderr: !opts.StdoutOnly, Tail: opts.Tail,
		Since: opts.Since, Until: opts.Until, Timestamps: opts.Timestamps, Follow: opts.Follow, MaxBytes: opts.MaxBytes}
	err := c.run(ctx, operation{name: "container.logs", cap: CapContainerLogs, target: id, long: opts.Follow},
		func() error {
			if err := checkRef(id); err != nil {
				return err
			}
			switch {
			case opts.StdoutOnly && opts.StderrOnly:
				return &ValidationError{Field: "streams", Reason: "StdoutOnly and StderrOnly are exclusive"}
			case opts.Tail < 0 || opts.MaxBytes < 0:
				return &ValidationError{Field: "bounds", Reason: "negative Tail or MaxBytes"}
			case opts.Follow && (opts.FollowFor <= 0 || opts.FollowFor > c.deadlines.Long):
				return &ValidationError{Field: "FollowFor", Reason: fmt.Sprintf("Follow needs a FollowFor between 0 and %s", c.deadlines.Long)}
			case !opts.Follow && opts.FollowFor != 0:
				return &ValidationError{Field: "FollowFor", Reason: "FollowFor without Follow"}
			case !opts.Until.IsZero() && opts.Until.Before(opts.Since):
				return &ValidationError{Field: "Until", Reason: "before Since"}
			}
			if eo.Tail == 0 || eo.Tail > c.bounds.LogTail {
				eo.Tail = c.bounds.LogTail
			}
			if eo.MaxBytes == 0 || eo.MaxBytes > c.bounds.LogBytes {
				eo.MaxBytes = c.bounds.LogBytes
			}
			return nil
		}, nil,
		func(ctx context.Context) error {
			if opts.Follow {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, opts.FollowFor)
				defer cancel()
			}
			l, err := c.eng.ContainerLogs(ctx, id, eo)
			out = l
			return err
		})
	return out, err
}

// StartContainer starts a container. Capability: CapContainerStart.
//
// Before starting, the client inspects the container and judges the daemon's
// view of its configuration with the policy again (tightened by opts, if any).
// This closes two gaps: a container created by someone else (or before a
// policy change) is judged before it runs, and bind sources are resolved again
// immediately before the start, so a symlink planted after the create-time
// check (escape-rules CMP-08) is caught. A window remains between this check
// and the daemon's mount; it is as short as the client can make it. The view
// judged is the one JudgeContainer describes.
func (c *Client) StartContainer(ctx context.Context, id string, opts ...CallOption) error {
	var ev *policy.Evaluator
	var inspectErr error
	return c.run(ctx, operation{name: "container.start", cap: CapContainerStart, target: id},
		func() error {
			if err := checkRef(id); err != nil {
				return err
			}
			var err error
			ev, err = c.callEvaluator(opts)
			return err
		},
		func() verdict { return c.rejudge(ctx, id, ev, &inspectErr) },
		func(ctx context.Context) error {
			if inspectErr != nil {
				return inspectErr
			}
			return c.eng.StartContainer(ctx, id)
		})
}

// rejudge inspects container id and judges the daemon's view of it with ev
// (the policy step of start and restart). The inspect is a read the policy
// step needs: when it fails, *inspectErr is set and the verdict admits, so the
// engine step reports the inspect's error without starting anything.
func (c *Client) rejudge(ctx context.Context, id string, ev *policy.Evaluator, inspectErr *error) verdict {
	spec, err := c.inspectView(ctx, id)
	if err != nil {
		*inspectErr = err
		return verdict{allowed: true}
	}
	return fromDecision(ev.Container(&spec))
}

// JudgeContainer judges an existing container: it inspects id and judges the
// daemon's view of its configuration with the client's policy, tightened by
// opts (see Tighten), exactly as StartContainer and RestartContainer do before
// they act. It changes nothing. Use it to audit containers created by any tool.
//
// The view leaves out what the daemon fills in at create and inspect cannot
// tell from a request: the default masked and read-only paths (an explicitly
// empty list is judged), the host cgroup namespace on cgroup v1 hosts (the
// daemon's information is read once per client to know the version), and the
// "label=disable" the daemon adds for a privileged container or one sharing the
// host's PID or IPC namespace (the cause is reported instead; those are denied
// at every level that runs checks).
//
// The decision is the result: a container the policy denies is a Decision with
// Allowed false and every finding (never empty), and a nil error. An error
// means the container could not be judged (not found, daemon unreachable,
// invalid id or options, ...). JudgeContainer is itself an operation of the
// pipeline (capability, rate limit, validation, audit, engine); its audit
// decision event admits the read, and its result event carries the judgement
// (see the "judgement" attribute in the audit event list). Safety class: read.
// Capability: CapContainerRead.
func (c *Client) JudgeContainer(ctx context.Context, id string, opts ...CallOption) (policy.Decision, error) {
	var ev *policy.Evaluator
	var out policy.Decision
	op := operation{name: "container.judge", cap: CapContainerRead, target: id, judgement: new(verdict)}
	err := c.run(ctx, op,
		func() error {
			if err := checkRef(id); err != nil {
				return err
			}
			var err error
			ev, err = c.callEvaluator(opts)
			return err
		}, nil,
		func(ctx context.Context) error {
			spec, err := c.inspectView(ctx, id)
			if err != nil {
				return err
			}
			d := ev.Container(&spec)
			if !d.Allowed {
				d.Findings = explainDenial(d.Findings)
			}
			out = d
			*op.judgement = fromDecision(d)
			return nil
		})
	if err != nil {
		return policy.Decision{}, err
	}
	return out, nil
}

// inspectView inspects container id and returns the daemon's view of its
// configuration prepared for judging (daemonView). The inspect, and the daemon
// information read the first time a view needs the cgroup version, run under
// the read deadline.
func (c *Client) inspectView(ctx context.Context, id string) (policy.Container, error) {
	ictx, cancel := context.WithTimeout(ctx, c.deadlines.Read)
	defer cancel()
	info, err := c.eng.InspectContainer(ictx, id)
	if err != nil {
		return policy.Container{}, err
	}
	cgroupV1 := false
	if info.Spec.CgroupnsMode.Kind == policy.NamespaceHost {
		if cgroupV1, err = c.cgroupV1(ictx); err != nil {
			return policy.Container{}, err
		}
	}
	return daemonView(info.Spec, cgroupV1), nil
}

// hostFacts caches what daemonView needs to know about the daemon's host. It is
// shared by a client and every client narrowed from it.
type hostFacts struct {
	// cgroup is 0 while unknown, then 1 for cgroup v1 and 2 for cgroup v2.
	cgroup atomic.Uint32
}

// cgroupV1 reports whether the daemon runs on a cgroup v1 host, reading the
// daemon's information once per client (failures are not cached).
func (c *Client) cgroupV1(ctx context.Context) (bool, error) {
	switch c.facts.cgroup.Load() {
	case 1:
		return true, nil
	case 2:
		return false, nil
	}
	info, err := c.eng.Info(ctx)
	if err != nil {
		return false, err
	}
	// Daemons older than API 1.41 do not report the version; they run on
	// cgroup v1 only.
	v := uint32(1)
	if info.CgroupVersion == "2" {
		v = 2
	}
	c.facts.cgroup.Store(v)
	return v == 1, nil
}

// daemonView prepares the daemon's view of a container (its inspect result in
// the policy model) for judging, by StartContainer, RestartContainer and
// JudgeContainer alike. At create, the daemon fills in values the request left
// unset, and inspect cannot tell them from values that were asked for; those
// are reset to "unset" here:
//
//   - the default masked and read-only paths (a non-empty list);
//   - on cgroup v1 hosts (cgroupV1), the host cgroup namespace, the daemon's
//     default there; on cgroup v2 the default is private, so "host" was asked
//     for and is judged;
//   - "label=disable", which the daemon adds for a privileged container and
//     for one sharing the host's PID or IPC namespace (unless the request set
//     a label option itself). It is reset only alone (no other label field)
//     and together with its cause, which the policy denies at every level that
//     runs checks and for which no exception exists: the container is still
//     denied, with the finding that names the cause instead of a second one
//     for its consequence. Without the cause it is judged.
//
// The price: an explicit --cgroupns=host on a cgroup v1 host, a custom
// non-empty masked-path list and an explicit label=disable next to
// --privileged, --pid=host or --ipc=host are not reported on their own. What is
// still judged exactly: privileged mode, capabilities, the other security
// options, every mount (with host paths resolved again), the other namespaces,
// devices, sysctls, ports, resources, and an explicitly empty masked-path list
// (unmask everything).
func daemonView(s policy.Container, cgroupV1 bool) policy.Container {
	if len(s.MaskedPaths) > 0 {
		s.MaskedPaths = nil
	}
	if len(s.ReadonlyPaths) > 0 {
		s.ReadonlyPaths = nil
	}
	if cgroupV1 && s.CgroupnsMode.Kind == policy.NamespaceHost {
		s.CgroupnsMode = policy.NamespaceMode{}
	}
	cause := s.Privileged || s.PIDMode.Kind == policy.NamespaceHost || s.IPCMode.Kind == policy.NamespaceHost
	if cause && s.Security.Label == (policy.SELinuxLabel{Disable: true}) {
		s.Security.Label = policy.SELinuxLabel{}
		if _, ok := s.Security.Fields["label"]; ok {
			s.Security.Fields = maps.Clone(s.Security.Fields)
			delete(s.Security.Fields, "label")
		}
	}
	return s
}

// signals are the signals KillContainer and StopOptions accept, by name
// (with or without "SIG") or number.
var signals = map[string]string{
	"HUP": "1", "INT": "2", "QUIT": "3", "KILL": "9", "USR1": "10", "USR2": "12",
	"TERM": "15", "CONT": "18", "STOP": "19", "WINCH": "28",
}

// checkSignal validates a signal name or number against the allowed list and
// returns its canonical name ("SIGTERM").
func checkSignal(sig string) (string, error) {
	s := strings.ToUpper(strings.TrimPrefix(strings.ToUpper(sig), "SIG"))
	if _, ok := signals[s]; ok {
		return "SIG" + s, nil
	}
	for name, num := range signals {
		if num == sig {
			return "SIG" + name, nil
		}
	}
	return "", &ValidationError{Field: "signal", Reason: fmt.Sprintf("%q is not an allowed signal (HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP, WINCH)", truncate(sig, 16))}
}

func (c *Client) stopLike(ctx context.Context, name string, cp Capability, id string, opts StopOptions,
	rejudge bool, call func(context.Context, string, engine.StopOptions) error) error {
	eo := engine.StopOptions{Timeout: opts.Timeout}
	var judge func() verdict
	var inspectErr error
	if rejudge {
		judge = func() verdict { return c.rejudge(ctx, id, c.policy, &inspectErr) }
	}
	return c.run(ctx, operation{name: name, cap: cp, target: id},
		func() error {
			if err := checkRef(id); err != nil {
				return err
			}
			if opts.Signal != "" {
				s, err := checkSignal(opts.Signal)
				if err != nil {
					return err
				}
				eo.Signal = s
			}
			if opts.Timeout != nil && (*opts.Timeout < 0 || *opts.Timeout > 10*time.Minute) {
				return &ValidationError{Field: "timeout", Reason: "must be between 0 and 10m"}
			}
			if rejudge && c.policy == nil {
				return &ValidationError{Field: "policy", Reason: "the client has no policy evaluator"}
			}
			return nil
		}, judge,
		func(ctx context.Context) error {
			if inspectErr != nil {
				return inspectErr
			}
			return call(ctx, id, eo)
		})
}

// StopContainer stops a container. Capability: CapContainerStop.
func (c *Client) StopContainer(ctx context.Context, id string, opts StopOptions) error {
	return c.stopLike(ctx, "container.stop", CapContainerStop, id, opts, false, c.eng.StopContainer)
}

// RestartContainer restarts a container. Capability: CapContainerRestart.
// A restart mounts the container's binds again, so, as for StartContainer, the
// daemon's view of the container is judged by the policy first.
func (c *Client) RestartContainer(ctx context.Context, id string, opts StopOptions) error {
	return c.stopLike(ctx, "container.restart", CapContainerRestart, id, opts, true, c.eng.RestartContainer)
}

// KillContainer sends signal ("" = SIGKILL) to a container's main process. The
// signal must be one of HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP,
// WINCH (name, SIG-name or number). Capability: CapContainerKill.
func (c *Client) KillContainer(ctx context.Context, id, signal string) error {
	sig := "SIGKILL"
	return c.run(ctx, operation{name: "container.kill", cap: CapContainerKill, target: id},
		func() error {
			if err := checkRef(id); err != nil {
				return err
			}
			if signal != "" {
				s, err := checkSignal(signal)
				if err != nil {
					return err
				}
				sig = s
			}
			return nil
		}, nil,
		func(ctx context.Context) error { return c.eng.KillContainer(ctx, id, sig) })
}

// WaitContainer waits until the container meets cond ("" = WaitNotRunning),
// under the Long deadline. Capability: CapContainerWait.
func (c *Client) WaitContainer(ctx context.Context, id string, cond WaitCondition) (WaitResult, error) {
	if cond == "" {
		cond = WaitNotRunning
	}
	var out WaitResult
	err := c.run(ctx, operation{name: "container.wait", cap: CapContainerWait, target: id, long: true},
		func() error {
			if err := checkRef(id); err != nil {
				return err
			}
			switch cond {
			case WaitNotRunning, WaitNextExit, WaitRemoved:
				return nil
			}
			return &ValidationError{Field: "condition", Reason: fmt.Sprintf("unknown wait condition %q", truncate(string(cond), 32))}
		}, nil,
		func(ctx context.Context) error {
			r, err := c.eng.WaitContainer(ctx, id, cond)
			out = r
			return err
		})
	return out, err
}

// RemoveContainer removes a container; Force kills it first if it runs. Both
// need only CapContainerRemove, which is destructive and never part of a
// read or write grant. Capability: CapContainerRemove.
func (c *Client) RemoveContainer(ctx context.Context, id string, opts RemoveOptions) error {
	return c.run(ctx, operation{name: "container.remove", cap: CapContainerRemove, target: id},
		func() error { return checkRef(id) }, nil,
		func(ctx context.Context) error {
			return c.eng.RemoveContainer(ctx, id, engine.RemoveOptions{Force: opts.Force, RemoveVolumes: opts.RemoveVolumes})
		})
}
