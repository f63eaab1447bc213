package policy

/*
SELinux relabel: the daemon must not relabel host paths.

Restricted fields:
  - HostConfig.Binds mode (z, Z) of host binds

Allowed values:
  - no relabel on a host bind. z relabels the host files so that every container
    may use them, Z so that only this one may; either rewrites the SELinux label
    of host files (relabelling /usr or a home directory breaks the host and can
    expose it to containers).
  - z and Z on volumes are allowed: the daemon owns the volume's files.
  - any other relabel value is denied.
*/

func init() { register(checkSELinuxRelabel()) }

// checkSELinuxRelabel returns the selinuxRelabel check.
func checkSELinuxRelabel() Check {
	return Check{
		ID:       "selinuxRelabel",
		Level:    LevelBaseline,
		Title:    "SELinux relabelling (z/Z) of host bind mounts",
		Fields:   []string{"HostConfig.Binds"},
		Versions: []VersionedCheck{{MinimumVersion: V1, Container: selinuxRelabelV1}},
	}
}

func selinuxRelabelV1(c *Container, _ *Settings, r *Report) {
	for i := range c.Mounts {
		m := &c.Mounts[i]
		switch {
		case m.Relabel == "":
		case m.Relabel != "z" && m.Relabel != "Z":
			r.Deny(m.Field, truncate(m.Relabel, 64), "unknown SELinux relabel mode", "use no relabel mode on host binds")
		case m.Type != MountVolume:
			r.Deny(m.Field, m.Source, "SELinux relabel ("+m.Relabel+") rewrites the label of host files",
				"drop z/Z from the bind; label the host directory yourself (e.g. container_file_t) or use a named volume")
		}
	}
}
