package policy

import (
	"slices"
	"strings"
)

/*
Volume driver options: a volume must not be a host bind, a host device mount or a
plugin in disguise.

Restricted fields:
  - HostConfig.VolumeDriver
  - HostConfig.Mounts[*].VolumeOptions.DriverConfig.Name and .Options
  - POST /volumes/create: Driver, DriverOpts, ClusterVolumeSpec, Name

Allowed values:
  - Driver "" or "local", or a name listed exactly in Exceptions.VolumeDrivers
    (plugins run with host privileges; an allowed plugin's options are not
    checked). "Local" and other spellings are plugin names to the daemon.
  - Local-driver options only of a tmpfs volume: type=tmpfs, device absent or
    "tmpfs", o a comma list of tmpfs options (size, mode, uid, gid, nr_inodes,
    nr_blocks, huge, ro, rw, [no]exec, [no]suid, [no]dev, atime flags, sync,
    async), and the quota option size (alone it is a plain directory volume
    with a project quota, "docker volume create --opt size=10G"). Everything
    else is denied, in particular o=bind or rbind in any position or
    spelling, type=none, a device path or a block device, nfs/cifs and other
    network types (they mount as root on the host), and unknown keys.
  - No cluster (Swarm CSI) volume; a volume name fits [a-zA-Z0-9][a-zA-Z0-9_.-]+.

A volume created earlier outside this policy is not visible here; the
safedocker client inspects named volumes before it uses them.
*/

func init() { register(checkVolumeDriverOptions()) }

// checkVolumeDriverOptions returns the volumeDriverOptions check.
func checkVolumeDriverOptions() Check {
	return Check{
		ID:    "volumeDriverOptions",
		Level: LevelBaseline,
		Title: "Volume plugins that are not excepted, and local-volume options other than tmpfs ones (bind, device or network mounts in disguise)",
		Fields: []string{
			"HostConfig.VolumeDriver", "HostConfig.Mounts[*].VolumeOptions.DriverConfig",
			"VolumeCreate.Driver", "VolumeCreate.DriverOpts", "VolumeCreate.ClusterVolumeSpec", "VolumeCreate.Name",
		},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      volumeDriverOptionsV1,
			Volume:         volumeCreateOptionsV1,
		}},
	}
}

const (
	remedyDriver     = "use the local volume driver, or allow this plugin with Exceptions.VolumeDrivers"
	remedyDriverOpts = "use a plain named volume, a tmpfs volume, or a bind under an allowed bind root"
)

func volumeDriverOptionsV1(c *Container, s *Settings, r *Report) {
	if !volumeDriverAllowed(c.VolumeDriver, s) {
		r.Deny("HostConfig.VolumeDriver", truncate(c.VolumeDriver, 128), "volume driver plugins run with host privileges", remedyDriver)
	}
	for i := range c.Mounts {
		m := &c.Mounts[i]
		if m.Type != MountVolume {
			continue
		}
		driver := m.VolumeDriver
		if !fromMounts(m) {
			// Binds and Config.Volumes use HostConfig.VolumeDriver, judged above.
			driver = c.VolumeDriver
		} else if !volumeDriverAllowed(driver, s) {
			r.Deny(m.Field+".VolumeOptions.DriverConfig.Name", truncate(driver, 128), "volume driver plugins run with host privileges", remedyDriver)
			continue
		}
		if !localDriver(driver) {
			continue // an allowed plugin
		}
		if bad, reason := localDriverOptions(m.VolumeOptions); bad != "" {
			r.Deny(mountField(m, ".VolumeOptions.DriverConfig.Options"), bad, reason, remedyDriverOpts)
		}
	}
}

func volumeCreateOptionsV1(v *VolumeCreate, s *Settings, r *Report) {
	if v.ClusterVolume {
		r.Deny("ClusterVolumeSpec", "", "cluster (Swarm CSI) volumes are not supported by this policy", "create a local volume")
	}
	if v.Name != "" && !validVolumeName(v.Name) {
		r.Deny("Name", truncate(v.Name, 256), "volume name is not valid", "use a name matching [a-zA-Z0-9][a-zA-Z0-9_.-]+")
	}
	if !volumeDriverAllowed(v.Driver, s) {
		r.Deny("Driver", truncate(v.Driver, 128), "volume driver plugins run with host privileges", remedyDriver)
		return
	}
	if !localDriver(v.Driver) {
		return
	}
	if bad, reason := localDriverOptions(v.DriverOpts); bad != "" {
		r.Deny("DriverOpts", bad, reason, remedyDriverOpts)
	}
}

// localDriver reports whether name selects the built-in local driver.
func localDriver(name string) bool { return name == "" || name == "local" }

// volumeDriverAllowed reports whether the volume driver name may be used.
func volumeDriverAllowed(name string, s *Settings) bool {
	return localDriver(name) || s.exceptions().volumeDrivers[name]
}

// localDriverOptions judges the options of a local-driver volume. It returns ""
// when they describe a plain volume or a tmpfs, else the offending option (its
// key, or key=value for type and device, never the whole "o" value, which may
// carry credentials) and a reason. Options are judged in sorted key order so the
// finding is deterministic.
func localDriverOptions(opts map[string]string) (string, string) {
	if len(opts) == 0 {
		return "", ""
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	typ, hasType := opts["type"]
	for _, k := range keys {
		v := opts[k]
		switch k {
		case "type":
			if v != "tmpfs" {
				return "type=" + truncate(v, 64), "local volume of type " + truncate(v, 64) + " mounts a host path, device or network share as root on the host; only tmpfs is allowed"
			}
		case "device":
			if v != "tmpfs" {
				return "device=" + truncate(v, 256), "local volume device " + truncate(v, 256) + " is a host path, a device or a network share"
			}
		case "o":
			if item, bind := badTmpfsOption(v); item != "" {
				if bind {
					return "o: " + item, "local volume option " + item + " bind-mounts a host path"
				}
				return "o: " + item, "local volume option " + item + " is not a tmpfs option"
			}
		case "size":
			// Storage quota of the volume directory; no host path.
		default:
			return truncate(k, 64), "unknown local volume option"
		}
	}
	if !hasType {
		if _, quota := opts["size"]; quota && len(opts) == 1 {
			// A plain directory volume with a project quota: no mount.
			return "", ""
		}
		return keys[0], "local volume options without type=tmpfs"
	}
	if typ != "tmpfs" {
		return keys[0], "local volume options without type=tmpfs"
	}
	return "", ""
}

// tmpfsOptions are the mount options allowed in a tmpfs volume's "o".
var tmpfsOptions = [...]string{
	"size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "huge",
	"ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev",
	"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
	"strictatime", "sync", "async",
}

// badTmpfsOption returns the first item of the comma list o that is not a tmpfs
// option (its key only) and whether it is a bind; "" when all are allowed.
// Items are compared exactly: " bind" with a space is not an allowed option.
func badTmpfsOption(o string) (string, bool) {
	for rest := o; ; {
		item := rest
		i := strings.IndexByte(rest, ',')
		if i >= 0 {
			item, rest = rest[:i], rest[i+1:]
		}
		key, _, _ := strings.Cut(item, "=")
		if item != "" && !slices.Contains(tmpfsOptions[:], key) {
			norm := strings.ToLower(strings.TrimSpace(key))
			return truncate(strings.TrimSpace(key), 64), norm == "bind" || norm == "rbind"
		}
		if i < 0 {
			return "", false
		}
	}
}
