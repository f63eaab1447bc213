package policy

import "strings"

// hostNamespaces (baseline): sharing a namespace with the host, or joining
// another container's, escapes the container's isolation. Denied: PidMode,
// IpcMode and NetworkMode "host" or "container:<ref>"; UTSMode, UsernsMode and
// CgroupnsMode "host"; HostConfig.Cgroup "container:<ref>" (or any other
// non-empty value, which the daemon does not define); and a
// NetworkingConfig.EndpointsConfig entry naming the host network (any case) or
// a container. A donor container is resolved by the daemon at start, so a
// join cannot be judged at create time. IpcMode "shareable", "private" and
// "none" are allowed.

func init() { register(checkHostNamespaces()) }

func checkHostNamespaces() Check {
	return Check{
		ID:    "hostNamespaces",
		Level: LevelBaseline,
		Title: "Host namespaces (pid, ipc, network, uts, user, cgroup) and container: namespace or cgroup joins",
		Fields: []string{"HostConfig.NetworkMode", "HostConfig.PidMode", "HostConfig.IpcMode",
			"HostConfig.UTSMode", "HostConfig.UsernsMode", "HostConfig.CgroupnsMode",
			"HostConfig.Cgroup", "NetworkingConfig.EndpointsConfig"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      hostNamespacesV1,
		}},
	}
}

const (
	hostNSRemedy = "remove the host namespace mode; the container gets its own namespace by default"
	joinRemedy   = "remove the container: join; give the container its own namespace"
)

func hostNamespacesV1(c *Container, _ *Settings, r *Report) {
	switch c.NetworkMode.Kind {
	case NetworkHost:
		r.Deny("HostConfig.NetworkMode", "host", "the host network namespace exposes host interfaces, loopback services and traffic", hostNSRemedy)
	case NetworkContainer:
		r.Deny("HostConfig.NetworkMode", c.NetworkMode.String(), "joining another container's network namespace inherits whatever it has, possibly the host's", joinRemedy)
	}
	nsMode(r, "HostConfig.PidMode", c.PIDMode, true, "the host PID namespace exposes every host process to signals, /proc and ptrace")
	nsMode(r, "HostConfig.IpcMode", c.IPCMode, true, "the host IPC namespace exposes host shared memory and SysV IPC")
	nsMode(r, "HostConfig.UTSMode", c.UTSMode, false, "the host UTS namespace lets the container see and change the host name")
	nsMode(r, "HostConfig.UsernsMode", c.UsernsMode, false, "the host user namespace disables user-namespace remapping: container root is host root")
	nsMode(r, "HostConfig.CgroupnsMode", c.CgroupnsMode, false, "the host cgroup namespace exposes the host cgroup tree (release_agent escapes)")
	if c.Cgroup != "" {
		if ref, ok := strings.CutPrefix(c.Cgroup, "container:"); ok && ref != "" {
			r.Deny("HostConfig.Cgroup", c.Cgroup, "joining another container's cgroup shares its resource limits and cgroup view", joinRemedy)
		} else {
			r.Deny("HostConfig.Cgroup", c.Cgroup, "unknown cgroup specification", "leave HostConfig.Cgroup empty")
		}
	}
	for _, n := range c.Networks {
		switch {
		case strings.EqualFold(n, "host"):
			r.Deny(keyField("NetworkingConfig.EndpointsConfig", n), n, "the host network namespace exposes host interfaces, loopback services and traffic", "connect the container to a bridge or user-defined network")
		case strings.HasPrefix(n, "container:"):
			r.Deny(keyField("NetworkingConfig.EndpointsConfig", n), n, "joining another container's network namespace inherits whatever it has", joinRemedy)
		}
	}
}

// nsMode denies host (and, when joins is true, container:) namespace modes.
func nsMode(r *Report, field string, m NamespaceMode, joins bool, hostReason string) {
	switch m.Kind {
	case NamespaceHost:
		r.Deny(field, "host", hostReason, hostNSRemedy)
	case NamespaceContainer:
		if joins {
			r.Deny(field, m.String(), "joining another container's namespace exposes that container's processes and resources", joinRemedy)
		} else {
			r.Deny(field, m.String(), "unknown namespace mode", hostNSRemedy)
		}
	case NamespaceDefault, NamespacePrivate, NamespaceNone, NamespaceShareable:
	default:
		r.Deny(field, m.String(), "unknown namespace mode", "use the daemon default (empty)")
	}
}
