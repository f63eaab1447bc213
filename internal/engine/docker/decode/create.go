package decode

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/safedocker/safedocker/policy"
)

// endpointSysctls is the endpoint driver option that carries per-interface
// sysctls (libnetwork's netlabel.EndpointSysctls); the daemon also moves
// "net.*.eth0.*" sysctls there.
const endpointSysctls = "com.docker.network.endpoint.sysctls"

// endpointIfname is the endpoint driver option naming the interface inside the
// container; it grants nothing.
const endpointIfname = "com.docker.network.endpoint.ifname"

// maxValueLen bounds the values copied into Invalid entries.
const maxValueLen = 128

type invalids struct{ list []policy.InvalidValue }

func (iv *invalids) add(field, value, reason string) {
	iv.list = append(iv.list, policy.InvalidValue{Field: field, Value: clip(value, maxValueLen), Reason: reason})
}

// mapCreate maps a decoded create request into the model. hp is the field
// prefix of the HostConfig fields ("HostConfig." or "" for the legacy
// top-level HostConfig). hc and nc may be nil.
func mapCreate(rt Route, cfg *container.Config, hc *container.HostConfig, nc *network.NetworkingConfig, hp string, unknown []unknownKey) *policy.Container {
	if hc == nil {
		hc = &container.HostConfig{}
	}
	var iv invalids
	ver := rt.Version
	c := &policy.Container{
		Image:             cfg.Image,
		Name:              rt.Name,
		User:              cfg.User,
		Entrypoint:        cfg.Entrypoint,
		Cmd:               cfg.Cmd,
		Shell:             cfg.Shell,
		WorkingDir:        cfg.WorkingDir,
		Env:               parseEnv(cfg.Env),
		Labels:            cfg.Labels,
		Privileged:        hc.Privileged,
		CapAdd:            hc.CapAdd,
		CapDrop:           hc.CapDrop,
		MaskedPaths:       hc.MaskedPaths,
		ReadonlyPaths:     hc.ReadonlyPaths,
		VolumeDriver:      hc.VolumeDriver,
		VolumesFrom:       hc.VolumesFrom,
		ReadonlyRootfs:    hc.ReadonlyRootfs,
		CgroupParent:      hc.CgroupParent,
		Cgroup:            string(hc.Cgroup),
		DeviceCgroupRules: hc.DeviceCgroupRules,
		Sysctls:           hc.Sysctls,
		Runtime:           hc.Runtime,
		Annotations:       hc.Annotations,
		GroupAdd:          hc.GroupAdd,
		Isolation:         string(hc.Isolation),
		PublishAllPorts:   hc.PublishAllPorts,
		Resources: policy.Resources{
			Memory:         hc.Memory,
			MemorySwap:     hc.MemorySwap,
			NanoCPUs:       hc.NanoCPUs,
			CPUShares:      hc.CPUShares,
			PidsLimit:      hc.PidsLimit,
			OomKillDisable: hc.OomKillDisable,
			OomScoreAdj:    hc.OomScoreAdj,
			Init:           hc.Init,
		},
	}
	if cfg.Healthcheck != nil {
		c.Healthcheck = &policy.Healthcheck{Test: cfg.Healthcheck.Test}
	}
	if p := c.Resources.PidsLimit; p != nil && *p <= 0 {
		// The daemon treats 0 and negative limits as "unlimited" (nil).
		c.Resources.PidsLimit = nil
	}
	if ver.less(1, 43) {
		// The daemon ignores Annotations before API 1.43.
		c.Annotations = nil
	}

	// Security options.
	so, errs := policy.ParseSecurityOpts(hp+"SecurityOpt", hc.SecurityOpt)
	c.Security = so
	for _, e := range errs {
		iv.add(hp+"SecurityOpt["+strconv.Itoa(e.Index)+"]", e.Value, e.Reason)
	}

	// Namespaces.
	mode := func(field, s string, parse func(string) (policy.NamespaceMode, error)) policy.NamespaceMode {
		m, err := parse(s)
		if err != nil {
			iv.add(hp+field, s, "unknown mode")
		}
		return m
	}
	ipc := string(hc.IpcMode)
	if ipc == "" && ver.less(1, 40) {
		ipc = "shareable" // API < 1.40 clients get the old default
	}
	// Before API 1.41 the daemon turns an empty CgroupnsMode into "host", but
	// only on cgroup v1 hosts, whose daemon default is "host" anyway: an empty
	// mode stays "the daemon default" in the model for every version.
	cgns := string(hc.CgroupnsMode)
	c.PIDMode = mode("PidMode", string(hc.PidMode), policy.ParsePIDMode)
	c.IPCMode = mode("IpcMode", ipc, policy.ParseIPCMode)
	c.UTSMode = mode("UTSMode", string(hc.UTSMode), policy.ParseUTSMode)
	c.UsernsMode = mode("UsernsMode", string(hc.UsernsMode), policy.ParseUsernsMode)
	c.CgroupnsMode = mode("CgroupnsMode", cgns, policy.ParseCgroupnsMode)
	nm, err := policy.ParseNetworkMode(string(hc.NetworkMode))
	if err != nil {
		iv.add(hp+"NetworkMode", string(hc.NetworkMode), "unknown network mode")
	}
	c.NetworkMode = nm
	mapLogConfig(hc, hp, &iv)
	if len(hc.Links) > 0 {
		iv.add(hp+"Links", strings.Join(hc.Links, ","), "legacy links give access to another container's environment and network; not modelled")
	}

	// Mounts: Binds, Mounts, Tmpfs, then the anonymous volumes of Config.Volumes.
	c.Mounts = make([]policy.Mount, 0, len(hc.Binds)+len(hc.Mounts)+len(hc.Tmpfs)+len(cfg.Volumes))
	bindFields := indexedFields(hp+"Binds", len(hc.Binds))
	for i, b := range hc.Binds {
		field := bindFields[i]
		m, err := policy.ParseBind(field, b, hc.VolumeDriver)
		if err != nil {
			iv.add(field, b, "bind specification the daemon would not accept or that cannot be modelled")
			continue
		}
		c.Mounts = append(c.Mounts, m)
	}
	mountFields := indexedFields(hp+"Mounts", len(hc.Mounts))
	for i := range hc.Mounts {
		if m, ok := mapMount(ver, mountFields[i], &hc.Mounts[i], &iv); ok {
			c.Mounts = append(c.Mounts, m)
		}
	}
	for _, dst := range sortedKeys(hc.Tmpfs) {
		m := policy.Mount{Field: hp + "Tmpfs[" + dst + "]", Type: policy.MountTmpfs, Target: cleanAbs(dst)}
		for rest := hc.Tmpfs[dst]; rest != ""; {
			var o string
			o, rest, _ = strings.Cut(rest, ",")
			if reason := tmpfsOptionReason(o); reason != "" {
				iv.add(m.Field, o, reason)
				continue
			}
			switch o {
			case "ro":
				m.ReadOnly = true
			case "rw":
				m.ReadOnly = false
			}
		}
		c.Mounts = append(c.Mounts, m)
	}
	for _, dst := range sortedKeys(cfg.Volumes) {
		field := "Config.Volumes[" + dst + "]"
		if !path.IsAbs(dst) || strings.ContainsRune(dst, ':') {
			iv.add(field, dst, "anonymous volume target must be an absolute container path")
			continue
		}
		c.Mounts = append(c.Mounts, policy.Mount{Field: field, Type: policy.MountVolume, Target: path.Clean(dst), VolumeDriver: hc.VolumeDriver})
	}

	// Devices.
	if len(hc.Devices) > 0 {
		c.Devices = make([]policy.Device, len(hc.Devices))
		for i, d := range hc.Devices {
			c.Devices[i] = policy.Device{Field: hp + "Devices[" + strconv.Itoa(i) + "]", PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions}
		}
	}
	if len(hc.DeviceRequests) > 0 {
		c.DeviceRequests = make([]policy.DeviceRequest, len(hc.DeviceRequests))
		for i, d := range hc.DeviceRequests {
			c.DeviceRequests[i] = policy.DeviceRequest{Field: hp + "DeviceRequests[" + strconv.Itoa(i) + "]", Driver: d.Driver, Count: d.Count, DeviceIDs: d.DeviceIDs, Capabilities: d.Capabilities, Options: d.Options}
		}
	}

	// Ports.
	mapPorts(c, hc.PortBindings, hp, &iv)

	// Networks.
	if nc != nil && len(nc.EndpointsConfig) > 0 {
		if len(nc.EndpointsConfig) > 1 && ver.less(1, 44) {
			iv.add("NetworkingConfig.EndpointsConfig", strconv.Itoa(len(nc.EndpointsConfig)), "several networks need API 1.44 (the daemon rejects the request)")
		}
		copied := false
		c.Networks = sortedKeys(nc.EndpointsConfig)
		for _, name := range c.Networks {
			ep := nc.EndpointsConfig[name]
			if ep == nil {
				continue
			}
			field := func() string { return "NetworkingConfig.EndpointsConfig[" + name + "]" }
			if len(ep.Links) > 0 {
				iv.add(field()+".Links", strings.Join(ep.Links, ","), "legacy links give access to another container's environment and network; not modelled")
			}
			for _, k := range sortedKeys(ep.DriverOpts) {
				v := ep.DriverOpts[k]
				switch k {
				case endpointIfname:
				case endpointSysctls:
					if !copied {
						// Copy before adding: c.Sysctls is hc.Sysctls.
						c.Sysctls = maps.Clone(hc.Sysctls)
						if c.Sysctls == nil {
							c.Sysctls = map[string]string{}
						}
						copied = true
					}
					for _, kv := range strings.Split(v, ",") {
						sk, sv, _ := strings.Cut(kv, "=")
						c.Sysctls[strings.TrimSpace(sk)] = sv
					}
				default:
					iv.add(field()+".DriverOpts["+k+"]", "", "endpoint driver option not modelled")
				}
			}
		}
	}

	applyUnknown(&iv, unknown, &c.Capabilities)
	c.Invalid = iv.list
	return c
}

