package policy

/*
Mount propagation: mounts made inside the container must not propagate back to
the host.

Restricted fields:
  - HostConfig.Binds mode (shared, rshared)
  - HostConfig.Mounts[*].BindOptions.Propagation

Allowed values:
  - "" (the default, rprivate), private, rprivate, slave, rslave.
  - shared and rshared are denied on every mount; an unknown value is denied.
*/

func init() { register(checkMountPropagation()) }

// checkMountPropagation returns the mountPropagation check.
func checkMountPropagation() Check {
	return Check{
		ID:       "mountPropagation",
		Level:    LevelBaseline,
		Title:    "Shared or rshared mount propagation",
		Fields:   []string{"HostConfig.Binds", "HostConfig.Mounts[*].BindOptions.Propagation"},
		Versions: []VersionedCheck{{MinimumVersion: V1, Container: mountPropagationV1}},
	}
}

func mountPropagationV1(c *Container, _ *Settings, r *Report) {
	for i := range c.Mounts {
		m := &c.Mounts[i]
		switch m.Propagation {
		case PropagationDefault, PropagationPrivate, PropagationRPrivate, PropagationSlave, PropagationRSlave:
		case PropagationShared, PropagationRShared:
			r.Deny(mountField(m, ".BindOptions.Propagation"), string(m.Propagation),
				"shared propagation lets mounts made in the container appear on the host",
				"use the default propagation (rprivate), or slave/rslave to receive host mounts only")
		default:
			r.Deny(mountField(m, ".BindOptions.Propagation"), truncate(string(m.Propagation), 64),
				"unknown mount propagation", "use private, rprivate, slave or rslave")
		}
	}
}
