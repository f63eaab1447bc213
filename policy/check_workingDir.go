package policy

import (
	"path"
	"strings"
)

// workingDir (baseline): runc before 1.1.12 leaked a host file descriptor, so
// a working directory of /proc/self/fd/<n> started the process in the host
// filesystem (CVE-2024-21626). Denied for Config.WorkingDir and exec
// WorkingDir, after path.Clean: any path under /proc (which covers
// /proc/<pid|self|thread-self>/fd, cwd and root and their task
// subdirectories), any path under /dev/fd (a symlink to /proc/self/fd), and
// relative paths, which the daemon refuses for containers and which resolve
// against an unknown directory for exec. Symlinks inside the image cannot be
// seen without the image and are not followed.

func init() { register(checkWorkingDir()) }

func checkWorkingDir() Check {
	return Check{
		ID:     "workingDir",
		Level:  LevelBaseline,
		Title:  "Working directories under /proc or /dev/fd (runc CVE-2024-21626) or not absolute",
		Fields: []string{"Config.WorkingDir", "exec WorkingDir"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      func(c *Container, _ *Settings, r *Report) { workingDir(r, "Config.WorkingDir", c.WorkingDir) },
			Exec:           func(x *Exec, _ *Settings, r *Report) { workingDir(r, "WorkingDir", x.WorkingDir) },
		}},
	}
}

func workingDir(r *Report, field, wd string) {
	if wd == "" {
		return
	}
	if !path.IsAbs(wd) {
		r.Deny(field, truncate(wd, 128), "the working directory is not an absolute path", "use an absolute path")
		return
	}
	p := path.Clean(wd)
	if underDir(p, "/proc") || underDir(p, "/dev/fd") {
		r.Deny(field, truncate(wd, 128), "a working directory under /proc or /dev/fd can start the process in the host filesystem (CVE-2024-21626)",
			"use a directory inside the container's own filesystem")
	}
}

// underDir reports whether the clean path p is dir or lies under it.
func underDir(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir) && len(p) > len(dir) && p[len(dir)] == '/'
}
