package policy

// readOnlyRootfs (restricted): HostConfig.ReadonlyRootfs must be true; write
// to tmpfs mounts or volumes instead.

func init() { register(checkReadOnlyRootfs()) }

func checkReadOnlyRootfs() Check {
	return Check{
		ID:     "readOnlyRootfs",
		Level:  LevelRestricted,
		Title:  "Writable root filesystem",
		Fields: []string{"HostConfig.ReadonlyRootfs"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container: func(c *Container, _ *Settings, r *Report) {
				if !c.ReadonlyRootfs {
					r.Deny("HostConfig.ReadonlyRootfs", "false", "restricted containers must have a read-only root filesystem",
						"set ReadonlyRootfs and mount a tmpfs where the workload writes")
				}
			},
		}},
	}
}
