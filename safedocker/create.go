package safedocker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// The secure defaults of a new ContainerBuilder. Each can be changed with the
// matching With method, within what the policy allows.
const (
	// DefaultMemoryLimit is the memory limit of a new container: 512 MiB.
	DefaultMemoryLimit = 512 << 20
	// DefaultPidsLimit is the process limit of a new container.
	DefaultPidsLimit = 256
)

// Limits on builder inputs.
const (
	maxArgs          = 1024
	maxArgBytes      = 128 << 10
	maxEnv           = 1024
	maxBuilderLabels = 256
	maxMounts        = 64
	maxPorts         = 256
)

// ContainerBuilder describes a container to create. It is a value: every With
// method returns a modified copy and never changes the receiver or anything
// shared with it, so a builder can be reused as a template and handed between
// goroutines. Invalid arguments are collected, not returned one by one; Spec
// and Create report them all.
//
// A new builder (Client.NewContainer or NewContainer) carries visible secure
// defaults: no-new-privileges, a memory limit of DefaultMemoryLimit, a pids
// limit of DefaultPidsLimit and an init process. Change them with
// WithNoNewPrivileges, WithMemoryLimit, WithPidsLimit and WithInit; the policy
// still decides what is allowed.
type ContainerBuilder struct {
	client   *Client
	spec     policy.Container
	settings engine.CreateSettings
	errs     []error
}

// NewContainer returns a builder for a container running image, with the
// secure defaults, not bound to a client: use it with Client.CreateContainer,
// or inspect it with Spec.
func NewContainer(image string) ContainerBuilder {
	t, pids, mem := true, int64(DefaultPidsLimit), int64(DefaultMemoryLimit)
	b := ContainerBuilder{spec: policy.Container{
		Image: image,
		Security: policy.SecurityOptions{NoNewPrivileges: &t,
			Fields: map[string]string{"no-new-privileges": "NoNewPrivileges"}},
		Resources: policy.Resources{Memory: mem, PidsLimit: &pids, Init: &t},
	}}
	if err := checkImage(image); err != nil {
		b.errs = append(b.errs, err)
	}
	return b
}

// NewContainer returns a builder for a container running image, bound to c so
// that Create uses c. It performs no I/O and needs no capability; Create needs
// CapContainerCreate.
func (c *Client) NewContainer(image string) ContainerBuilder {
	b := NewContainer(image)
	b.client = c
	return b
}

// invalid returns a copy of b with one more collected error.
func (b ContainerBuilder) invalid(field, reason string) ContainerBuilder {
	b.errs = append(slices.Clip(b.errs), &ValidationError{Field: field, Reason: reason})
	return b
}

// invalidInput returns a copy of b with one more collected error from the
// validate package.
func (b ContainerBuilder) invalidInput(field string, err error) ContainerBuilder {
	b.errs = append(slices.Clip(b.errs), validateError(field, err))
	return b
}

// WithName sets the container name ("" lets the daemon choose). Names follow
// the daemon's grammar (validate.ParseContainerName):
// [a-zA-Z0-9][a-zA-Z0-9_.-]+, at most validate.MaxNameLength bytes, with an
// optional leading "/".
func (b ContainerBuilder) WithName(name string) ContainerBuilder {
	if name == "" {
		b.spec.Name = ""
		return b
	}
	n, err := validate.ParseContainerName(name)
	if err != nil {
		return b.invalidInput("name", err)
	}
	b.spec.Name = n.String()
	return b
}

// WithCommand sets the command (exec form; no shell is involved). nil keeps
// the image's command.
func (b ContainerBuilder) WithCommand(args ...string) ContainerBuilder {
	if err := checkArgs("command", args); err != nil {
		return b.invalid("command", err.Error())
	}
	b.spec.Cmd = slices.Clone(args)
	return b
}

// WithEntrypoint sets the entrypoint (exec form). nil keeps the image's.
func (b ContainerBuilder) WithEntrypoint(args ...string) ContainerBuilder {
	if err := checkArgs("entrypoint", args); err != nil {
		return b.invalid("entrypoint", err.Error())
	}
	b.spec.Entrypoint = slices.Clone(args)
	return b
}

