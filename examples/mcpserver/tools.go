package main

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/safedocker/safedocker/safedocker"
)

// Bounds on tool arguments, on top of the client's own output bounds.
const (
	// defaultListLimit is the number of items a list tool returns by default.
	defaultListLimit = 100
	// maxStopTimeout is the longest stop timeout a tool accepts.
	maxStopTimeout = 600
)

// catalogue returns every tool the server knows, in the order it lists them.
// Thin handlers: each one maps its arguments onto one safedocker operation.
func catalogue() []toolSpec {
	const (
		read        = safedocker.ClassRead
		write       = safedocker.ClassWrite
		destructive = safedocker.ClassDestructive
	)
	return []toolSpec{
		// Read.
		{name: "container_list", title: "List containers", cap: safedocker.CapContainerRead, class: read,
			desc: "List containers (running only unless all is true), at most limit entries.", register: reg(containerList)},
		{name: "container_inspect", title: "Inspect a container", cap: safedocker.CapContainerRead, class: read,
			desc: "Show a container's state and security-relevant configuration (environment variable names only, never values).", register: reg(containerInspect)},
		{name: "container_logs", title: "Read container logs", cap: safedocker.CapContainerLogs, class: read,
			desc: "Read the last lines of a container's logs, bounded in lines and bytes.", register: reg(containerLogs)},
		{name: "container_stats", title: "Container resource usage", cap: safedocker.CapContainerRead, class: read,
			desc: "Read one sample of a container's CPU, memory, process and I/O usage.", register: reg(containerStats)},
		{name: "image_list", title: "List images", cap: safedocker.CapImageRead, class: read,
			desc: "List images, at most limit entries.", register: reg(imageList)},
		{name: "image_inspect", title: "Inspect an image", cap: safedocker.CapImageRead, class: read,
			desc: "Show an image's configuration (environment variable names only).", register: reg(imageInspect)},
		{name: "volume_list", title: "List volumes", cap: safedocker.CapVolumeRead, class: read,
			desc: "List volumes, at most limit entries.", register: reg(volumeList)},
		{name: "network_list", title: "List networks", cap: safedocker.CapNetworkRead, class: read,
			desc: "List networks, at most limit entries.", register: reg(networkList)},
		{name: "system_info", title: "Daemon information", cap: safedocker.CapSystemRead, class: read,
			desc: "Show a safe subset of the Docker daemon's information.", register: reg(systemInfo)},
		{name: "system_version", title: "Daemon version", cap: safedocker.CapSystemRead, class: read,
			desc: "Show the Docker daemon's version.", register: reg(systemVersion)},
		{name: "system_df", title: "Disk usage", cap: safedocker.CapSystemRead, class: read,
			desc: "Show the daemon's disk usage per kind of object.", register: reg(systemDF)},

		// Write.
		{name: "container_create", title: "Create a container", cap: safedocker.CapContainerCreate, class: write,
			desc: "Create (not start) a container. Secure defaults apply (no-new-privileges, memory and pids limits, init); " +
				"the policy judges every setting and denies host escapes with a list of findings to fix.", register: reg(containerCreate)},
		{name: "container_start", title: "Start a container", cap: safedocker.CapContainerStart, class: write, idempotent: true,
			desc: "Start a container; its configuration is judged by the policy again first.", register: reg(containerStart)},
		{name: "container_stop", title: "Stop a container", cap: safedocker.CapContainerStop, class: write, idempotent: true,
			desc: "Stop a container (SIGTERM, then SIGKILL after timeout_seconds).", register: reg(containerStop)},
		{name: "container_restart", title: "Restart a container", cap: safedocker.CapContainerRestart, class: write,
			desc: "Restart a container.", register: reg(containerRestart)},
		{name: "container_exec", title: "Run a command in a container", cap: safedocker.CapExec, class: write,
			desc: "Run a command (exec form, no shell, never privileged, no TTY, no stdin) in a running container and return its bounded output and exit code.", register: reg(containerExec)},
		{name: "image_pull", title: "Pull an image", cap: safedocker.CapImagePull, class: write, idempotent: true,
			desc: "Pull an image by tag or digest from an allowed registry.", register: reg(imagePull)},
		{name: "volume_create", title: "Create a volume", cap: safedocker.CapVolumeCreate, class: write,
			desc: "Create a named volume; driver options that mount host paths or devices are denied.", register: reg(volumeCreate)},
		{name: "network_create", title: "Create a network", cap: safedocker.CapNetworkCreate, class: write,
			desc: "Create a network (bridge by default; host, macvlan and ipvlan are denied).", register: reg(networkCreate)},
		{name: "network_connect", title: "Connect a container to a network", cap: safedocker.CapNetworkConnect, class: write,
			desc: "Connect a container to a network (never the host network).", register: reg(networkConnect)},
		{name: "network_disconnect", title: "Disconnect a container from a network", cap: safedocker.CapNetworkConnect, class: write, idempotent: true,
			desc: "Disconnect a container from a network.", register: reg(networkDisconnect)},

		// Destructive.
		{name: "container_remove", title: "Remove a container", cap: safedocker.CapContainerRemove, class: destructive,
			desc: "Remove a container (force kills it first if it runs).", register: reg(containerRemove)},
		{name: "container_kill", title: "Kill a container", cap: safedocker.CapContainerKill, class: destructive,
			desc: "Send a signal (default SIGKILL) to a container's main process; unsaved state is lost.", register: reg(containerKill)},
		{name: "image_remove", title: "Remove an image", cap: safedocker.CapImageRemove, class: destructive,
			desc: "Remove an image by ID or reference.", register: reg(imageRemove)},
		{name: "volume_remove", title: "Remove a volume", cap: safedocker.CapVolumeRemove, class: destructive,
			desc: "Remove a volume and its data.", register: reg(volumeRemove)},
		{name: "network_remove", title: "Remove a network", cap: safedocker.CapNetworkRemove, class: destructive,
			desc: "Remove a network (the predefined bridge, host and none networks are refused).", register: reg(networkRemove)},
	}
}

