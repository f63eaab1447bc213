package policy

import (
	"strconv"
	"strings"
)

// runAsNonRoot (restricted): the container's user (Config.User) and an exec's
// user must be a numeric, non-zero UID, optionally with a group
// ("1000", "1000:1000", "1000:staff"). A user name is denied: what a name
// means is defined by the image's /etc/passwd, which the checker cannot see,
// and any name (not only "root") may map to UID 0. An empty user runs as the
// image's user (for an exec, the container's), which is unknown and usually
// root, so it is denied too.

func init() { register(checkRunAsNonRoot()) }

func checkRunAsNonRoot() Check {
	return Check{
		ID:     "runAsNonRoot",
		Level:  LevelRestricted,
		Title:  "Containers and execs not running as a numeric non-zero UID",
		Fields: []string{"Config.User", "exec User"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      func(c *Container, _ *Settings, r *Report) { runAsNonRoot(r, "Config.User", c.User) },
			Exec:           func(x *Exec, _ *Settings, r *Report) { runAsNonRoot(r, "User", x.User) },
		}},
	}
}

func runAsNonRoot(r *Report, field, user string) {
	const remedy = "set the user to a numeric non-zero UID, e.g. 65532 or 1000:1000"
	if user == "" {
		r.Deny(field, "", "no user is set, so the image's user (often root) runs", remedy)
		return
	}
	uid, _, _ := strings.Cut(user, ":")
	n, err := strconv.ParseUint(uid, 10, 32)
	switch {
	case err != nil:
		r.Deny(field, truncate(user, 64), "the user is not a numeric UID; a name's UID is defined by the image and may be 0", remedy)
	case n == 0:
		r.Deny(field, truncate(user, 64), "UID 0 is root", remedy)
	}
}