// mapMount maps one HostConfig.Mounts entry.
func mapMount(ver APIVersion, field string, src *mount.Mount, iv *invalids) (policy.Mount, bool) {
	t, err := policy.ParseMountType(string(src.Type))
	if err != nil {
		iv.add(field+".Type", string(src.Type), "unknown mount type")
		return policy.Mount{}, false
	}
	m := policy.Mount{Field: field, Type: t, Target: cleanAbs(src.Target), ReadOnly: src.ReadOnly}
	// Options of another mount type: dropped by the daemon before API 1.42,
	// rejected from 1.42 on (and by its mount validation in any case).
	wrong := func(name string) {
		if !ver.less(1, 42) {
			iv.add(field+"."+name, string(src.Type), name+" must not be set on this mount type (the daemon rejects it)")
		}
	}
	if src.BindOptions != nil && t != policy.MountBind && t != policy.MountImage {
		wrong("BindOptions")
	}
	if src.VolumeOptions != nil && t != policy.MountVolume {
		wrong("VolumeOptions")
	}
	if src.TmpfsOptions != nil && t != policy.MountTmpfs {
		wrong("TmpfsOptions")
	}
	if src.ImageOptions != nil && t != policy.MountImage {
		iv.add(field+".ImageOptions", string(src.Type), "ImageOptions must not be set on this mount type (the daemon rejects it)")
	}
	switch t {
	case policy.MountBind:
		m.Source = cleanAbs(src.Source)
		if bo := src.BindOptions; bo != nil {
			p, err := policy.ParsePropagation(string(bo.Propagation))
			if err != nil {
				iv.add(field+".BindOptions.Propagation", string(bo.Propagation), "unknown propagation mode")
			}
			m.Propagation = p
			m.NonRecursive = bo.NonRecursive && !ver.less(1, 40)
			m.CreateMountpoint = bo.CreateMountpoint && !ver.less(1, 42)
			m.ReadOnlyNonRecursive = bo.ReadOnlyNonRecursive
			m.ReadOnlyForceRecursive = bo.ReadOnlyForceRecursive
			if bo.ReadOnlyForceRecursive && ver.less(1, 44) {
				iv.add(field+".BindOptions.ReadOnlyForceRecursive", "true", "needs API 1.44 (the daemon rejects the request)")
			}
		}
	case policy.MountVolume:
		m.Source = src.Source
		if vo := src.VolumeOptions; vo != nil {
			m.NoCopy = vo.NoCopy
			m.Subpath = vo.Subpath
			if vo.Subpath != "" && ver.less(1, 45) {
				iv.add(field+".VolumeOptions.Subpath", vo.Subpath, "needs API 1.45 (the daemon rejects the request)")
			}
			if dc := vo.DriverConfig; dc != nil {
				m.VolumeDriver = dc.Name
				m.VolumeOptions = dc.Options
			}
		}
	case policy.MountTmpfs:
		if src.Source != "" {
			iv.add(field+".Source", src.Source, "a tmpfs mount takes no source (the daemon rejects it)")
		}
		if to := src.TmpfsOptions; to != nil {
			for i, o := range to.Options {
				opt := ""
				switch len(o) {
				case 1:
					opt = o[0]
				case 2:
					opt = o[0] + "=" + o[1]
				default:
					iv.add(field+".TmpfsOptions.Options["+strconv.Itoa(i)+"]", strings.Join(o, ","), "a tmpfs option is a flag or a key and a value")
					continue
				}
				if reason := tmpfsOptionReason(opt); reason != "" {
					iv.add(field+".TmpfsOptions.Options["+strconv.Itoa(i)+"]", opt, reason)
				}
			}
		}
	case policy.MountImage:
		m.Source = src.Source
		if ver.less(1, 48) {
			iv.add(field+".Type", string(src.Type), "image mounts need API 1.48 (the daemon rejects the request)")
		}
		if src.ImageOptions != nil {
			m.Subpath = src.ImageOptions.Subpath
		}
		if bo := src.BindOptions; bo != nil {
			p, err := policy.ParsePropagation(string(bo.Propagation))
			if err != nil {
				iv.add(field+".BindOptions.Propagation", string(bo.Propagation), "unknown propagation mode")
			}
			m.Propagation = p
		}
	default: // npipe, cluster: kept as they are; the checks deny them.
		m.Source = src.Source
	}
	return m, true
}