// ---- Read tools ----

type containerRef struct {
	Container string `json:"container" jsonschema:"container name or ID"`
}

type containerListIn struct {
	All    bool     `json:"all,omitempty" jsonschema:"include stopped containers"`
	Limit  int      `json:"limit,omitempty" jsonschema:"maximum number of containers (default 100)"`
	Name   string   `json:"name,omitempty" jsonschema:"only containers whose name contains this"`
	Labels []string `json:"labels,omitempty" jsonschema:"only containers carrying each label (key or key=value)"`
	Status string   `json:"status,omitempty" jsonschema:"only containers in this state (running, exited, paused...)"`
}

func listLimit(n int) int {
	if n <= 0 {
		return defaultListLimit
	}
	return n
}

func containerList(ctx context.Context, c *safedocker.Client, in containerListIn) (any, error) {
	f := map[string][]string{}
	if in.Name != "" {
		f["name"] = []string{in.Name}
	}
	if len(in.Labels) > 0 {
		f["label"] = in.Labels
	}
	if in.Status != "" {
		f["status"] = []string{in.Status}
	}
	list, err := c.ListContainers(ctx, safedocker.ListOptions{All: in.All, Limit: listLimit(in.Limit), Filters: f})
	if err != nil {
		return nil, err
	}
	return map[string]any{"containers": nonNil(list.Containers), "count": len(list.Containers),
		"limit": listLimit(in.Limit), "truncated": list.Truncated}, nil
}

// mountOut is a mount as the model sees it.
type mountOut struct {
	Type     string `json:"type"`
	Source   string `json:"source,omitempty"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only"`
}

// portOut is a published port.
type portOut struct {
	ContainerPort uint16 `json:"container_port"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"host_ip,omitempty"`
	HostPort      uint16 `json:"host_port,omitempty"`
}

