package policy

// capabilitiesRestricted (restricted): HostConfig.CapDrop must contain ALL
// (any spelling), and CapAdd may add back only NET_BIND_SERVICE and the
// capabilities named in Exceptions.Capabilities. Additions the baseline
// capabilities check already denies (ALL, unknown names, names outside
// Docker's default set) are not reported twice.

func init() { register(checkCapabilitiesRestricted()) }

func checkCapabilitiesRestricted() Check {
	return Check{
		ID:     "capabilitiesRestricted",
		Level:  LevelRestricted,
		Title:  "Capabilities not dropped with ALL, or added back beyond NET_BIND_SERVICE",
		Fields: []string{"HostConfig.CapDrop", "HostConfig.CapAdd"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      capabilitiesRestrictedV1,
		}},
	}
}

func capabilitiesRestrictedV1(c *Container, s *Settings, r *Report) {
	dropsAll := false
	for _, d := range c.CapDrop {
		if n, _ := normalizeCap(d); n == "ALL" {
			dropsAll = true
			break
		}
	}
	if !dropsAll {
		r.Deny("HostConfig.CapDrop", "", "restricted containers must drop ALL capabilities",
			"add ALL to CapDrop and add back only what is needed")
	}
	for i, a := range c.CapAdd {
		n, ok := normalizeCap(a)
		if !ok || n == "ALL" || n == "NET_BIND_SERVICE" || !defaultCaps[n] || s.exceptions().caps[n] {
			continue
		}
		r.Deny(indexField("HostConfig.CapAdd", i), a, "restricted containers may add back only NET_BIND_SERVICE",
			"remove the capability, or allow it with Exceptions.Capabilities")
	}
}