// tmpfsOptionReason judges one tmpfs option as the daemon passes it to runc:
// "" for a flag that only shapes the new tmpfs, or a tmpfs data option
// (size, mode, uid, gid, nr_inodes, nr_blocks, mpol, with a value); otherwise
// a reason. The daemon hands every mount flag to runc, so "remount" on a
// destination it does not match against its own mounts ("/sys/", "/sys/.")
// remounts the read-only sysfs, or a read-only bind, read-write; "bind" and
// "rbind" turn the tmpfs into a bind mount; "shared" and "rshared" propagate
// mounts. Options are compared exactly, as the daemon does.
func tmpfsOptionReason(o string) string {
	switch o {
	case "", "defaults", "ro", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev",
		"sync", "async", "dirsync", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime",
		"relatime", "norelatime", "strictatime", "nostrictatime",
		"private", "rprivate", "slave", "rslave", "unbindable", "runbindable":
		return ""
	case "remount":
		return "remount on a tmpfs destination remounts what is already mounted there (such as the read-only /sys) read-write"
	case "bind", "rbind":
		return "a bind flag turns the tmpfs into a bind mount"
	case "shared", "rshared":
		return "shared propagation is not allowed for tmpfs mounts"
	}
	k, _, ok := strings.Cut(o, "=")
	if ok {
		switch k {
		case "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol":
			return ""
		}
	}
	return "not a tmpfs option the policy models"
}

