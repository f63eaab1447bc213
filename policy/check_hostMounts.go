package policy

import "strings"

/*
Host mounts: every host bind mount must lie under an allowed bind root.

Restricted fields:
  - HostConfig.Binds (entries with an absolute source are host binds)
  - HostConfig.Mounts[*].Type, Source, ReadOnly, BindOptions.ReadOnlyNonRecursive,
    BindOptions.CreateMountpoint, VolumeOptions.Subpath, ImageOptions.Subpath

Allowed values:
  - Type bind: a source that CleanHostPath accepts and that lies under an
    Exceptions.BindRoots entry; a writable bind (not read-only, or only
    ReadOnlyNonRecursive) or a bind with CreateMountpoint (the daemon then
    creates the path as root) needs a Writable root. With Settings.Paths set, the
    symlink-resolved source must also lie under a root (as written or resolved),
    and when Settings.Paths is a PathStatter, a HostConfig.Binds source that does
    not exist needs a Writable root too: the daemon creates a missing Binds
    source on the host, as root (without a PathStatter, a remote daemon say,
    this cannot be seen, and such a bind can leave empty directories under a
    read-only root).
  - Type volume: an anonymous volume or a valid volume name (a relative path such
    as "./data" is not a name and is denied); a Subpath that stays inside.
  - Type tmpfs and image (image with a Subpath that stays inside).
  - Type npipe and cluster are denied; any other type is denied.

Sensitive paths under an allowed root are judged by the sensitivePaths check.
*/

func init() { register(checkHostMounts()) }

// checkHostMounts returns the hostMounts check.
func checkHostMounts() Check {
	return Check{
		ID:    "hostMounts",
		Level: LevelBaseline,
		Title: "Host bind mounts outside the allowed bind roots (or writable under a read-only root), relative or unparsable sources, named pipes and cluster volumes",
		Fields: []string{
			"HostConfig.Binds", "HostConfig.Mounts[*].Type", "HostConfig.Mounts[*].Source",
			"HostConfig.Mounts[*].ReadOnly", "HostConfig.Mounts[*].BindOptions",
			"HostConfig.Mounts[*].VolumeOptions.Subpath", "HostConfig.Mounts[*].ImageOptions.Subpath",
		},
		Versions: []VersionedCheck{{MinimumVersion: V1, Container: hostMountsV1}},
	}
}

const (
	remedyBindRoot  = "add an allowed bind root with Exceptions.BindRoots (policycheck --allow-bind), or use a named volume"
	remedyWritable  = "mount it read-only (\":ro\" or ReadOnly: true), or mark its bind root Writable"
	remedyAbsolute  = "give an absolute Linux host path without backslashes, or a valid volume name"
	remedyNoPipe    = "do not mount named pipes; use the safedocker client with a narrow capability instead of the engine API"
	remedySubpath   = "give a relative Subpath without \"..\" components"
	remedyMountType = "use a bind under an allowed root, a volume, a tmpfs or an image mount"
)

func hostMountsV1(c *Container, s *Settings, r *Report) {
	for i := range c.Mounts {
		m := &c.Mounts[i]
		switch m.Type {
		case MountBind:
			hostBind(m, s, r)
		case MountVolume:
			if m.Source != "" && !validVolumeName(m.Source) {
				reason := "volume name is not valid; a relative host path is not a bind and is never resolved against a directory"
				if canon, kind := canonicalWindowsPath(m.Source); kind != winNone {
					reason = windowsReason(canon, kind)
				}
				r.Deny(mountField(m, ".Source"), m.Source, reason, remedyAbsolute)
			}
			checkSubpath(m, ".VolumeOptions.Subpath", r)
		case MountTmpfs:
		case MountImage:
			checkSubpath(m, ".ImageOptions.Subpath", r)
		case MountNpipe:
			reason := "named pipe mounts expose host services"
			if canon, kind := canonicalWindowsPath(m.Source); kind == winPipe {
				reason = windowsReason(canon, kind)
			}
			r.Deny(mountField(m, ".Type"), m.Source, reason, remedyNoPipe)
		case MountCluster:
			r.Deny(mountField(m, ".Type"), string(m.Type), "cluster (Swarm CSI) volumes are not supported by this policy", remedyMountType)
		default:
			r.Deny(mountField(m, ".Type"), truncate(string(m.Type), 64), "unknown mount type", remedyMountType)
		}
	}
}

