package decode

// Disposition says what the decoder does with a request field.
type Disposition uint8

// The dispositions.
const (
	// Mapped fields are carried into the policy model (or, when the model
	// cannot express a value, into its Invalid list).
	Mapped Disposition = iota + 1
	// Neutral fields grant the container nothing on the host; Note says why.
	Neutral
)

// FieldRule is one row of the field table.
type FieldRule struct {
	// Path is "<request>:<JSON path>", where request is create, exec or volume,
	// "[]" marks list elements and "{}" map values, e.g.
	// "create:HostConfig.Mounts[].BindOptions.Propagation". Lists and maps of
	// scalars are one field ("create:HostConfig.Binds").
	Path string
	Disposition
	// Subtree extends the rule to every field below Path.
	Subtree bool
	// Note names the model field for Mapped rules, the reason for Neutral ones.
	Note string
}

// Fields returns the field table: every field of the create, exec and
// volume-create request types, mapped or neutral. A test walks the Docker
// types by reflection and fails on a field missing here, and on a row naming a
// field that no longer exists. The result is a fresh copy.
func Fields() []FieldRule {
	return []FieldRule{
		// Container create: Config (top level of the body).
		{"create:Hostname", Neutral, false, "the container's own UTS hostname; sharing the host's is UTSMode"},
		{"create:Domainname", Neutral, false, "the container's own domain name"},
		{"create:User", Mapped, false, "Container.User"},
		{"create:AttachStdin", Neutral, false, "stream attachment of the client"},
		{"create:AttachStdout", Neutral, false, "stream attachment of the client"},
		{"create:AttachStderr", Neutral, false, "stream attachment of the client"},
		{"create:ExposedPorts", Neutral, false, "metadata; publishing is PortBindings and PublishAllPorts"},
		{"create:Tty", Neutral, false, "allocates a pseudo-terminal inside the container"},
		{"create:OpenStdin", Neutral, false, "keeps the container's stdin open"},
		{"create:StdinOnce", Neutral, false, "closes stdin after one attach"},
		{"create:Env", Mapped, false, "Container.Env (keys reported, never values)"},
		{"create:Cmd", Mapped, false, "Container.Cmd"},
		{"create:Healthcheck.Test", Mapped, false, "Container.Healthcheck.Test"},
		{"create:Healthcheck.Interval", Neutral, false, "healthcheck timing"},
		{"create:Healthcheck.Timeout", Neutral, false, "healthcheck timing"},
		{"create:Healthcheck.StartPeriod", Neutral, false, "healthcheck timing"},
		{"create:Healthcheck.StartInterval", Neutral, false, "healthcheck timing"},
		{"create:Healthcheck.Retries", Neutral, false, "healthcheck retry count"},
		{"create:ArgsEscaped", Neutral, false, "Windows command-line quoting only"},
		{"create:Image", Mapped, false, "Container.Image"},
		{"create:Volumes", Mapped, false, "Container.Mounts (anonymous volumes, with HostConfig.VolumeDriver)"},
		{"create:WorkingDir", Mapped, false, "Container.WorkingDir"},
		{"create:Entrypoint", Mapped, false, "Container.Entrypoint"},
		{"create:NetworkDisabled", Neutral, false, "removes networking"},
		{"create:MacAddress", Neutral, false, "MAC address on the container's own interface"},
		{"create:OnBuild", Neutral, false, "image build triggers; unused by create"},
		{"create:Labels", Mapped, false, "Container.Labels"},
		{"create:StopSignal", Neutral, false, "signal sent to the container's own process"},
		{"create:StopTimeout", Neutral, false, "grace period before the daemon kills the container"},
		{"create:Shell", Mapped, false, "Container.Shell"},
		// Legacy (pre-v27) top-level field of the create wrapper.
		{"create:Cpuset", Neutral, false, "legacy top-level CPU pinning, merged into CpusetCpus by daemons before v27 (resource placement)"},

		// HostConfig.
		{"create:HostConfig.Binds", Mapped, false, "Container.Mounts via policy.ParseBind"},
		{"create:HostConfig.ContainerIDFile", Neutral, false, "a client-side file name; the daemon does not use it"},
		{"create:HostConfig.LogConfig.Type", Mapped, false, "Invalid unless json-file, local, journald or none (network drivers make the daemon send output from the host)"},
		{"create:HostConfig.LogConfig.Config", Mapped, false, "Invalid except the rotation, tag, label and env options of the local drivers"},
		{"create:HostConfig.NetworkMode", Mapped, false, "Container.NetworkMode via policy.ParseNetworkMode"},
		{"create:HostConfig.PortBindings{}[].HostIp", Mapped, false, "Container.Ports[].HostIP"},
		{"create:HostConfig.PortBindings{}[].HostPort", Mapped, false, "Container.Ports[].HostPort"},
		{"create:HostConfig.RestartPolicy.Name", Neutral, false, "restart behaviour of the container itself"},
		{"create:HostConfig.RestartPolicy.MaximumRetryCount", Neutral, false, "restart behaviour of the container itself"},
		{"create:HostConfig.AutoRemove", Neutral, false, "removes the container when it exits"},
		{"create:HostConfig.VolumeDriver", Mapped, false, "Container.VolumeDriver and Mounts[].VolumeDriver of Binds volumes"},
		{"create:HostConfig.VolumesFrom", Mapped, false, "Container.VolumesFrom"},
		{"create:HostConfig.ConsoleSize", Neutral, false, "terminal size"},
		{"create:HostConfig.Annotations", Mapped, false, "Container.Annotations (ignored by the daemon before API 1.43)"},
		{"create:HostConfig.CapAdd", Mapped, false, "Container.CapAdd"},
		{"create:HostConfig.CapDrop", Mapped, false, "Container.CapDrop"},
		{"create:HostConfig.CgroupnsMode", Mapped, false, "Container.CgroupnsMode (empty is the daemon default, host on cgroup v1 hosts)"},
		{"create:HostConfig.Dns", Neutral, false, "resolver configuration inside the container"},
		{"create:HostConfig.DnsOptions", Neutral, false, "resolver configuration inside the container"},
		{"create:HostConfig.DnsSearch", Neutral, false, "resolver configuration inside the container"},
		{"create:HostConfig.ExtraHosts", Neutral, false, "/etc/hosts entries inside the container"},
		{"create:HostConfig.GroupAdd", Mapped, false, "Container.GroupAdd"},
		{"create:HostConfig.IpcMode", Mapped, false, "Container.IPCMode (shareable before API 1.40 when empty)"},
		{"create:HostConfig.Cgroup", Mapped, false, "Container.Cgroup"},
		{"create:HostConfig.Links", Mapped, false, "Invalid when non-empty: legacy links expose another container's environment"},
		{"create:HostConfig.OomScoreAdj", Mapped, false, "Container.Resources.OomScoreAdj"},
		{"create:HostConfig.PidMode", Mapped, false, "Container.PIDMode"},
		{"create:HostConfig.Privileged", Mapped, false, "Container.Privileged"},
		{"create:HostConfig.PublishAllPorts", Mapped, false, "Container.PublishAllPorts"},
		{"create:HostConfig.ReadonlyRootfs", Mapped, false, "Container.ReadonlyRootfs"},
		{"create:HostConfig.SecurityOpt", Mapped, false, "Container.Security via policy.ParseSecurityOpts"},
		{"create:HostConfig.StorageOpt", Neutral, false, "per-container storage-driver quota; the driver rejects unknown keys"},
		{"create:HostConfig.Tmpfs", Mapped, false, "Container.Mounts (tmpfs)"},
		{"create:HostConfig.UTSMode", Mapped, false, "Container.UTSMode"},
		{"create:HostConfig.UsernsMode", Mapped, false, "Container.UsernsMode"},
		{"create:HostConfig.ShmSize", Neutral, false, "size of the container's own /dev/shm"},
		{"create:HostConfig.Sysctls", Mapped, false, "Container.Sysctls"},
		{"create:HostConfig.Runtime", Mapped, false, "Container.Runtime"},
		{"create:HostConfig.Isolation", Mapped, false, "Container.Isolation"},
		// HostConfig.Resources (flattened into HostConfig in JSON).
		{"create:HostConfig.CpuShares", Mapped, false, "Container.Resources.CPUShares"},
		{"create:HostConfig.Memory", Mapped, false, "Container.Resources.Memory"},
		{"create:HostConfig.NanoCpus", Mapped, false, "Container.Resources.NanoCPUs"},
		{"create:HostConfig.CgroupParent", Mapped, false, "Container.CgroupParent"},
		{"create:HostConfig.BlkioWeight", Neutral, false, "I/O weight (resource limit)"},
		{"create:HostConfig.BlkioWeightDevice", Neutral, true, "I/O throttling of a host device; grants no access to it"},
		{"create:HostConfig.BlkioDeviceReadBps", Neutral, true, "I/O throttling of a host device; grants no access to it"},
		{"create:HostConfig.BlkioDeviceWriteBps", Neutral, true, "I/O throttling of a host device; grants no access to it"},
		{"create:HostConfig.BlkioDeviceReadIOps", Neutral, true, "I/O throttling of a host device; grants no access to it"},
		{"create:HostConfig.BlkioDeviceWriteIOps", Neutral, true, "I/O throttling of a host device; grants no access to it"},
		{"create:HostConfig.CpuPeriod", Neutral, false, "CPU quota (resource limit)"},
		{"create:HostConfig.CpuQuota", Neutral, false, "CPU quota (resource limit)"},
		{"create:HostConfig.CpuRealtimePeriod", Neutral, false, "real-time CPU budget (resource limit, bounded by the parent cgroup)"},
		{"create:HostConfig.CpuRealtimeRuntime", Neutral, false, "real-time CPU budget (resource limit, bounded by the parent cgroup)"},
		{"create:HostConfig.CpusetCpus", Neutral, false, "CPU pinning (resource placement)"},
		{"create:HostConfig.CpusetMems", Neutral, false, "memory-node pinning (resource placement)"},
		{"create:HostConfig.Devices[].PathOnHost", Mapped, false, "Container.Devices[].PathOnHost"},
		{"create:HostConfig.Devices[].PathInContainer", Mapped, false, "Container.Devices[].PathInContainer"},
		{"create:HostConfig.Devices[].CgroupPermissions", Mapped, false, "Container.Devices[].CgroupPermissions"},
		{"create:HostConfig.DeviceCgroupRules", Mapped, false, "Container.DeviceCgroupRules"},
		{"create:HostConfig.DeviceRequests[].Driver", Mapped, false, "Container.DeviceRequests[].Driver"},
		{"create:HostConfig.DeviceRequests[].Count", Mapped, false, "Container.DeviceRequests[].Count"},
		{"create:HostConfig.DeviceRequests[].DeviceIDs", Mapped, false, "Container.DeviceRequests[].DeviceIDs"},
		{"create:HostConfig.DeviceRequests[].Capabilities", Mapped, false, "Container.DeviceRequests[].Capabilities"},
		{"create:HostConfig.DeviceRequests[].Options", Mapped, false, "Container.DeviceRequests[].Options"},
		{"create:HostConfig.KernelMemory", Neutral, false, "kernel memory limit (resource limit; removed in API 1.42)"},
		{"create:HostConfig.KernelMemoryTCP", Neutral, false, "TCP buffer memory limit (resource limit)"},
		{"create:HostConfig.MemoryReservation", Neutral, false, "soft memory limit (resource limit)"},
		{"create:HostConfig.MemorySwap", Mapped, false, "Container.Resources.MemorySwap"},
		{"create:HostConfig.MemorySwappiness", Neutral, false, "swap tendency (resource tuning)"},
		{"create:HostConfig.OomKillDisable", Mapped, false, "Container.Resources.OomKillDisable"},
		{"create:HostConfig.PidsLimit", Mapped, false, "Container.Resources.PidsLimit (<= 0 is unlimited)"},
		{"create:HostConfig.Ulimits", Neutral, true, "per-process rlimits inside the container (resource limits)"},
		{"create:HostConfig.CpuCount", Neutral, false, "Windows CPU count (resource limit)"},
		{"create:HostConfig.CpuPercent", Neutral, false, "Windows CPU percentage (resource limit)"},
		{"create:HostConfig.IOMaximumIOps", Neutral, false, "Windows I/O limit (resource limit)"},
		{"create:HostConfig.IOMaximumBandwidth", Neutral, false, "Windows I/O limit (resource limit)"},
		// HostConfig.Mounts.
		{"create:HostConfig.Mounts[].Type", Mapped, false, "Container.Mounts[].Type via policy.ParseMountType"},
		{"create:HostConfig.Mounts[].Source", Mapped, false, "Container.Mounts[].Source (bind sources cleaned)"},
		{"create:HostConfig.Mounts[].Target", Mapped, false, "Container.Mounts[].Target"},
		{"create:HostConfig.Mounts[].ReadOnly", Mapped, false, "Container.Mounts[].ReadOnly"},
		{"create:HostConfig.Mounts[].Consistency", Neutral, false, "file-sharing consistency hint (Docker Desktop)"},
		{"create:HostConfig.Mounts[].BindOptions.Propagation", Mapped, false, "Container.Mounts[].Propagation via policy.ParsePropagation"},
		{"create:HostConfig.Mounts[].BindOptions.NonRecursive", Mapped, false, "Container.Mounts[].NonRecursive (API 1.40+)"},
		{"create:HostConfig.Mounts[].BindOptions.CreateMountpoint", Mapped, false, "Container.Mounts[].CreateMountpoint (API 1.42+)"},
		{"create:HostConfig.Mounts[].BindOptions.ReadOnlyNonRecursive", Mapped, false, "Container.Mounts[].ReadOnlyNonRecursive"},
		{"create:HostConfig.Mounts[].BindOptions.ReadOnlyForceRecursive", Mapped, false, "Container.Mounts[].ReadOnlyForceRecursive"},
		{"create:HostConfig.Mounts[].VolumeOptions.NoCopy", Mapped, false, "Container.Mounts[].NoCopy"},
		{"create:HostConfig.Mounts[].VolumeOptions.Labels", Neutral, false, "labels of the volume created for the mount"},
		{"create:HostConfig.Mounts[].VolumeOptions.Subpath", Mapped, false, "Container.Mounts[].Subpath"},
		{"create:HostConfig.Mounts[].VolumeOptions.DriverConfig.Name", Mapped, false, "Container.Mounts[].VolumeDriver"},
		{"create:HostConfig.Mounts[].VolumeOptions.DriverConfig.Options", Mapped, false, "Container.Mounts[].VolumeOptions"},
		{"create:HostConfig.Mounts[].ImageOptions.Subpath", Mapped, false, "Container.Mounts[].Subpath"},
		{"create:HostConfig.Mounts[].TmpfsOptions.SizeBytes", Neutral, false, "tmpfs size (memory-backed, resource limit)"},
		{"create:HostConfig.Mounts[].TmpfsOptions.Mode", Neutral, false, "permission bits of the tmpfs root"},
		{"create:HostConfig.Mounts[].TmpfsOptions.Options", Mapped, false, "Container.Invalid unless a tmpfs flag or data option (remount, bind, shared refused)"},
		{"create:HostConfig.Mounts[].ClusterOptions", Neutral, false, "empty struct; cluster mounts are denied by their Type"},
		{"create:HostConfig.MaskedPaths", Mapped, false, "Container.MaskedPaths (nil keeps the defaults)"},
		{"create:HostConfig.ReadonlyPaths", Mapped, false, "Container.ReadonlyPaths (nil keeps the defaults)"},
		{"create:HostConfig.Init", Mapped, false, "Container.Resources.Init"},

		// NetworkingConfig.
		{"create:NetworkingConfig.EndpointsConfig", Mapped, false, "Container.Networks (the map keys)"},
		{"create:NetworkingConfig.EndpointsConfig{}.IPAMConfig", Neutral, true, "addresses requested on the container's own endpoint"},
		{"create:NetworkingConfig.EndpointsConfig{}.Links", Mapped, false, "Invalid when non-empty: legacy links expose another container's environment"},
		{"create:NetworkingConfig.EndpointsConfig{}.Aliases", Neutral, false, "DNS aliases of the container on the network"},
		{"create:NetworkingConfig.EndpointsConfig{}.MacAddress", Neutral, false, "MAC address of the container's own endpoint"},
		{"create:NetworkingConfig.EndpointsConfig{}.DriverOpts", Mapped, false, "endpoint sysctls into Container.Sysctls; other keys Invalid"},
		{"create:NetworkingConfig.EndpointsConfig{}.GwPriority", Neutral, false, "default-gateway preference among the container's endpoints"},
		{"create:NetworkingConfig.EndpointsConfig{}.NetworkID", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.EndpointID", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.Gateway", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.IPAddress", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.IPPrefixLen", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.IPv6Gateway", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.GlobalIPv6Address", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.GlobalIPv6PrefixLen", Neutral, false, "operational data filled in by the daemon"},
		{"create:NetworkingConfig.EndpointsConfig{}.DNSNames", Neutral, false, "DNS names of the container on the network"},

		// Exec create.
		{"exec:User", Mapped, false, "Exec.User"},
		{"exec:Privileged", Mapped, false, "Exec.Privileged"},
		{"exec:Tty", Mapped, false, "Exec.Tty"},
		{"exec:ConsoleSize", Neutral, false, "terminal size"},
		{"exec:AttachStdin", Neutral, false, "stream attachment of the client"},
		{"exec:AttachStderr", Neutral, false, "stream attachment of the client"},
		{"exec:AttachStdout", Neutral, false, "stream attachment of the client"},
		{"exec:DetachKeys", Neutral, false, "client key sequence"},
		{"exec:Env", Mapped, false, "Exec.Env (keys reported, never values)"},
		{"exec:WorkingDir", Mapped, false, "Exec.WorkingDir"},
		{"exec:Cmd", Mapped, false, "Exec.Cmd"},
		{"exec:Detach", Neutral, false, "unused by the daemon"},

		// Volume create.
		{"volume:ClusterVolumeSpec", Mapped, true, "VolumeCreate.ClusterVolume (presence; API 1.42+)"},
		{"volume:Driver", Mapped, false, "VolumeCreate.Driver"},
		{"volume:DriverOpts", Mapped, false, "VolumeCreate.DriverOpts"},
		{"volume:Labels", Mapped, false, "VolumeCreate.Labels"},
		{"volume:Name", Mapped, false, "VolumeCreate.Name"},
	}
}
