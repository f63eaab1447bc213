package policy

import (
	"path"
	"strings"
)

// devices (baseline): a host device in the container can be the host disk,
// physical memory or a keyboard. HostConfig.Devices entries are denied unless
// PathOnHost is named exactly in Exceptions.Devices; paths that are not clean
// absolute paths (.., //, a trailing slash) or that name /dev itself are
// denied even then, because the daemon follows symlinks and adds every device
// under a directory, and so are paths outside /dev and the /dev entries that
// link into /proc (/dev/fd/N, /dev/stdin, /dev/core...). With a PathResolver the resolved path must be excepted
// too. PathInContainer must be empty or a clean path under /dev, and
// CgroupPermissions a combination of r, w and m.
// HostConfig.DeviceCgroupRules are always denied (with MKNOD, a rule opens raw
// host disks without any Devices entry). HostConfig.DeviceRequests are denied
// unless their driver is in Exceptions.DeviceRequests.

func init() { register(checkDevices()) }

func checkDevices() Check {
	return Check{
		ID:     "devices",
		Level:  LevelBaseline,
		Title:  "Host devices not excepted, device cgroup rules, and device requests (GPUs, CDI) not excepted",
		Fields: []string{"HostConfig.Devices", "HostConfig.DeviceCgroupRules", "HostConfig.DeviceRequests"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      devicesV1,
		}},
	}
}

const deviceRemedy = "remove the device, or allow its exact path with Exceptions.Devices"

func devicesV1(c *Container, s *Settings, r *Report) {
	for i, d := range c.Devices {
		field := d.Field
		if field == "" {
			field = indexField("HostConfig.Devices", i)
		}
		p := d.PathOnHost
		switch {
		case p == "" || !path.IsAbs(p):
			r.Deny(field, p, "the device path is not absolute", deviceRemedy)
			continue
		case strings.ContainsAny(p, "\x00\\"):
			r.Deny(field, p, "the device path contains NUL or a backslash", deviceRemedy)
			continue
		case path.Clean(p) != p:
			r.Deny(field, p, "the device path is not clean (.., //, /./ or a trailing slash); the daemon follows it to another device or a whole directory", deviceRemedy)
			continue
		case p == "/dev" || p == "/":
			r.Deny(field, p, "the path is a directory; the daemon would add every device beneath it", deviceRemedy)
			continue
		case !underDir(p, "/dev"):
			r.Deny(field, p, "host devices must be under /dev", deviceRemedy)
			continue
		case procLinkDevice(p):
			r.Deny(field, p, "the path is a symlink into /proc; the daemon would resolve it in its own process", deviceRemedy)
			continue
		}
		ex := s.exceptions()
		if !ex.devices[p] {
			r.Deny(field, p, "host device "+p+" is not excepted", deviceRemedy)
			continue
		}
		if s.Paths != nil {
			resolved, err := s.Paths.ResolveHostPath(p)
			switch {
			case err != nil:
				r.Deny(field, p, "the device path cannot be resolved: "+truncate(err.Error(), 80), deviceRemedy)
				continue
			case resolved != p && !ex.devices[resolved]:
				r.Deny(field, p, "the device path resolves to "+resolved+", which is not excepted", "allow the resolved path with Exceptions.Devices, or name it directly")
				continue
			}
		}
		if pc := d.PathInContainer; pc != "" && (path.Clean(pc) != pc || !underDir(pc, "/dev") || pc == "/dev") {
			r.Deny(field, pc, "the device must appear under /dev in the container, at a clean path", "use a PathInContainer under /dev, or leave it empty")
		}
		if !validCgroupPermissions(d.CgroupPermissions) {
			r.Deny(field, d.CgroupPermissions, "device cgroup permissions must be a combination of r, w and m", "use rwm, rw or r")
		}
	}
	for i, rule := range c.DeviceCgroupRules {
		r.Deny(indexField("HostConfig.DeviceCgroupRules", i), rule,
			"a device cgroup rule allows opening or creating host device nodes (raw disks with the default MKNOD capability)",
			"remove the rule; pass specific devices with Devices and Exceptions.Devices")
	}
	for i, dr := range c.DeviceRequests {
		if s.exceptions().deviceDriverAllowed(dr.Driver) {
			continue
		}
		field := dr.Field
		if field == "" {
			field = indexField("HostConfig.DeviceRequests", i)
		}
		driver := dr.Driver
		if driver == "" {
			driver = "(chosen by capability)"
		}
		r.Deny(field, driver, "device requests expose host accelerators and may inject host mounts and hooks",
			"remove the device request, or allow its driver with Exceptions.DeviceRequests (\"*\" for --gpus)")
	}
}

// validCgroupPermissions reports whether p is empty (the daemon default, rwm)
// or each of r, w, m at most once.
func validCgroupPermissions(p string) bool {
	if len(p) > 3 {
		return false
	}
	var seen [3]bool
	for i := 0; i < len(p); i++ {
		k := strings.IndexByte("rwm", p[i])
		if k < 0 || seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// procLinkDevice reports whether p is one of the /dev entries that are
// symlinks into /proc (/dev/fd, /dev/stdin, /dev/stdout, /dev/stderr,
// /dev/core), which the daemon would resolve in its own process.
func procLinkDevice(p string) bool {
	switch p {
	case "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/core":
		return true
	}
	return underDir(p, "/dev/fd")
}
