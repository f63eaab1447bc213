package docker

import (
	"fmt"
	"maps"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

// infoFromInspect converts an inspect response into our type, including the
// daemon's view of the configuration as a policy model (Spec) so that it can be
// judged again. Env values are dropped. Values the model cannot hold are
// reported in Spec.Invalid, so a re-evaluation fails closed on them.
func infoFromInspect(r container.InspectResponse) engine.ContainerInfo {
	var info engine.ContainerInfo
	if r.ContainerJSONBase != nil {
		b := r.ContainerJSONBase
		info.ID = b.ID
		info.Name = b.Name
		info.ImageID = b.Image
		info.RestartCount = b.RestartCount
		info.Created = parseTime(b.Created)
		if b.State != nil {
			st := b.State
			info.State = engine.ContainerState{
				Status: string(st.Status), Running: st.Running, Paused: st.Paused, Restarting: st.Restarting,
				OOMKilled: st.OOMKilled, Dead: st.Dead, Pid: st.Pid, ExitCode: st.ExitCode,
				Error:     boundMessage(st.Error),
				StartedAt: parseTime(st.StartedAt), FinishedAt: parseTime(st.FinishedAt),
			}
			if st.Health != nil {
				info.State.Health = string(st.Health.Status)
			}
		}
	}
	var spec policy.Container
	inv := func(field, value, reason string) {
		if len(value) > 128 {
			value = value[:128] + "..."
		}
		spec.Invalid = append(spec.Invalid, policy.InvalidValue{Field: field, Value: value, Reason: reason})
	}
	if c := r.Config; c != nil {
		info.Image = c.Image
		spec.Image = c.Image
		spec.User = c.User
		spec.WorkingDir = c.WorkingDir
		spec.Labels = maps.Clone(c.Labels)
		if c.Entrypoint != nil {
			spec.Entrypoint = slices.Clone([]string(c.Entrypoint))
		}
		if c.Cmd != nil {
			spec.Cmd = slices.Clone([]string(c.Cmd))
		}
		if c.Shell != nil {
			spec.Shell = slices.Clone([]string(c.Shell))
		}
		for _, kv := range c.Env {
			k, _, has := strings.Cut(kv, "=")
			spec.Env = append(spec.Env, policy.EnvVar{Key: k, HasValue: has})
		}
		if c.Healthcheck != nil {
			spec.Healthcheck = &policy.Healthcheck{Test: slices.Clone(c.Healthcheck.Test)}
		}
	}
	if r.ContainerJSONBase != nil && r.HostConfig != nil {
		h := r.HostConfig
		spec.Name = strings.TrimPrefix(r.Name, "/")
		spec.Privileged = h.Privileged
		spec.CapAdd = slices.Clone([]string(h.CapAdd))
		spec.CapDrop = slices.Clone([]string(h.CapDrop))
		so, errs := policy.ParseSecurityOpts("HostConfig.SecurityOpt", h.SecurityOpt)
		spec.Security = so
		for _, e := range errs {
			inv(fmt.Sprintf("HostConfig.SecurityOpt[%d]", e.Index), e.Value, e.Reason)
		}
		spec.MaskedPaths = slices.Clone(h.MaskedPaths)
		spec.ReadonlyPaths = slices.Clone(h.ReadonlyPaths)
		spec.VolumeDriver = h.VolumeDriver
		spec.VolumesFrom = slices.Clone(h.VolumesFrom)
		spec.ReadonlyRootfs = h.ReadonlyRootfs
		for i, b := range h.Binds {
			field := fmt.Sprintf("HostConfig.Binds[%d]", i)
			m, err := policy.ParseBind(field, b, h.VolumeDriver)
			if err != nil {
				inv(field, b, err.Error())
				continue
			}
			spec.Mounts = append(spec.Mounts, m)
		}
		for i, m := range h.Mounts {
			field := fmt.Sprintf("HostConfig.Mounts[%d]", i)
			pm, err := mountFromAPI(field, m)
			if err != nil {
				inv(field, m.Target, err.Error())
				continue
			}
			spec.Mounts = append(spec.Mounts, pm)
		}
		for _, target := range slices.Sorted(maps.Keys(h.Tmpfs)) {
			spec.Mounts = append(spec.Mounts, policy.Mount{Field: "HostConfig.Tmpfs[" + target + "]", Type: policy.MountTmpfs, Target: target})
		}
		var err error
		if spec.NetworkMode, err = policy.ParseNetworkMode(string(h.NetworkMode)); err != nil {
			inv("HostConfig.NetworkMode", string(h.NetworkMode), err.Error())
		}
		for _, ns := range []struct {
			field string
			val   string
			dst   *policy.NamespaceMode
			parse func(string) (policy.NamespaceMode, error)
		}{
			{"HostConfig.PidMode", string(h.PidMode), &spec.PIDMode, policy.ParsePIDMode},
			{"HostConfig.IpcMode", string(h.IpcMode), &spec.IPCMode, policy.ParseIPCMode},
			{"HostConfig.UTSMode", string(h.UTSMode), &spec.UTSMode, policy.ParseUTSMode},
			{"HostConfig.UsernsMode", string(h.UsernsMode), &spec.UsernsMode, policy.ParseUsernsMode},
			{"HostConfig.CgroupnsMode", string(h.CgroupnsMode), &spec.CgroupnsMode, policy.ParseCgroupnsMode},
		} {
			m, err := ns.parse(ns.val)
			if err != nil {
				inv(ns.field, ns.val, err.Error())
				continue
			}
			*ns.dst = m
		}
		spec.CgroupParent = h.CgroupParent
		spec.Cgroup = string(h.Cgroup)
		for i, d := range h.Devices {
			spec.Devices = append(spec.Devices, policy.Device{
				Field:      fmt.Sprintf("HostConfig.Devices[%d]", i),
				PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions,
			})
		}
		spec.DeviceCgroupRules = slices.Clone(h.DeviceCgroupRules)
		for i, d := range h.DeviceRequests {
			spec.DeviceRequests = append(spec.DeviceRequests, policy.DeviceRequest{
				Field:  fmt.Sprintf("HostConfig.DeviceRequests[%d]", i),
				Driver: d.Driver, Count: d.Count, DeviceIDs: slices.Clone(d.DeviceIDs),
				Capabilities: d.Capabilities, Options: maps.Clone(d.Options),
			})
		}
		spec.Sysctls = maps.Clone(h.Sysctls)
		// The daemon records its default runtime by name; "runc" is the
		// default runtime's name, anything else was asked for.
		if h.Runtime != "runc" {
			spec.Runtime = h.Runtime
		}
		spec.Annotations = maps.Clone(h.Annotations)
		spec.GroupAdd = slices.Clone(h.GroupAdd)
		if h.Isolation != "" && h.Isolation != container.IsolationDefault {
			spec.Isolation = string(h.Isolation)
		}
		spec.PublishAllPorts = h.PublishAllPorts
		for port, bindings := range h.PortBindings {
			n, err := strconv.ParseUint(port.Port(), 10, 16)
			if err != nil {
				inv("HostConfig.PortBindings", string(port), "unparsable port")
				continue
			}
			for i, b := range bindings {
				field := fmt.Sprintf("HostConfig.PortBindings[%s][%d]", port, i)
				pb := policy.PortBinding{Field: field, ContainerPort: uint16(n), Protocol: policy.Protocol(port.Proto())}
				if b.HostIP != "" {
					ip, err := netip.ParseAddr(b.HostIP)
					if err != nil {
						inv(field, b.HostIP, "unparsable host IP")
						continue
					}
					pb.HostIP = ip
				}
				if b.HostPort != "" {
					hp, err := strconv.ParseUint(b.HostPort, 10, 16)
					if err != nil {
						inv(field, b.HostPort, "unparsable or ranged host port")
						continue
					}
					pb.HostPort = uint16(hp)
				}
				spec.Ports = append(spec.Ports, pb)
			}
		}
		slices.SortFunc(spec.Ports, func(a, b policy.PortBinding) int { return strings.Compare(a.Field, b.Field) })
		spec.Resources = policy.Resources{
			Memory: h.Memory, MemorySwap: h.MemorySwap, NanoCPUs: h.NanoCPUs, CPUShares: h.CPUShares,
			PidsLimit: cloneInt64(h.PidsLimit), OomKillDisable: cloneBool(h.OomKillDisable),
			OomScoreAdj: h.OomScoreAdj, Init: cloneBool(h.Init),
		}
	}
	if r.NetworkSettings != nil {
		for _, n := range slices.Sorted(maps.Keys(r.NetworkSettings.Networks)) {
			// The network named by NetworkMode is listed too; keep only others.
			if n != string(spec.NetworkMode.String()) && !(spec.NetworkMode.Kind == policy.NetworkDefault && n == "bridge") {
				spec.Networks = append(spec.Networks, n)
			}
		}
	}
	info.Spec = spec
	return info
}

// mountFromAPI converts one HostConfig.Mounts entry.
func mountFromAPI(field string, m mount.Mount) (policy.Mount, error) {
	t, err := policy.ParseMountType(string(m.Type))
	if err != nil {
		return policy.Mount{}, err
	}
	pm := policy.Mount{Field: field, Type: t, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
	if t == policy.MountBind && path.IsAbs(m.Source) {
		pm.Source = path.Clean(m.Source)
	}
	if b := m.BindOptions; b != nil {
		p, err := policy.ParsePropagation(string(b.Propagation))
		if err != nil {
			return policy.Mount{}, err
		}
		pm.Propagation = p
		pm.NonRecursive, pm.ReadOnlyNonRecursive = b.NonRecursive, b.ReadOnlyNonRecursive
		pm.ReadOnlyForceRecursive, pm.CreateMountpoint = b.ReadOnlyForceRecursive, b.CreateMountpoint
	}
	if v := m.VolumeOptions; v != nil {
		pm.NoCopy, pm.Subpath = v.NoCopy, v.Subpath
		if v.DriverConfig != nil {
			pm.VolumeDriver = v.DriverConfig.Name
			pm.VolumeOptions = maps.Clone(v.DriverConfig.Options)
		}
	}
	if t == policy.MountImage && m.ImageOptions != nil {
		pm.Subpath = m.ImageOptions.Subpath
	}
	return pm, nil
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}