// containerOut is the inspect view: state plus the security-relevant
// configuration, with environment variable names only.
type containerOut struct {
	ID              string                    `json:"id"`
	Name            string                    `json:"name"`
	Image           string                    `json:"image"`
	ImageID         string                    `json:"image_id"`
	Created         time.Time                 `json:"created"`
	State           safedocker.ContainerState `json:"state"`
	RestartCount    int                       `json:"restart_count"`
	User            string                    `json:"user,omitempty"`
	Entrypoint      []string                  `json:"entrypoint,omitempty"`
	Cmd             []string                  `json:"cmd,omitempty"`
	WorkingDir      string                    `json:"working_dir,omitempty"`
	EnvKeys         []string                  `json:"env_keys,omitempty"`
	Labels          map[string]string         `json:"labels,omitempty"`
	Privileged      bool                      `json:"privileged"`
	CapAdd          []string                  `json:"cap_add,omitempty"`
	CapDrop         []string                  `json:"cap_drop,omitempty"`
	NoNewPrivileges *bool                     `json:"no_new_privileges,omitempty"`
	ReadOnlyRootfs  bool                      `json:"read_only_rootfs"`
	NetworkMode     string                    `json:"network_mode,omitempty"`
	PIDMode         string                    `json:"pid_mode,omitempty"`
	Networks        []string                  `json:"networks,omitempty"`
	Mounts          []mountOut                `json:"mounts,omitempty"`
	Ports           []portOut                 `json:"ports,omitempty"`
	MemoryBytes     int64                     `json:"memory_bytes,omitempty"`
	NanoCPUs        int64                     `json:"nano_cpus,omitempty"`
	PidsLimit       *int64                    `json:"pids_limit,omitempty"`
}