// WithEnv adds the environment variable key=value (validate.NewEnvVar): the
// key follows the POSIX grammar [A-Za-z_][A-Za-z0-9_]*, the value is valid
// UTF-8 without NUL, at most validate.MaxEnvValueLength bytes. Values are never
// logged or reported.
func (b ContainerBuilder) WithEnv(key, value string) ContainerBuilder {
	if _, err := validate.NewEnvVar(key, value); err != nil {
		return b.invalidInput("env", err)
	}
	if len(b.spec.Env) >= maxEnv {
		return b.invalid("env", fmt.Sprintf("more than %d variables", maxEnv))
	}
	b.spec.Env = append(slices.Clip(b.spec.Env), policy.EnvVar{Key: key, Value: value, HasValue: true})
	return b
}

// WithLabel sets a label (validate.ParseLabels): keys of [a-zA-Z0-9._/-]
// starting and ending with a letter or digit, never under the prefixes Docker
// reserves (com.docker., io.docker., org.dockerproject.); values valid UTF-8
// without control characters, at most validate.MaxLabelValueLength bytes.
func (b ContainerBuilder) WithLabel(key, value string) ContainerBuilder {
	if _, err := validate.ParseLabels(map[string]string{key: value}); err != nil {
		return b.invalidInput("label", err)
	}
	if len(b.spec.Labels) >= maxBuilderLabels {
		return b.invalid("label", fmt.Sprintf("more than %d labels", maxBuilderLabels))
	}
	labels := maps.Clone(b.spec.Labels)
	if labels == nil {
		labels = make(map[string]string, 1)
	}
	labels[key] = value
	b.spec.Labels = labels
	return b
}

// WithUser sets the user: "name", "uid", "uid:gid" or "name:group".
func (b ContainerBuilder) WithUser(user string) ContainerBuilder {
	if len(user) > 256 || hasControl(user) || strings.ContainsAny(user, " \t") || strings.Count(user, ":") > 1 {
		return b.invalid("user", fmt.Sprintf("%q is not a user spec", truncate(user, 64)))
	}
	b.spec.User = user
	return b
}

// WithWorkdir sets the working directory, an absolute path.
func (b ContainerBuilder) WithWorkdir(dir string) ContainerBuilder {
	if !path.IsAbs(dir) || hasControl(dir) || len(dir) > 4096 {
		return b.invalid("workdir", fmt.Sprintf("%q is not an absolute path", truncate(dir, 64)))
	}
	b.spec.WorkingDir = path.Clean(dir)
	return b
}

// MountMode says whether a mount is read-only.
type MountMode bool

// The mount modes.
const (
	ReadOnly  MountMode = true
	ReadWrite MountMode = false
)

func (b ContainerBuilder) addMount(field string, m policy.Mount) ContainerBuilder {
	if len(b.spec.Mounts) >= maxMounts {
		return b.invalid(field, fmt.Sprintf("more than %d mounts", maxMounts))
	}
	if !path.IsAbs(m.Target) || path.Clean(m.Target) == "/" || hasControl(m.Target) {
		return b.invalid(field, fmt.Sprintf("target %q must be an absolute path other than /", truncate(m.Target, 64)))
	}
	m.Target = path.Clean(m.Target)
	m.Field = fmt.Sprintf("HostConfig.Mounts[%d]", len(b.spec.Mounts)) // the field the adapter sends it in
	b.spec.Mounts = append(slices.Clip(b.spec.Mounts), m)
	return b
}

// WithBind bind-mounts the host path source at target. The policy denies binds
// unless an exception allows the source (and sensitive paths stay denied).
func (b ContainerBuilder) WithBind(source, target string, mode MountMode) ContainerBuilder {
	if !path.IsAbs(source) || hasControl(source) || strings.ContainsRune(source, '\\') {
		return b.invalid("bind", fmt.Sprintf("source %q must be an absolute host path", truncate(source, 64)))
	}
	return b.addMount("bind", policy.Mount{Type: policy.MountBind, Source: path.Clean(source), Target: target, ReadOnly: bool(mode)})
}

