package policy

// noNewPrivileges (restricted): the security option no-new-privileges must be
// set to true, so setuid binaries and file capabilities cannot raise
// privileges. A daemon-wide default cannot be seen from the request, so the
// option must be explicit.

func init() { register(checkNoNewPrivileges()) }

func checkNoNewPrivileges() Check {
	return Check{
		ID:     "noNewPrivileges",
		Level:  LevelRestricted,
		Title:  "no-new-privileges not set",
		Fields: []string{"HostConfig.SecurityOpt no-new-privileges"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container: func(c *Container, _ *Settings, r *Report) {
				if nnp := c.Security.NoNewPrivileges; nnp == nil || !*nnp {
					value := "unset"
					if nnp != nil {
						value = "no-new-privileges=false"
					}
					r.Deny(secOptField(&c.Security, "no-new-privileges"), value,
						"without no-new-privileges, setuid binaries can raise privileges",
						"add the security option no-new-privileges")
				}
			},
		}},
	}
}