func containerInspect(ctx context.Context, c *safedocker.Client, in containerRef) (any, error) {
	info, err := c.InspectContainer(ctx, in.Container)
	if err != nil {
		return nil, err
	}
	cfg := info.Config
	out := containerOut{
		ID: info.ID, Name: info.Name, Image: info.Image, ImageID: info.ImageID, Created: info.Created,
		State: info.State, RestartCount: info.RestartCount, User: cfg.User, Entrypoint: cfg.Entrypoint,
		Cmd: cfg.Cmd, WorkingDir: cfg.WorkingDir, Labels: cfg.Labels, Privileged: cfg.Privileged,
		CapAdd: cfg.CapAdd, CapDrop: cfg.CapDrop, NoNewPrivileges: cfg.Security.NoNewPrivileges,
		ReadOnlyRootfs: cfg.ReadonlyRootfs, NetworkMode: cfg.NetworkMode.String(), PIDMode: cfg.PIDMode.String(),
		Networks: cfg.Networks, MemoryBytes: cfg.Resources.Memory, NanoCPUs: cfg.Resources.NanoCPUs,
		PidsLimit: cfg.Resources.PidsLimit,
	}
	for _, e := range cfg.Env {
		out.EnvKeys = append(out.EnvKeys, e.Key) // keys only: values never leave the daemon
	}
	for _, m := range cfg.Mounts {
		out.Mounts = append(out.Mounts, mountOut{Type: string(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	for _, p := range cfg.Ports {
		po := portOut{ContainerPort: p.ContainerPort, Protocol: string(p.Protocol), HostPort: p.HostPort}
		if p.HostIP.IsValid() {
			po.HostIP = p.HostIP.String()
		}
		out.Ports = append(out.Ports, po)
	}
	return out, nil
}

type containerLogsIn struct {
	Container    string `json:"container" jsonschema:"container name or ID"`
	Tail         int    `json:"tail,omitempty" jsonschema:"number of lines from the end (default and maximum: the server's bound)"`
	MaxBytes     int64  `json:"max_bytes,omitempty" jsonschema:"maximum bytes returned (default and maximum: the server's bound)"`
	Stream       string `json:"stream,omitempty" jsonschema:"stdout, stderr or both (default both)"`
	SinceSeconds int    `json:"since_seconds,omitempty" jsonschema:"only lines from the last N seconds"`
	Timestamps   bool   `json:"timestamps,omitempty" jsonschema:"prefix lines with their timestamp"`
}

func containerLogs(ctx context.Context, c *safedocker.Client, in containerLogsIn) (any, error) {
	opts := safedocker.LogsOptions{Tail: in.Tail, MaxBytes: in.MaxBytes, Timestamps: in.Timestamps}
	switch in.Stream {
	case "", "both":
	case "stdout":
		opts.StdoutOnly = true
	case "stderr":
		opts.StderrOnly = true
	default:
		return nil, &safedocker.ValidationError{Op: "container.logs", Field: "stream", Reason: "must be stdout, stderr or both"}
	}
	if in.SinceSeconds < 0 {
		return nil, &safedocker.ValidationError{Op: "container.logs", Field: "since_seconds", Reason: "must not be negative"}
	}
	if in.SinceSeconds > 0 {
		opts.Since = time.Now().Add(-time.Duration(in.SinceSeconds) * time.Second)
	}
	l, err := c.ContainerLogs(ctx, in.Container, opts)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stdout": string(l.Stdout), "stderr": string(l.Stderr), "truncated": l.Truncated}, nil
}

func containerStats(ctx context.Context, c *safedocker.Client, in containerRef) (any, error) {
	return c.ContainerStats(ctx, in.Container)
}

type imageListIn struct {
	All       bool   `json:"all,omitempty" jsonschema:"include intermediate images"`
	Reference string `json:"reference,omitempty" jsonschema:"only images matching this reference pattern, e.g. alpine or registry.example.com/team/*"`
	Limit     int    `json:"limit,omitempty" jsonschema:"maximum number of images (default 100)"`
}

func imageList(ctx context.Context, c *safedocker.Client, in imageListIn) (any, error) {
	l, err := c.ListImages(ctx, safedocker.ImageListOptions{All: in.All, Reference: in.Reference, Limit: listLimit(in.Limit)})
	if err != nil {
		return nil, err
	}
	return map[string]any{"images": nonNil(l.Images), "total": l.Total, "truncated": l.Truncated}, nil
}

type imageRef struct {
	Image string `json:"image" jsonschema:"image ID or reference"`
}

func imageInspect(ctx context.Context, c *safedocker.Client, in imageRef) (any, error) {
	return c.InspectImage(ctx, in.Image)
}

type nameLimitIn struct {
	Name  string `json:"name,omitempty" jsonschema:"only objects whose name contains this"`
	Limit int    `json:"limit,omitempty" jsonschema:"maximum number of entries (default 100)"`
}

func volumeList(ctx context.Context, c *safedocker.Client, in nameLimitIn) (any, error) {
	l, err := c.ListVolumes(ctx, safedocker.VolumeListOptions{Name: in.Name, Limit: listLimit(in.Limit)})
	if err != nil {
		return nil, err
	}
	return map[string]any{"volumes": nonNil(l.Volumes), "total": l.Total, "truncated": l.Truncated}, nil
}

func networkList(ctx context.Context, c *safedocker.Client, in nameLimitIn) (any, error) {
	l, err := c.ListNetworks(ctx, safedocker.NetworkListOptions{Name: in.Name, Limit: listLimit(in.Limit)})
	if err != nil {
		return nil, err
	}
	return map[string]any{"networks": nonNil(l.Networks), "total": l.Total, "truncated": l.Truncated}, nil
}

type noArgs struct{}

func systemInfo(ctx context.Context, c *safedocker.Client, _ noArgs) (any, error) { return c.Info(ctx) }

func systemVersion(ctx context.Context, c *safedocker.Client, _ noArgs) (any, error) {
	return c.Version(ctx)
}

func systemDF(ctx context.Context, c *safedocker.Client, _ noArgs) (any, error) {
	return c.DiskUsage(ctx)
}

// ---- Write tools ----

type bindIn struct {
	Source   string `json:"source" jsonschema:"absolute host path"`
	Target   string `json:"target" jsonschema:"absolute path in the container"`
	ReadOnly bool   `json:"read_only,omitempty"`
}

type volumeMountIn struct {
	Name     string `json:"name" jsonschema:"volume name"`
	Target   string `json:"target" jsonschema:"absolute path in the container"`
	ReadOnly bool   `json:"read_only,omitempty"`
}

type tmpfsIn struct {
	Target    string `json:"target" jsonschema:"absolute path in the container"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
}

type portIn struct {
	ContainerPort uint16 `json:"container_port"`
	Protocol      string `json:"protocol,omitempty" jsonschema:"tcp (default), udp or sctp"`
	HostIP        string `json:"host_ip,omitempty" jsonschema:"host address, e.g. 127.0.0.1 (empty: all interfaces)"`
	HostPort      uint16 `json:"host_port,omitempty" jsonschema:"host port (0: the daemon chooses)"`
}

// containerCreateIn deliberately accepts the dangerous settings a
// prompt-injected model might ask for (privileged, cap_add, security_opt,
// host namespaces, binds): they are expressible so that the policy judges,
// audits and explains them instead of a silent drop.
type containerCreateIn struct {
	Image           string            `json:"image" jsonschema:"image reference, e.g. alpine:3.20"`
	Name            string            `json:"name,omitempty"`
	Command         []string          `json:"command,omitempty" jsonschema:"command in exec form"`
	Entrypoint      []string          `json:"entrypoint,omitempty" jsonschema:"entrypoint in exec form"`
	Env             map[string]string `json:"env,omitempty" jsonschema:"environment variables"`
	Labels          map[string]string `json:"labels,omitempty"`
	User            string            `json:"user,omitempty" jsonschema:"user: name, uid or uid:gid"`
	Workdir         string            `json:"workdir,omitempty"`
	Binds           []bindIn          `json:"binds,omitempty" jsonschema:"host-path bind mounts (denied unless the operator allowed the path)"`
	Volumes         []volumeMountIn   `json:"volumes,omitempty"`
	Tmpfs           []tmpfsIn         `json:"tmpfs,omitempty"`
	Ports           []portIn          `json:"ports,omitempty"`
	MemoryBytes     *int64            `json:"memory_bytes,omitempty" jsonschema:"memory limit in bytes (default 512 MiB)"`
	CPUs            float64           `json:"cpus,omitempty"`
	PidsLimit       *int64            `json:"pids_limit,omitempty" jsonschema:"process limit (default 256)"`
	Privileged      bool              `json:"privileged,omitempty" jsonschema:"run privileged (the policy denies it)"`
	CapAdd          []string          `json:"cap_add,omitempty" jsonschema:"Linux capabilities to add"`
	CapDrop         []string          `json:"cap_drop,omitempty" jsonschema:"Linux capabilities to drop, e.g. ALL"`
	SecurityOpt     []string          `json:"security_opt,omitempty" jsonschema:"daemon security options, e.g. seccomp=unconfined (judged by the policy)"`
	NetworkMode     string            `json:"network_mode,omitempty" jsonschema:"bridge, none, a network name (host is denied)"`
	PIDMode         string            `json:"pid_mode,omitempty" jsonschema:"empty (private) or host (denied)"`
	Network         string            `json:"network,omitempty" jsonschema:"user-defined network to attach at creation"`
	ReadOnlyRootfs  bool              `json:"read_only_rootfs,omitempty"`
	NoNewPrivileges *bool             `json:"no_new_privileges,omitempty" jsonschema:"default true"`
	Init            *bool             `json:"init,omitempty" jsonschema:"run an init process (default true)"`
	RestartPolicy   string            `json:"restart_policy,omitempty" jsonschema:"no, always, unless-stopped or on-failure"`
}

func containerCreate(ctx context.Context, c *safedocker.Client, in containerCreateIn) (any, error) {
	b := c.NewContainer(in.Image)
	if in.Name != "" {
		b = b.WithName(in.Name)
	}
	if in.Command != nil {
		b = b.WithCommand(in.Command...)
	}
	if in.Entrypoint != nil {
		b = b.WithEntrypoint(in.Entrypoint...)
	}
	for _, k := range slices.Sorted(maps.Keys(in.Env)) {
		b = b.WithEnv(k, in.Env[k])
	}
	for _, k := range slices.Sorted(maps.Keys(in.Labels)) {
		b = b.WithLabel(k, in.Labels[k])
	}
	if in.User != "" {
		b = b.WithUser(in.User)
	}
	if in.Workdir != "" {
		b = b.WithWorkdir(in.Workdir)
	}
	for _, m := range in.Binds {
		b = b.WithBind(m.Source, m.Target, safedocker.MountMode(m.ReadOnly))
	}
	for _, m := range in.Volumes {
		b = b.WithVolume(m.Name, m.Target, safedocker.MountMode(m.ReadOnly))
	}
	for _, m := range in.Tmpfs {
		b = b.WithTmpfs(m.Target, m.SizeBytes)
	}
	for _, p := range in.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		b = b.WithPort(p.ContainerPort, proto, p.HostIP, p.HostPort)
	}
	if in.MemoryBytes != nil {
		b = b.WithMemoryLimit(*in.MemoryBytes)
	}
	if in.CPUs != 0 {
		b = b.WithCPUs(in.CPUs)
	}
	if in.PidsLimit != nil {
		b = b.WithPidsLimit(*in.PidsLimit)
	}
	if in.Privileged {
		b = b.WithPrivileged(true)
	}
	if len(in.CapAdd) > 0 {
		b = b.WithCapAdd(in.CapAdd...)
	}
	if len(in.CapDrop) > 0 {
		b = b.WithCapDrop(in.CapDrop...)
	}
	if len(in.SecurityOpt) > 0 {
		b = b.WithSecurityOpt(in.SecurityOpt...)
	}
	if in.NetworkMode != "" {
		b = b.WithNetworkMode(in.NetworkMode)
	}
	if in.PIDMode != "" {
		b = b.WithPIDMode(in.PIDMode)
	}
	if in.Network != "" {
		b = b.WithNetwork(in.Network)
	}
	if in.ReadOnlyRootfs {
		b = b.WithReadOnlyRootfs(true)
	}
	if in.NoNewPrivileges != nil {
		b = b.WithNoNewPrivileges(*in.NoNewPrivileges)
	}
	if in.Init != nil {
		b = b.WithInit(*in.Init)
	}
	if in.RestartPolicy != "" {
		b = b.WithRestartPolicy(in.RestartPolicy, 0)
	}
	created, err := c.CreateContainer(ctx, b)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": created.ID, "warnings": nonNil(created.Warnings)}, nil
}

func containerStart(ctx context.Context, c *safedocker.Client, in containerRef) (any, error) {
	if err := c.StartContainer(ctx, in.Container); err != nil {
		return nil, err
	}
	return map[string]any{"started": in.Container}, nil
}

type stopIn struct {
	Container      string `json:"container" jsonschema:"container name or ID"`
	TimeoutSeconds *int   `json:"timeout_seconds,omitempty" jsonschema:"seconds to wait before SIGKILL (default: the container's)"`
}

func stopOptions(op string, in stopIn) (safedocker.StopOptions, error) {
	var o safedocker.StopOptions
	if in.TimeoutSeconds != nil {
		if *in.TimeoutSeconds < 0 || *in.TimeoutSeconds > maxStopTimeout {
			return o, &safedocker.ValidationError{Op: op, Field: "timeout_seconds", Reason: "must be between 0 and 600"}
		}
		d := time.Duration(*in.TimeoutSeconds) * time.Second
		o.Timeout = &d
	}
	return o, nil
}

func containerStop(ctx context.Context, c *safedocker.Client, in stopIn) (any, error) {
	o, err := stopOptions("container.stop", in)
	if err == nil {
		err = c.StopContainer(ctx, in.Container, o)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"stopped": in.Container}, nil
}

func containerRestart(ctx context.Context, c *safedocker.Client, in stopIn) (any, error) {
	o, err := stopOptions("container.restart", in)
	if err == nil {
		err = c.RestartContainer(ctx, in.Container, o)
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"restarted": in.Container}, nil
}

type execIn struct {
	Container string            `json:"container" jsonschema:"container name or ID"`
	Command   []string          `json:"command" jsonschema:"command in exec form; command[0] is the program"`
	User      string            `json:"user,omitempty"`
	Workdir   string            `json:"workdir,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
}

func containerExec(ctx context.Context, c *safedocker.Client, in execIn) (any, error) {
	r, err := c.Exec(ctx, in.Container, safedocker.ExecOptions{Cmd: in.Command, User: in.User, WorkingDir: in.Workdir, Env: in.Env})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"exit_code": r.ExitCode, "running": r.Running,
		"stdout": string(r.Stdout), "stderr": string(r.Stderr),
		"stdout_truncated": r.StdoutTruncated, "stderr_truncated": r.StderrTruncated,
	}, nil
}

func imagePull(ctx context.Context, c *safedocker.Client, in imageRef) (any, error) {
	return c.PullImage(ctx, in.Image, safedocker.PullOptions{})
}

type volumeCreateIn struct {
	Name       string            `json:"name"`
	Driver     string            `json:"driver,omitempty" jsonschema:"volume driver (default local)"`
	DriverOpts map[string]string `json:"driver_opts,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

func volumeCreate(ctx context.Context, c *safedocker.Client, in volumeCreateIn) (any, error) {
	return c.CreateVolume(ctx, in.Name, safedocker.VolumeCreateOptions{Driver: in.Driver, DriverOpts: in.DriverOpts, Labels: in.Labels})
}

type networkCreateIn struct {
	Name     string            `json:"name"`
	Driver   string            `json:"driver,omitempty" jsonschema:"network driver (default bridge)"`
	Internal bool              `json:"internal,omitempty" jsonschema:"no access to outside networks"`
	Options  map[string]string `json:"options,omitempty" jsonschema:"driver options (only harmless ones are allowed)"`
	Labels   map[string]string `json:"labels,omitempty"`
}

func networkCreate(ctx context.Context, c *safedocker.Client, in networkCreateIn) (any, error) {
	return c.CreateNetwork(ctx, in.Name, safedocker.NetworkCreateOptions{Driver: in.Driver, Internal: in.Internal, Options: in.Options, Labels: in.Labels})
}

type networkContainerIn struct {
	Network   string `json:"network" jsonschema:"network name or ID"`
	Container string `json:"container" jsonschema:"container name or ID"`
}

func networkConnect(ctx context.Context, c *safedocker.Client, in networkContainerIn) (any, error) {
	if err := c.ConnectNetwork(ctx, in.Network, in.Container, safedocker.NetworkConnectOptions{}); err != nil {
		return nil, err
	}
	return map[string]any{"connected": in.Container, "network": in.Network}, nil
}

func networkDisconnect(ctx context.Context, c *safedocker.Client, in networkContainerIn) (any, error) {
	if err := c.DisconnectNetwork(ctx, in.Network, in.Container, safedocker.NetworkDisconnectOptions{}); err != nil {
		return nil, err
	}
	return map[string]any{"disconnected": in.Container, "network": in.Network}, nil
}

// ---- Destructive tools ----

type containerRemoveIn struct {
	Container     string `json:"container" jsonschema:"container name or ID"`
	Force         bool   `json:"force,omitempty" jsonschema:"kill the container first if it runs"`
	RemoveVolumes bool   `json:"remove_volumes,omitempty" jsonschema:"also remove its anonymous volumes"`
}

func containerRemove(ctx context.Context, c *safedocker.Client, in containerRemoveIn) (any, error) {
	if err := c.RemoveContainer(ctx, in.Container, safedocker.RemoveOptions{Force: in.Force, RemoveVolumes: in.RemoveVolumes}); err != nil {
		return nil, err
	}
	return map[string]any{"removed": in.Container}, nil
}

type killIn struct {
	Container string `json:"container" jsonschema:"container name or ID"`
	Signal    string `json:"signal,omitempty" jsonschema:"HUP, INT, QUIT, KILL (default), USR1, USR2, TERM, CONT, STOP or WINCH"`
}

func containerKill(ctx context.Context, c *safedocker.Client, in killIn) (any, error) {
	if err := c.KillContainer(ctx, in.Container, in.Signal); err != nil {
		return nil, err
	}
	return map[string]any{"killed": in.Container}, nil
}

type imageRemoveIn struct {
	Image string `json:"image" jsonschema:"image ID or reference"`
	Force bool   `json:"force,omitempty"`
}

func imageRemove(ctx context.Context, c *safedocker.Client, in imageRemoveIn) (any, error) {
	return c.RemoveImage(ctx, in.Image, safedocker.ImageRemoveOptions{Force: in.Force})
}

type volumeRef struct {
	Name string `json:"name" jsonschema:"volume name"`
}

func volumeRemove(ctx context.Context, c *safedocker.Client, in volumeRef) (any, error) {
	if err := c.RemoveVolume(ctx, in.Name, safedocker.VolumeRemoveOptions{}); err != nil {
		return nil, err
	}
	return map[string]any{"removed": in.Name}, nil
}

type networkRef struct {
	Network string `json:"network" jsonschema:"network name or ID"`
}

func networkRemove(ctx context.Context, c *safedocker.Client, in networkRef) (any, error) {
	if err := c.RemoveNetwork(ctx, in.Network); err != nil {
		return nil, err
	}
	return map[string]any{"removed": in.Network}, nil
}

// nonNil returns s, or an empty slice for nil, so that JSON shows [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