// WithVolume mounts the named volume at target ("" name: an anonymous volume).
func (b ContainerBuilder) WithVolume(name, target string, mode MountMode) ContainerBuilder {
	if name != "" {
		if _, err := validate.ParseVolumeName(name); err != nil {
			return b.invalidInput("volume", err)
		}
	}
	return b.addMount("volume", policy.Mount{Type: policy.MountVolume, Source: name, Target: target, ReadOnly: bool(mode)})
}

// WithTmpfs mounts a tmpfs of sizeBytes (0 = the daemon default) at target.
func (b ContainerBuilder) WithTmpfs(target string, sizeBytes int64) ContainerBuilder {
	if sizeBytes < 0 {
		return b.invalid("tmpfs", "negative size")
	}
	nb := b.addMount("tmpfs", policy.Mount{Type: policy.MountTmpfs, Target: target})
	if len(nb.errs) > len(b.errs) || sizeBytes == 0 {
		return nb
	}
	sizes := maps.Clone(nb.settings.TmpfsSize)
	if sizes == nil {
		sizes = make(map[string]int64, 1)
	}
	sizes[path.Clean(target)] = sizeBytes
	nb.settings.TmpfsSize = sizes
	return nb
}

// WithPort publishes containerPort/protocol ("tcp", "udp" or "sctp") on
// hostIP:hostPort. hostIP "" means all interfaces (the policy may require
// loopback); hostPort 0 lets the daemon choose.
func (b ContainerBuilder) WithPort(containerPort uint16, protocol, hostIP string, hostPort uint16) ContainerBuilder {
	p := policy.PortBinding{ContainerPort: containerPort, HostPort: hostPort}
	switch proto := policy.Protocol(strings.ToLower(protocol)); proto {
	case policy.ProtocolTCP, policy.ProtocolUDP, policy.ProtocolSCTP:
		p.Protocol = proto
	default:
		return b.invalid("port", fmt.Sprintf("unknown protocol %q", truncate(protocol, 16)))
	}
	if containerPort == 0 {
		return b.invalid("port", "container port 0")
	}
	if hostIP != "" {
		ip, err := netip.ParseAddr(hostIP)
		if err != nil || ip.Zone() != "" {
			return b.invalid("port", fmt.Sprintf("host IP %q is not an IP address", truncate(hostIP, 64)))
		}
		p.HostIP = ip
	}
	if len(b.spec.Ports) >= maxPorts {
		return b.invalid("port", fmt.Sprintf("more than %d ports", maxPorts))
	}
	n := 0 // index among the bindings of the same container port, as the adapter sends them
	for _, q := range b.spec.Ports {
		if q.ContainerPort == p.ContainerPort && q.Protocol == p.Protocol {
			n++
		}
	}
	p.Field = fmt.Sprintf("HostConfig.PortBindings[%d/%s][%d]", p.ContainerPort, p.Protocol, n)
	b.spec.Ports = append(slices.Clip(b.spec.Ports), p)
	return b
}

// WithMemoryLimit sets the memory limit in bytes (0 removes it, which the
// Restricted policy denies). Default DefaultMemoryLimit.
func (b ContainerBuilder) WithMemoryLimit(bytes int64) ContainerBuilder {
	if bytes < 0 || (bytes > 0 && bytes < 6<<20) {
		return b.invalid("memory", "must be 0 or at least 6 MiB (the daemon minimum)")
	}
	b.spec.Resources.Memory = bytes
	return b
}

// WithPidsLimit sets the process limit (0 removes it). Default DefaultPidsLimit.
func (b ContainerBuilder) WithPidsLimit(n int64) ContainerBuilder {
	if n < 0 {
		return b.invalid("pids limit", "negative")
	}
	if n == 0 {
		b.spec.Resources.PidsLimit = nil
		return b
	}
	b.spec.Resources.PidsLimit = &n
	return b
}

// WithCPUs limits the container to cpus CPUs (0 removes the limit).
func (b ContainerBuilder) WithCPUs(cpus float64) ContainerBuilder {
	if cpus < 0 || cpus > 1024 || cpus != cpus {
		return b.invalid("cpus", "must be between 0 and 1024")
	}
	b.spec.Resources.NanoCPUs = int64(cpus * 1e9)
	return b
}

