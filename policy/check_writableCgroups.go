package policy

// writableCgroups (baseline): the writable-cgroups security option (Docker
// 28+) mounts the cgroup tree read-write, the same path privileged mode takes,
// which enables cgroup v1 release_agent escapes (CVE-2022-0492).
//
// Restricted field: HostConfig.SecurityOpt writable-cgroups. Allowed values:
// unset or false.

func init() { register(checkWritableCgroups()) }

func checkWritableCgroups() Check {
	return Check{
		ID:     "writableCgroups",
		Level:  LevelBaseline,
		Title:  "Writable cgroup filesystem (security option writable-cgroups)",
		Fields: []string{"HostConfig.SecurityOpt writable-cgroups"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      writableCgroupsV1,
		}},
	}
}

func writableCgroupsV1(c *Container, _ *Settings, r *Report) {
	if w := c.Security.WritableCgroups; w != nil && *w {
		r.Deny(secOptField(&c.Security, "writable-cgroups"), "writable-cgroups=true",
			"a writable cgroup tree allows release_agent escapes to the host",
			"remove the writable-cgroups security option")
	}
}

// secOptField returns the request field of the security option name, or
// "HostConfig.SecurityOpt" when unknown.
func secOptField(so *SecurityOptions, name string) string {
	if f, ok := so.Fields[name]; ok {
		return f
	}
	return "HostConfig.SecurityOpt"
}
