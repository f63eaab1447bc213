package policy

// cgroupParent (restricted): HostConfig.CgroupParent places the container in
// an arbitrary host cgroup, outside the limits the daemon would apply.
// Restricted requires it empty.

func init() { register(checkCgroupParent()) }

func checkCgroupParent() Check {
	return Check{
		ID:     "cgroupParent",
		Level:  LevelRestricted,
		Title:  "A custom parent cgroup",
		Fields: []string{"HostConfig.CgroupParent"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container: func(c *Container, _ *Settings, r *Report) {
				if c.CgroupParent != "" {
					r.Deny("HostConfig.CgroupParent", truncate(c.CgroupParent, 128),
						"a custom parent cgroup can escape the daemon's resource limits",
						"remove CgroupParent")
				}
			},
		}},
	}
}