// hostBind judges one bind mount.
func hostBind(m *Mount, s *Settings, r *Report) {
	field := func() string { return mountField(m, ".Source") } // built only for a finding
	c, bad := canonHostPath(m.Source)
	if bad != "" {
		reason := "host path cannot be judged: " + bad
		if canon, kind := canonicalWindowsPath(m.Source); kind != winNone {
			reason = windowsReason(canon, kind)
		}
		r.Deny(field(), truncate(m.Source, 256), reason, remedyAbsolute)
		return
	}
	if canon, kind := canonicalWindowsPath(m.Source); kind == winPipe {
		// "//./pipe/x" is also a Linux path; a Windows daemon reads it as a pipe.
		r.Deny(field(), m.Source, windowsReason(canon, kind), remedyNoPipe)
		return
	}
	needWritable := bindWritable(m) || m.CreateMountpoint
	if rootDepth(c, s.Exceptions.BindRoots, needWritable) < 0 {
		r.Deny(field(), c, bindRootReason(c, m, s.Exceptions.BindRoots, ""), bindRootRemedy(c, s.Exceptions.BindRoots))
	}
	rc, differs, err := resolvedPath(s, c)
	switch {
	case err != nil:
		r.Deny(field(), c, "host path cannot be resolved on this host: "+err.Error(), "use a path that exists under an allowed bind root, or a named volume")
	case differs && resolvedRootDepth(rc, s, needWritable) < 0:
		r.Deny(field(), c+" -> "+rc, bindRootReason(rc, m, s.Exceptions.BindRoots, "host path resolves through symlinks to "+rc+": "), bindRootRemedy(rc, s.Exceptions.BindRoots))
	case !needWritable && strings.HasPrefix(m.Field, "HostConfig.Binds"):
		at := c
		if differs {
			at = rc
		}
		missingBindSource(s, c, at, field, r)
	}
}

// missingBindSource denies a read-only HostConfig.Binds source that does not
// exist (the daemon would create it as root) unless a Writable root allows it.
// c is the source as written, at where it resolves to.
func missingBindSource(s *Settings, c, at string, field func() string, r *Report) {
	st, ok := s.Paths.(PathStatter)
	if !ok || (rootDepth(c, s.Exceptions.BindRoots, true) >= 0 && resolvedRootDepth(at, s, true) >= 0) {
		return
	}
	exists, err := st.HostPathExists(c)
	switch {
	case err != nil:
		r.Deny(field(), c, "cannot tell whether the host path exists: "+err.Error(),
			"use a path that exists under an allowed bind root, or a named volume")
	case !exists:
		r.Deny(field(), c, "the host path does not exist, and the daemon creates a missing Binds source on the host as root, which needs a writable bind root",
			"create the path first, use a Mounts bind (which fails on a missing source), or mark its bind root Writable")
	}
}

// bindRootReason explains why c is not allowed by any root.
func bindRootReason(c string, m *Mount, roots []BindRoot, prefix string) string {
	if rootDepth(c, roots, false) >= 0 {
		if m.CreateMountpoint && !bindWritable(m) {
			return prefix + "CreateMountpoint makes the daemon create the host path as root, which needs a writable bind root"
		}
		if m.ReadOnly && m.ReadOnlyNonRecursive {
			return prefix + "ReadOnlyNonRecursive leaves sub-mounts writable, and the bind root is read-only"
		}
		return prefix + "writable host bind under a read-only bind root"
	}
	return prefix + "host bind mount outside the allowed bind roots"
}

// bindRootRemedy chooses the remediation for bindRootReason.
func bindRootRemedy(c string, roots []BindRoot) string {
	if rootDepth(c, roots, false) >= 0 {
		return remedyWritable
	}
	return remedyBindRoot
}

// checkSubpath denies a volume or image Subpath that is absolute, contains ".."
// components, backslashes or NUL.
func checkSubpath(m *Mount, suffix string, r *Report) {
	sp := m.Subpath
	if sp == "" {
		return
	}
	bad := sp[0] == '/' || strings.IndexByte(sp, 0) >= 0 || strings.IndexByte(sp, '\\') >= 0
	for rest := sp; !bad && rest != ""; {
		comp := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			comp, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		bad = comp == ".."
	}
	if bad {
		r.Deny(mountField(m, suffix), truncate(sp, 256), "subpath must stay inside the volume or image", remedySubpath)
	}
}

// validVolumeName reports whether s fits the local volume driver's name grammar
// [a-zA-Z0-9][a-zA-Z0-9_.-]+, bounded to 255 bytes.
func validVolumeName(s string) bool {
	return len(s) >= 2 && validObjectName(s)
}
