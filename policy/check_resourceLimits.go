package policy

import "strconv"

// resourceLimits (restricted): a memory limit (HostConfig.Memory > 0) and a
// process limit (HostConfig.PidsLimit > 0) are required, so one container
// cannot exhaust the host's memory or PIDs.

func init() { register(checkResourceLimits()) }

func checkResourceLimits() Check {
	return Check{
		ID:     "resourceLimits",
		Level:  LevelRestricted,
		Title:  "No memory limit or no PIDs limit",
		Fields: []string{"HostConfig.Memory", "HostConfig.PidsLimit"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      resourceLimitsV1,
		}},
	}
}

func resourceLimitsV1(c *Container, _ *Settings, r *Report) {
	if c.Resources.Memory <= 0 {
		r.Deny("HostConfig.Memory", strconv.FormatInt(c.Resources.Memory, 10), "restricted containers need a memory limit",
			"set Memory to a byte limit")
	}
	if p := c.Resources.PidsLimit; p == nil || *p <= 0 {
		v := "unset"
		if p != nil {
			v = strconv.FormatInt(*p, 10)
		}
		r.Deny("HostConfig.PidsLimit", v, "restricted containers need a PIDs limit", "set PidsLimit to a positive number")
	}
}
