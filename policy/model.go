package policy

import "net/netip"

// Container is our model of a container-create request: the security-relevant
// projection of what the daemon will be asked to do. The safedocker create builder
// produces it, the raw-request decoder maps every field of the Engine API body into
// it, and the checks read only the fields they govern.
//
// Nil and empty differ where the daemon treats them differently: a nil MaskedPaths
// keeps the daemon's defaults while a non-nil empty one unmasks everything, exactly
// as in the Engine API.
//
// A Container is plain data; it is not safe for concurrent mutation, but any number
// of goroutines may evaluate the same Container concurrently if none mutates it.
type Container struct {
	// Image is the image reference as requested.
	Image string
	// Name is the requested container name ("" lets the daemon choose).
	Name string
	// User is Config.User: "", "name", "uid", "uid:gid", "name:group".
	User string
	// Entrypoint and Cmd are the exec-form command; the process the container runs is
	// Entrypoint followed by Cmd (either may be inherited from the image when nil).
	Entrypoint []string
	Cmd        []string
	// Shell is Config.Shell, the shell the daemon uses for CMD-SHELL healthchecks
	// (default ["/bin/sh", "-c"] when empty).
	Shell []string
	// WorkingDir is Config.WorkingDir.
	WorkingDir string
	// Env is the environment. Values are carried to the daemon but never reported
	// by a check: a finding names the key only.
	Env []EnvVar
	// Labels are the container labels.
	Labels map[string]string
	// Healthcheck is the requested healthcheck; nil inherits the image's.
	Healthcheck *Healthcheck

	// Privileged is HostConfig.Privileged.
	Privileged bool
	// CapAdd and CapDrop are HostConfig.CapAdd and CapDrop as sent (not normalised).
	CapAdd  []string
	CapDrop []string
	// Capabilities is the legacy HostConfig.Capabilities exact set (API 1.40 only).
	Capabilities []string
	// Security holds the parsed HostConfig.SecurityOpt entries.
	Security SecurityOptions
	// MaskedPaths and ReadonlyPaths: nil keeps the daemon defaults; any non-nil
	// value replaces them.
	MaskedPaths   []string
	ReadonlyPaths []string

	// Mounts are all mounts from HostConfig.Binds, HostConfig.Mounts and
	// HostConfig.Tmpfs, each carrying the field it came from.
	Mounts []Mount
	// VolumeDriver is HostConfig.VolumeDriver, the driver for named volumes in Binds.
	VolumeDriver string
	// VolumesFrom is HostConfig.VolumesFrom.
	VolumesFrom []string
	// ReadonlyRootfs is HostConfig.ReadonlyRootfs.
	ReadonlyRootfs bool

	// Namespaces.
	NetworkMode  NetworkMode
	PIDMode      NamespaceMode
	IPCMode      NamespaceMode
	UTSMode      NamespaceMode
	UsernsMode   NamespaceMode
	CgroupnsMode NamespaceMode
	// CgroupParent is HostConfig.CgroupParent; Cgroup is HostConfig.Cgroup
	// ("container:<id>" joins another container's cgroup).
	CgroupParent string
	Cgroup       string
	// Networks are the networks named in NetworkingConfig.EndpointsConfig.
	Networks []string

	// Devices.
	Devices           []Device
	DeviceCgroupRules []string
	DeviceRequests    []DeviceRequest

	// Sysctls is HostConfig.Sysctls as sent (keys not normalised).
	Sysctls map[string]string
	// Runtime is HostConfig.Runtime ("" = the daemon default).
	Runtime string
	// Annotations is HostConfig.Annotations, passed verbatim to the OCI runtime.
	Annotations map[string]string
	// GroupAdd is HostConfig.GroupAdd.
	GroupAdd []string
	// Isolation is HostConfig.Isolation (Windows).
	Isolation string

	// Ports.
	Ports           []PortBinding
	PublishAllPorts bool

	// Resources.
	Resources Resources

	// Invalid lists values the decoder or builder could not model (unknown mode,
	// unparsable bind, unknown security option...). A non-empty Invalid always
	// denies: the checker fails closed on what it cannot understand.
	Invalid []InvalidValue
}

// EnvVar is one environment variable. Its String, GoString and LogValue methods
// (see env.go) print the key only, never the value.
type EnvVar struct {
	Key   string
	Value string
	// HasValue is false for an entry sent as "KEY" without "=".
	HasValue bool
}

// Healthcheck is the container healthcheck. Test is the Engine API form:
// [] inherits the image's, ["NONE"] disables, ["CMD", args...] runs argv,
// ["CMD-SHELL", script] runs the script with the container's Shell.
type Healthcheck struct {
	Test []string
}

// Resources are the resource limits relevant to policy.
type Resources struct {
	// Memory is the memory limit in bytes (0 = unlimited).
	Memory int64
	// MemorySwap is the memory+swap limit in bytes (0 = unset, -1 = unlimited).
	MemorySwap int64
	// NanoCPUs is the CPU quota in units of 1e-9 CPUs (0 = unlimited).
	NanoCPUs int64
	// CPUShares is the relative CPU weight (0 = default).
	CPUShares int64
	// PidsLimit is the process limit; nil or <= 0 means unlimited.
	PidsLimit *int64
	// OomKillDisable disables the OOM killer when true.
	OomKillDisable *bool
	// OomScoreAdj is the OOM score adjustment.
	OomScoreAdj int
	// Init runs an init process as PID 1 when true; nil is the daemon default.
	Init *bool
}

// Device is one HostConfig.Devices entry.
type Device struct {
	// Field is the request field it came from, e.g. "HostConfig.Devices[0]".
	Field             string
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

// DeviceRequest is one HostConfig.DeviceRequests entry (GPUs, CDI devices).
type DeviceRequest struct {
	Field        string
	Driver       string
	Count        int
	DeviceIDs    []string
	Capabilities [][]string
	Options      map[string]string
}

// PortBinding publishes one container port.
type PortBinding struct {
	// Field is the request field, e.g. "HostConfig.PortBindings[80/tcp][0]".
	Field         string
	ContainerPort uint16
	Protocol      Protocol
	// HostIP is the host address; the zero Addr means all interfaces.
	HostIP netip.Addr
	// HostPort is the host port; 0 lets the daemon choose.
	HostPort uint16
}

// Protocol is a port protocol.
type Protocol string

// The protocols the daemon accepts.
const (
	ProtocolTCP  Protocol = "tcp"
	ProtocolUDP  Protocol = "udp"
	ProtocolSCTP Protocol = "sctp"
)

// InvalidValue is a value that could not be modelled. It is reported as a finding
// by the "unrecognised" check, so evaluation fails closed.
type InvalidValue struct {
	// Field is the request field, e.g. "HostConfig.NetworkMode".
	Field string
	// Value is the offending value (never a secret; truncated by the producer).
	Value string
	// Reason says why it could not be modelled.
	Reason string
}

// Exec is our model of an exec-create request (POST /containers/{id}/exec).
type Exec struct {
	// Container is the target container ID or name.
	Container  string
	Cmd        []string
	User       string
	WorkingDir string
	Env        []EnvVar
	Privileged bool
	Tty        bool
	// Invalid lists values that could not be modelled; non-empty always denies.
	Invalid []InvalidValue
}

// VolumeCreate is our model of a volume-create request (POST /volumes/create).
type VolumeCreate struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
	// ClusterVolume is true when the request carries a ClusterVolumeSpec (Swarm CSI).
	ClusterVolume bool
	// Invalid lists values that could not be modelled; non-empty always denies.
	Invalid []InvalidValue
}