// WithInit runs (or not) an init process as PID 1. Default true.
func (b ContainerBuilder) WithInit(on bool) ContainerBuilder {
	b.spec.Resources.Init = &on
	return b
}

// WithNoNewPrivileges sets no-new-privileges. Default true.
func (b ContainerBuilder) WithNoNewPrivileges(on bool) ContainerBuilder {
	b.spec.Security.NoNewPrivileges = &on
	fields := maps.Clone(b.spec.Security.Fields)
	if fields == nil {
		fields = make(map[string]string, 1)
	}
	fields["no-new-privileges"] = "NoNewPrivileges"
	b.spec.Security.Fields = fields
	return b
}

// WithReadOnlyRootfs makes the root file system read-only. Default false.
func (b ContainerBuilder) WithReadOnlyRootfs(on bool) ContainerBuilder {
	b.spec.ReadonlyRootfs = on
	return b
}

// WithCapDrop drops Linux capabilities ("ALL", "NET_RAW", ...).
func (b ContainerBuilder) WithCapDrop(caps ...string) ContainerBuilder {
	for _, c := range caps {
		if !validCapName(c) {
			return b.invalid("cap drop", fmt.Sprintf("%q is not a capability name", truncate(c, 32)))
		}
	}
	b.spec.CapDrop = append(slices.Clip(b.spec.CapDrop), caps...)
	return b
}

// WithCapAdd adds Linux capabilities. The policy denies capabilities outside
// Docker's default set unless an exception allows them.
func (b ContainerBuilder) WithCapAdd(caps ...string) ContainerBuilder {
	for _, c := range caps {
		if !validCapName(c) {
			return b.invalid("cap add", fmt.Sprintf("%q is not a capability name", truncate(c, 32)))
		}
	}
	b.spec.CapAdd = append(slices.Clip(b.spec.CapAdd), caps...)
	return b
}

// WithPrivileged asks for a privileged container. Every policy level except
// LevelPrivileged denies it; it exists so that such requests are judged and
// audited rather than impossible to express.
func (b ContainerBuilder) WithPrivileged(on bool) ContainerBuilder {
	b.spec.Privileged = on
	return b
}

// WithSecurityOpt adds daemon security options in the daemon's syntax
// ("seccomp=<profile JSON>", "apparmor=<name>", "label=...",
// "no-new-privileges=true"). Later options override earlier ones, as in the
// daemon. Unknown or malformed options are errors.
func (b ContainerBuilder) WithSecurityOpt(opts ...string) ContainerBuilder {
	// Re-render the options set so far, so the whole list is parsed again with
	// the daemon's later-wins semantics.
	prev, err := engine.SecurityOptStrings(b.spec.Security)
	if err != nil {
		return b.invalid("security option", err.Error())
	}
	all := append(prev, opts...)
	so, errs := policy.ParseSecurityOpts("SecurityOpt", all)
	if len(errs) > 0 {
		return b.invalid("security option", errs[0].Error())
	}
	b.spec.Security = so
	return b
}

// WithPIDMode sets the PID namespace: "" (private), "host" or
// "container:<name>". The policy denies "host".
func (b ContainerBuilder) WithPIDMode(mode string) ContainerBuilder {
	m, err := policy.ParsePIDMode(mode)
	if err != nil {
		return b.invalid("pid mode", err.Error())
	}
	b.spec.PIDMode = m
	return b
}

// WithNetworkMode sets the network mode: "", "bridge", "none", "host",
// "container:<name>" or a user-defined network name. The policy denies "host".
func (b ContainerBuilder) WithNetworkMode(mode string) ContainerBuilder {
	m, err := policy.ParseNetworkMode(mode)
	if err != nil {
		return b.invalid("network mode", err.Error())
	}
	b.spec.NetworkMode = m
	return b
}