// cleanAbs cleans an absolute path as the daemon does; anything else is kept
// as sent so that the checks see (and deny) it.
func cleanAbs(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return p
}

// mapPorts maps HostConfig.PortBindings.
func mapPorts(c *policy.Container, pm nat.PortMap, hp string, iv *invalids) {
	if len(pm) == 0 {
		return
	}
	keys := sortedKeys(pm)
	n := 0
	for _, k := range keys {
		n += len(pm[k])
	}
	// The binding field names share one buffer; written bytes never change.
	var names strings.Builder
	bindingField := func(k nat.Port, j int) string {
		if names.Cap() == 0 {
			names.Grow(n * (len(hp) + len("PortBindings[/tcp][0]") + 5))
		}
		start := names.Len()
		names.WriteString(hp)
		names.WriteString("PortBindings[")
		names.WriteString(string(k))
		names.WriteString("][")
		var num [20]byte
		names.Write(strconv.AppendInt(num[:0], int64(j), 10))
		names.WriteByte(']')
		return names.String()[start:]
	}
	for _, k := range keys {
		field := func() string { return hp + "PortBindings[" + string(k) + "]" }
		num, proto, _ := strings.Cut(string(k), "/")
		if proto == "" {
			proto = "tcp"
		}
		cp, err := strconv.ParseUint(num, 10, 16)
		if err != nil || cp == 0 {
			iv.add(field(), string(k), "container port must be a single port number (ranges are not modelled)")
			continue
		}
		var pr policy.Protocol
		switch proto {
		case "tcp":
			pr = policy.ProtocolTCP
		case "udp":
			pr = policy.ProtocolUDP
		case "sctp":
			pr = policy.ProtocolSCTP
		default:
			iv.add(field(), string(k), "unknown protocol")
			continue
		}
		for j, b := range pm[k] {
			bf := bindingField(k, j)
			pb := policy.PortBinding{Field: bf, ContainerPort: uint16(cp), Protocol: pr}
			if b.HostIP != "" {
				ip, err := netip.ParseAddr(b.HostIP)
				if err != nil {
					iv.add(bf+".HostIp", b.HostIP, "host address is not an IP address")
					continue
				}
				pb.HostIP = ip
			}
			if b.HostPort != "" {
				hp, err := strconv.ParseUint(b.HostPort, 10, 16)
				if err != nil {
					iv.add(bf+".HostPort", b.HostPort, "host port must be a single port number (ranges are not modelled)")
					continue
				}
				pb.HostPort = uint16(hp)
			}
			if c.Ports == nil {
				c.Ports = make([]policy.PortBinding, 0, n)
			}
			c.Ports = append(c.Ports, pb)
		}
	}
}

