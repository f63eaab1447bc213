package policy

// privileged (baseline): HostConfig.Privileged gives the container every
// capability, all host devices, a writable /sys and cgroup tree, no seccomp
// filter and no AppArmor profile: it is the host. A privileged exec gives the
// exec'd process the full capability set even in an unprivileged container.
//
// Restricted fields: HostConfig.Privileged and exec Privileged.
// Allowed values: false.

func init() { register(checkPrivileged()) }

func checkPrivileged() Check {
	return Check{
		ID:     "privileged",
		Level:  LevelBaseline,
		Title:  "Privileged containers and privileged exec sessions",
		Fields: []string{"HostConfig.Privileged", "exec Privileged"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      privilegedV1,
			Exec:           privilegedExecV1,
		}},
	}
}

const privilegedReason = "privileged mode gives every capability and device and disables seccomp and AppArmor: it is root on the host"

func privilegedV1(c *Container, _ *Settings, r *Report) {
	if c.Privileged {
		r.Deny("HostConfig.Privileged", "true", privilegedReason,
			"remove Privileged; add only the specific capabilities or devices the workload needs, as exceptions")
	}
}

func privilegedExecV1(x *Exec, _ *Settings, r *Report) {
	if x.Privileged {
		r.Deny("Privileged", "true", privilegedReason,
			"remove Privileged from the exec request")
	}
}