// WithRestartPolicy sets the restart policy: "no", "always", "unless-stopped"
// or "on-failure" (maxRetries applies to "on-failure" only).
func (b ContainerBuilder) WithRestartPolicy(name string, maxRetries int) ContainerBuilder {
	switch name {
	case "no", "always", "unless-stopped":
		if maxRetries != 0 {
			return b.invalid("restart policy", "max retries apply to on-failure only")
		}
	case "on-failure":
		if maxRetries < 0 {
			return b.invalid("restart policy", "negative max retries")
		}
	default:
		return b.invalid("restart policy", fmt.Sprintf("unknown policy %q", truncate(name, 32)))
	}
	b.settings.RestartPolicy, b.settings.RestartMaxRetries = name, maxRetries
	return b
}

// WithHealthcheck sets an exec-form healthcheck command run every interval
// (0 = the daemon default), failing after timeout, unhealthy after retries
// consecutive failures. The policy judges the command like the main one.
func (b ContainerBuilder) WithHealthcheck(cmd []string, interval, timeout time.Duration, retries int) ContainerBuilder {
	if len(cmd) == 0 {
		return b.invalid("healthcheck", "empty command")
	}
	if err := checkArgs("healthcheck", cmd); err != nil {
		return b.invalid("healthcheck", err.Error())
	}
	if interval < 0 || timeout < 0 || retries < 0 || (interval > 0 && interval < time.Millisecond) || (timeout > 0 && timeout < time.Millisecond) {
		return b.invalid("healthcheck", "interval and timeout must be 0 or at least 1ms, retries >= 0")
	}
	b.spec.Healthcheck = &policy.Healthcheck{Test: append([]string{"CMD"}, cmd...)}
	b.settings.HealthInterval, b.settings.HealthTimeout, b.settings.HealthRetries = interval, timeout, retries
	return b
}

// WithNetwork attaches the container to the user-defined network name at
// creation (in addition to its network mode).
func (b ContainerBuilder) WithNetwork(name string) ContainerBuilder {
	if _, err := validate.ParseNetworkName(name); err != nil {
		return b.invalidInput("network", err)
	}
	b.spec.Networks = append(slices.Clip(b.spec.Networks), name)
	return b
}

// Spec returns a copy of the container model the builder describes, or every
// collected error joined (each a *ValidationError).
func (b ContainerBuilder) Spec() (policy.Container, error) {
	if len(b.errs) > 0 {
		return policy.Container{}, errors.Join(b.errs...)
	}
	return cloneContainer(b.spec), nil
}

// Created is the answer to a create.
type Created struct {
	// ID is the new container's ID.
	ID string
	// Warnings are the daemon's warnings about the configuration.
	Warnings []string
}

// Create creates the container with the builder's client; it is
// Client.CreateContainer(ctx, b, opts...). A builder from the package-level
// NewContainer has no client and fails with ErrCapabilityDenied.
func (b ContainerBuilder) Create(ctx context.Context, opts ...CallOption) (Created, error) {
	return b.client.CreateContainer(ctx, b, opts...)
}

// CreateContainer creates the container b describes. Capability:
// CapContainerCreate. Pipeline: the builder's collected errors are the
// validation step; the policy (tightened by opts, if any) judges the model with
// every finding; on admission the daemon receives exactly the model.
func (c *Client) CreateContainer(ctx context.Context, b ContainerBuilder, opts ...CallOption) (Created, error) {
	spec := cloneContainer(b.spec)
	settings := b.settings
	var ev *policy.Evaluator
	op := operation{name: "container.create", cap: CapContainerCreate, target: spec.Name}
	var out Created
	err := c.run(ctx, op,
		func() error {
			if len(b.errs) > 0 {
				return b.errs[0]
			}
			var err error
			ev, err = c.callEvaluator(opts)
			return err
		},
		func() verdict { return fromDecision(ev.Container(&spec)) },
		func(ctx context.Context) error {
			res, err := c.eng.CreateContainer(ctx, engine.CreateRequest{Spec: &spec, Settings: settings})
			if err != nil {
				return err
			}
			out = Created{ID: res.ID, Warnings: res.Warnings}
			return nil
		})
	return out, err
}

