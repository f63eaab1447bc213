package policy

import (
	"strconv"
	"strings"
)

/*
Root with a writable host bind (composition): a container that may run as root
must not get a writable host bind mount, even under a Writable bind root.

Without user-namespace remapping, root in the container is root on the host for
every file it writes through the bind: it can leave a setuid-root binary or a
device node for a host user to run, or edit files host services read. The
policy cannot see the image's USER nor the daemon's userns-remap setting, so an
unset Config.User counts as root, and so does a user name: the image's
/etc/passwd (chosen by whoever chose the image) decides which uid a name is.

Restricted fields:
  - Config.User together with writable host binds (HostConfig.Binds without
    "ro", HostConfig.Mounts Type=bind with ReadOnly false or
    ReadOnlyNonRecursive true)

Allowed values:
  - read-only host binds with any user;
  - writable host binds when Config.User starts with a numeric non-zero uid
    ("1000" or "1000:1000").
*/

func init() { register(checkRootWritableBind()) }

// checkRootWritableBind returns the rootWritableBind check.
func checkRootWritableBind() Check {
	return Check{
		ID:       "rootWritableBind",
		Level:    LevelBaseline,
		Title:    "Writable host binds in a container that may run as root (user unset, a name, or uid 0)",
		Fields:   []string{"Config.User", "HostConfig.Binds", "HostConfig.Mounts[*].ReadOnly"},
		Versions: []VersionedCheck{{MinimumVersion: V1, Container: rootWritableBindV1}},
	}
}

func rootWritableBindV1(c *Container, _ *Settings, r *Report) {
	if !userMayBeRoot(c.User) {
		return
	}
	for i := range c.Mounts {
		m := &c.Mounts[i]
		if m.Type != MountBind || !bindWritable(m) {
			continue
		}
		r.Deny(mountField(m, ".ReadOnly"), m.Source,
			"writable host bind in a container that may run as root (Config.User "+strconv.Quote(truncate(c.User, 64))+"): files it writes are owned by host root",
			"set Config.User to a numeric non-root uid such as \"1000:1000\", or mount the bind read-only")
	}
}

// userMayBeRoot reports whether Config.User may run the container as uid 0: it
// is unset (the image decides), a name (the image's passwd decides) or a uid
// that is not a positive decimal number.
//
// It does not allocate.
func userMayBeRoot(user string) bool {
	uid, _, _ := strings.Cut(user, ":")
	if uid == "" || len(uid) > 10 {
		return true
	}
	nonZero := false
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		if c < '0' || c > '9' {
			return true // a name, a sign or garbage: the image decides
		}
		nonZero = nonZero || c != '0'
	}
	return !nonZero
}
