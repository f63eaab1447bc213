package policy

// runtime (baseline): HostConfig.Runtime selects the OCI runtime. Runtimes
// differ in isolation and hooks, and the daemon also accepts containerd shim
// names found on its PATH, so only the daemon default ("", "runc",
// "io.containerd.runc.v2") and the names in Exceptions.Runtimes are allowed.

func init() { register(checkRuntime()) }

func checkRuntime() Check {
	return Check{
		ID:     "runtime",
		Level:  LevelBaseline,
		Title:  "OCI runtimes other than the default (runc) that are not excepted",
		Fields: []string{"HostConfig.Runtime"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      runtimeV1,
		}},
	}
}

func runtimeV1(c *Container, s *Settings, r *Report) {
	switch c.Runtime {
	case "", "runc", "io.containerd.runc.v2":
		return
	}
	if s.exceptions().runtimes[c.Runtime] {
		return
	}
	r.Deny("HostConfig.Runtime", c.Runtime, "runtime "+truncate(c.Runtime, 64)+" is not the default and not excepted",
		"remove Runtime, or allow it with Exceptions.Runtimes")
}
