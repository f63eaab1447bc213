package policy

import (
	"path"
	"strings"
)

// MountType is the kind of a mount.
type MountType string

// The mount types of the Engine API. Any other value is rejected by ParseMountType.
const (
	MountBind    MountType = "bind"
	MountVolume  MountType = "volume"
	MountTmpfs   MountType = "tmpfs"
	MountNpipe   MountType = "npipe"
	MountCluster MountType = "cluster"
	MountImage   MountType = "image"
)

// ParseMountType parses a Mounts[].Type value. Unknown types are an error.
func ParseMountType(s string) (MountType, error) {
	switch t := MountType(s); t {
	case MountBind, MountVolume, MountTmpfs, MountNpipe, MountCluster, MountImage:
		return t, nil
	}
	return "", &ModeError{What: "mount type", Value: s}
}

// Propagation is a bind mount's propagation mode.
type Propagation string

// The propagation modes. The empty value is the daemon default (rprivate).
const (
	PropagationDefault  Propagation = ""
	PropagationPrivate  Propagation = "private"
	PropagationRPrivate Propagation = "rprivate"
	PropagationShared   Propagation = "shared"
	PropagationRShared  Propagation = "rshared"
	PropagationSlave    Propagation = "slave"
	PropagationRSlave   Propagation = "rslave"
)

// ParsePropagation parses a propagation mode. Unknown modes are an error.
func ParsePropagation(s string) (Propagation, error) {
	switch p := Propagation(s); p {
	case PropagationDefault, PropagationPrivate, PropagationRPrivate, PropagationShared,
		PropagationRShared, PropagationSlave, PropagationRSlave:
		return p, nil
	}
	return "", &ModeError{What: "propagation", Value: s}
}

// Mount is one mount of a container, from HostConfig.Binds, HostConfig.Mounts or
// HostConfig.Tmpfs.
type Mount struct {
	// Field is the request field it came from, e.g. "HostConfig.Binds[1]".
	Field string
	Type  MountType
	// Source is the host path for binds (cleaned as the daemon cleans it), the
	// volume name for volumes ("" for an anonymous volume), the image for image
	// mounts and "" for tmpfs.
	Source string
	// Target is the path inside the container.
	Target string
	// ReadOnly is true when the mount is read-only (recursively, unless
	// ReadOnlyNonRecursive is set).
	ReadOnly bool
	// Propagation is the bind propagation.
	Propagation Propagation
	// Relabel is the SELinux relabel mode of a bind: "", "z" (shared) or "Z" (private).
	Relabel string
	// NonRecursive, ReadOnlyNonRecursive, ReadOnlyForceRecursive and
	// CreateMountpoint mirror Mounts[].BindOptions.
	NonRecursive           bool
	ReadOnlyNonRecursive   bool
	ReadOnlyForceRecursive bool
	CreateMountpoint       bool
	// VolumeDriver and VolumeOptions are the volume driver and its options
	// (Mounts[].VolumeOptions.DriverConfig, or HostConfig.VolumeDriver for Binds).
	VolumeDriver  string
	VolumeOptions map[string]string
	// Subpath is VolumeOptions.Subpath or ImageOptions.Subpath.
	Subpath string
	// NoCopy disables copying image content into a new volume.
	NoCopy bool
}

// ParseBind parses one HostConfig.Binds entry the way the daemon's Linux parser
// does: "src:dst[:mode]" or "dst"; an absolute source is a host bind, anything else
// a volume name; mode is a comma list of at most one each of rw/ro, z/Z, a
// propagation, nocopy and a consistency mode. The source of a bind is cleaned with
// path.Clean, as the daemon does. field is recorded in the result.
func ParseBind(field, spec, volumeDriver string) (Mount, error) {
	bad := func() (Mount, error) { return Mount{}, &ModeError{What: "bind", Value: spec} }
	if spec == "" || strings.ContainsRune(spec, 0) {
		return bad()
	}
	// parts is strings.SplitN(spec, ":", 4) without the allocation.
	var parts [4]string
	n := 0
	for rest := spec; ; {
		if n == len(parts)-1 {
			parts[n] = rest
			n++
			break
		}
		before, after, more := strings.Cut(rest, ":")
		parts[n] = before
		n++
		if !more {
			break
		}
		rest = after
	}
	if parts[0] == "" {
		return bad()
	}
	m := Mount{Field: field}
	var mode string
	switch n {
	case 1:
		m.Target = parts[0]
	case 2:
		if _, ok := parseBindMode(parts[1]); ok {
			// "dst:mode" is not a valid spec: anonymous volumes take no mode.
			return bad()
		}
		m.Source, m.Target = parts[0], parts[1]
	case 3:
		m.Source, m.Target, mode = parts[0], parts[1], parts[2]
	default:
		return bad()
	}
	bm, ok := parseBindMode(mode)
	if !ok {
		return bad()
	}
	if !path.IsAbs(m.Target) {
		return bad()
	}
	if m.Target = cleanRooted(m.Target); m.Target == "/" {
		return bad()
	}
	m.ReadOnly = bm.readOnly
	m.Propagation = bm.propagation
	m.Relabel = bm.relabel
	m.NoCopy = bm.noCopy
	if path.IsAbs(m.Source) {
		m.Type = MountBind
		m.Source = cleanRooted(m.Source)
		if bm.noCopy {
			return bad()
		}
		return m, nil
	}
	m.Type = MountVolume
	if bm.propagation != PropagationDefault {
		// The daemon refuses propagation on volumes.
		return bad()
	}
	m.VolumeDriver = volumeDriver
	return m, nil
}

type bindMode struct {
	readOnly    bool
	propagation Propagation
	relabel     string
	noCopy      bool
}

// parseBindMode parses the mode field of a bind; "" is the default (rw).
func parseBindMode(mode string) (bindMode, bool) {
	var bm bindMode
	if mode == "" {
		return bm, true
	}
	var rw, label, prop, cp, cons int
	for rest, more := mode, true; more; {
		var o string
		o, rest, more = strings.Cut(rest, ",")
		switch o {
		case "rw":
			rw++
		case "ro":
			rw++
			bm.readOnly = true
		case "z", "Z":
			label++
			bm.relabel = o
		case "private", "rprivate", "shared", "rshared", "slave", "rslave":
			prop++
			bm.propagation = Propagation(o)
		case "nocopy":
			cp++
			bm.noCopy = true
		case "consistent", "cached", "delegated":
			cons++
		default:
			return bindMode{}, false
		}
	}
	if rw > 1 || label > 1 || prop > 1 || cp > 1 || cons > 1 {
		return bindMode{}, false
	}
	return bm, true
}
