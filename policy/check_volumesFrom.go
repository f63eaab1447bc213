package policy

import "strconv"

/*
Volumes from: a container must not inherit another container's mounts.

Restricted fields:
  - HostConfig.VolumesFrom

Allowed values:
  - none. Every entry is denied: the donor's mounts (a host bind, an engine
    socket) are invisible in the request and are decided at create time by the
    donor's state, which this check cannot see.
*/

func init() { register(checkVolumesFrom()) }

// checkVolumesFrom returns the volumesFrom check.
func checkVolumesFrom() Check {
	return Check{
		ID:       "volumesFrom",
		Level:    LevelBaseline,
		Title:    "VolumesFrom (the inherited mounts are not visible in the request)",
		Fields:   []string{"HostConfig.VolumesFrom"},
		Versions: []VersionedCheck{{MinimumVersion: V1, Container: volumesFromV1}},
	}
}

func volumesFromV1(c *Container, _ *Settings, r *Report) {
	for i, v := range c.VolumesFrom {
		r.Deny("HostConfig.VolumesFrom["+strconv.Itoa(i)+"]", truncate(v, 256),
			"VolumesFrom copies every mount of another container, which the request does not show",
			"mount the same named volumes explicitly in HostConfig.Mounts")
	}
}