// CallOption adjusts one call. The set is sealed; the only options tighten the
// policy for the call, they can never loosen it.
type CallOption interface {
	applyCall(*callOptions) error
}

type callOptions struct {
	tighten []policy.TightenOption
}

type callOptionFunc func(*callOptions) error

func (f callOptionFunc) applyCall(o *callOptions) error { return f(o) }

// Tighten makes the policy stricter for one call (policy.RaiseLevel,
// policy.RequireDigestPinning, policy.NarrowExceptions, policy.DropExceptions).
// An option that would loosen the policy fails the call with ErrInvalidInput.
func Tighten(opts ...policy.TightenOption) CallOption {
	return callOptionFunc(func(o *callOptions) error {
		o.tighten = append(o.tighten, opts...)
		return nil
	})
}

// callEvaluator returns the client's evaluator tightened by opts.
func (c *Client) callEvaluator(opts []CallOption) (*policy.Evaluator, error) {
	if c.policy == nil {
		return nil, &ValidationError{Field: "policy", Reason: "the client has no policy evaluator"}
	}
	if len(opts) == 0 {
		return c.policy, nil
	}
	var co callOptions
	for i, o := range opts {
		if o == nil {
			return nil, &ValidationError{Field: fmt.Sprintf("options[%d]", i), Reason: "nil option"}
		}
		if err := o.applyCall(&co); err != nil {
			return nil, err
		}
	}
	if len(co.tighten) == 0 {
		return c.policy, nil
	}
	ev, err := c.policy.Tighten(co.tighten...)
	if err != nil {
		return nil, &ValidationError{Field: "Tighten", Reason: err.Error(), Err: err}
	}
	return ev, nil
}

// fromDecision converts a policy decision for the pipeline.
func fromDecision(d policy.Decision) verdict {
	return verdict{allowed: d.Allowed, findings: d.Findings, level: d.Level, version: d.Version}
}

// cloneContainer deep-copies the parts of a model a builder may share.
func cloneContainer(c policy.Container) policy.Container {
	c.Entrypoint = slices.Clone(c.Entrypoint)
	c.Cmd = slices.Clone(c.Cmd)
	c.Env = slices.Clone(c.Env)
	c.Labels = maps.Clone(c.Labels)
	c.CapAdd = slices.Clone(c.CapAdd)
	c.CapDrop = slices.Clone(c.CapDrop)
	c.Mounts = slices.Clone(c.Mounts)
	c.Ports = slices.Clone(c.Ports)
	c.Networks = slices.Clone(c.Networks)
	c.Security.Fields = maps.Clone(c.Security.Fields)
	if c.Healthcheck != nil {
		h := *c.Healthcheck
		h.Test = slices.Clone(h.Test)
		c.Healthcheck = &h
	}
	r := &c.Resources
	if r.PidsLimit != nil {
		v := *r.PidsLimit
		r.PidsLimit = &v
	}
	if r.Init != nil {
		v := *r.Init
		r.Init = &v
	}
	if r.OomKillDisable != nil {
		v := *r.OomKillDisable
		r.OomKillDisable = &v
	}
	if c.Security.NoNewPrivileges != nil {
		v := *c.Security.NoNewPrivileges
		c.Security.NoNewPrivileges = &v
	}
	return c
}

// checkImage validates the image of a new container with
// validate.ParseImageRef; a reference without tag or digest means ":latest",
// as for the daemon.
func checkImage(image string) error {
	if image == "" {
		return &ValidationError{Field: "image", Reason: "must be a non-empty image reference"}
	}
	if _, err := validate.ParseImageRef(image, validate.DefaultTagLatest()); err != nil {
		return validateError("image", err)
	}
	return nil
}

func checkArgs(what string, args []string) error {
	if len(args) > maxArgs {
		return fmt.Errorf("more than %d %s arguments", maxArgs, what)
	}
	total := 0
	for _, a := range args {
		total += len(a)
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("%s argument holds a NUL byte", what)
		}
	}
	if total > maxArgBytes {
		return fmt.Errorf("%s exceeds %d bytes", what, maxArgBytes)
	}
	return nil
}

func validCapName(c string) bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