// sortedKeys returns the keys of m in order (nil for an empty map), like
// slices.Sorted(maps.Keys(m)) but with one allocation.
func sortedKeys[K ~string, V any](m map[K]V) []K {
	if len(m) == 0 {
		return nil
	}
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// parseEnv splits "KEY=VALUE" entries; "KEY" alone has no value.
func parseEnv(env []string) []policy.EnvVar {
	if len(env) == 0 {
		return nil
	}
	out := make([]policy.EnvVar, len(env))
	for i, e := range env {
		k, v, ok := strings.Cut(e, "=")
		out[i] = policy.EnvVar{Key: k, Value: v, HasValue: ok}
	}
	return out
}

// applyUnknown turns the unknown keys into Invalid entries, except the API 1.40
// HostConfig.Capabilities, which is mapped into caps (the last one wins).
func applyUnknown(iv *invalids, unknown []unknownKey, caps *[]string) {
	for _, u := range unknown {
		field := u.key
		if u.path != "" {
			field = u.path + "." + u.key
		}
		if caps != nil && u.path == "HostConfig" && strings.EqualFold(u.key, "Capabilities") {
			var list []string
			if err := json.Unmarshal(u.value, &list); err == nil {
				*caps = list
				continue
			}
		}
		// The value is not copied: an unknown key may carry a secret.
		iv.add(field, jsonKind(u.value), "unknown field: a daemon of another version may honour it")
	}
}

// indexedFields returns prefix+"[i]" for i in [0, n), sharing one allocation.
func indexedFields(prefix string, n int) []string {
	if n == 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(n * (len(prefix) + len("[]") + len(strconv.Itoa(n-1))))
	out := make([]string, n)
	var num [20]byte
	for i := range n {
		start := b.Len()
		b.WriteString(prefix)
		b.WriteByte('[')
		b.Write(strconv.AppendInt(num[:0], int64(i), 10))
		b.WriteByte(']')
		out[i] = b.String()[start:] // written bytes never change
	}
	return out
}

// mapLogConfig fails closed on log drivers and options that make the daemon
// (root, in the host network namespace) send the container's output over the
// network or use its own credentials (syslog, fluentd, gelf, awslogs, splunk,
// gcplogs and plugins): the model cannot express them.
func mapLogConfig(hc *container.HostConfig, hp string, iv *invalids) {
	switch hc.LogConfig.Type {
	case "", "json-file", "local", "journald", "none":
	default:
		iv.add(hp+"LogConfig.Type", hc.LogConfig.Type, "log driver sends the container's output from the host over the network or with the daemon's credentials; only json-file, local, journald and none are modelled")
	}
	for _, k := range sortedKeys(hc.LogConfig.Config) {
		switch k {
		case "max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag", "mode", "max-buffer-size":
		default:
			// With an empty Type the options go to the daemon's default driver,
			// which may be a network one (syslog-address, fluentd-address...).
			// The value is not copied: log options carry tokens (splunk-token).
			iv.add(hp+"LogConfig.Config["+k+"]", "", "log option not modelled (it may redirect a network log driver)")
		}
	}
}

// jsonKind describes a raw JSON value without its content.
func jsonKind(v []byte) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '{':
		return "(object)"
	case '[':
		return "(array)"
	case '"':
		return "(string)"
	case 't', 'f':
		return "(boolean)"
	case 'n':
		return "(null)"
	}
	return "(number)"
}
