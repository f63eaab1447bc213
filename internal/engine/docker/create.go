package docker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/go-connections/nat"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

// CreateContainer implements engine.Containers.
func (e *Engine) CreateContainer(ctx context.Context, req engine.CreateRequest) (engine.CreateResult, error) {
	body, err := toCreateBody(req)
	if err != nil {
		return engine.CreateResult{}, err
	}
	resp, err := e.cli.ContainerCreate(ctx, body.config, body.host, body.network, nil, req.Spec.Name)
	if err != nil {
		return engine.CreateResult{}, mapErr("container create", err)
	}
	return engine.CreateResult{ID: resp.ID, Warnings: resp.Warnings}, nil
}

// createBody is the Engine API create request.
type createBody struct {
	config  *container.Config
	host    *container.HostConfig
	network *network.NetworkingConfig
}

// unexpressible reports a model the adapter cannot send exactly.
func unexpressible(field, reason string) error {
	return fmt.Errorf("%w: docker: container create: %s: %s", engine.ErrRejected, field, reason)
}

// toCreateBody converts the model into the Engine API body: every model field,
// and nothing else. Mounts use HostConfig.Mounts, except bind mounts asking for
// an SELinux relabel, which only HostConfig.Binds can express.
func toCreateBody(req engine.CreateRequest) (createBody, error) {
	s := req.Spec
	if s == nil {
		return createBody{}, unexpressible("spec", "nil container model")
	}
	if len(s.Invalid) > 0 {
		return createBody{}, unexpressible(s.Invalid[0].Field, "the model holds values that could not be understood")
	}
	if len(s.Capabilities) > 0 {
		return createBody{}, unexpressible("HostConfig.Capabilities", "the legacy exact capability set is not supported")
	}
	set := req.Settings

	cfg := &container.Config{
		Image:      s.Image,
		User:       s.User,
		WorkingDir: s.WorkingDir,
		Labels:     maps.Clone(s.Labels),
		StopSignal: set.StopSignal,
	}
	if s.Entrypoint != nil {
		cfg.Entrypoint = strslice.StrSlice(slices.Clone(s.Entrypoint))
	}
	if s.Cmd != nil {
		cfg.Cmd = strslice.StrSlice(slices.Clone(s.Cmd))
	}
	if s.Shell != nil {
		cfg.Shell = strslice.StrSlice(slices.Clone(s.Shell))
	}
	for _, ev := range s.Env {
		if ev.HasValue {
			cfg.Env = append(cfg.Env, ev.Key+"="+ev.Value)
		} else {
			cfg.Env = append(cfg.Env, ev.Key)
		}
	}
	if s.Healthcheck != nil || set.HealthInterval != 0 || set.HealthTimeout != 0 || set.HealthStartPeriod != 0 || set.HealthRetries != 0 {
		hc := &container.HealthConfig{
			Interval:    set.HealthInterval,
			Timeout:     set.HealthTimeout,
			StartPeriod: set.HealthStartPeriod,
			Retries:     set.HealthRetries,
		}
		if s.Healthcheck != nil {
			hc.Test = slices.Clone(s.Healthcheck.Test)
		}
		cfg.Healthcheck = hc
	}
	if set.StopTimeout != nil {
		secs := int(set.StopTimeout.Seconds())
		cfg.StopTimeout = &secs
	}

	host := &container.HostConfig{
		Privileged:      s.Privileged,
		CapAdd:          strslice.StrSlice(slices.Clone(s.CapAdd)),
		CapDrop:         strslice.StrSlice(slices.Clone(s.CapDrop)),
		MaskedPaths:     slices.Clone(s.MaskedPaths),
		ReadonlyPaths:   slices.Clone(s.ReadonlyPaths),
		VolumeDriver:    s.VolumeDriver,
		VolumesFrom:     slices.Clone(s.VolumesFrom),
		ReadonlyRootfs:  s.ReadonlyRootfs,
		PidMode:         container.PidMode(s.PIDMode.String()),
		IpcMode:         container.IpcMode(s.IPCMode.String()),
		UTSMode:         container.UTSMode(s.UTSMode.String()),
		UsernsMode:      container.UsernsMode(s.UsernsMode.String()),
		CgroupnsMode:    container.CgroupnsMode(s.CgroupnsMode.String()),
		Cgroup:          container.CgroupSpec(s.Cgroup),
		Sysctls:         maps.Clone(s.Sysctls),
		Runtime:         s.Runtime,
		Annotations:     maps.Clone(s.Annotations),
		GroupAdd:        slices.Clone(s.GroupAdd),
		Isolation:       container.Isolation(s.Isolation),
		PublishAllPorts: s.PublishAllPorts,
		OomScoreAdj:     s.Resources.OomScoreAdj,
		Init:            cloneBool(s.Resources.Init),
		RestartPolicy: container.RestartPolicy{
			Name:              container.RestartPolicyMode(set.RestartPolicy),
			MaximumRetryCount: set.RestartMaxRetries,
		},
		Resources: container.Resources{
			CgroupParent:      s.CgroupParent,
			Memory:            s.Resources.Memory,
			MemorySwap:        s.Resources.MemorySwap,
			NanoCPUs:          s.Resources.NanoCPUs,
			CPUShares:         s.Resources.CPUShares,
			PidsLimit:         cloneInt64(s.Resources.PidsLimit),
			OomKillDisable:    cloneBool(s.Resources.OomKillDisable),
			DeviceCgroupRules: slices.Clone(s.DeviceCgroupRules),
		},
	}
	if s.NetworkMode.Kind != policy.NetworkDefault {
		host.NetworkMode = container.NetworkMode(s.NetworkMode.String())
	}
	secOpts, err := engine.SecurityOptStrings(s.Security)
	if err != nil {
		return createBody{}, unexpressible("HostConfig.SecurityOpt", err.Error())
	}
	host.SecurityOpt = secOpts
	for _, d := range s.Devices {
		host.Devices = append(host.Devices, container.DeviceMapping{
			PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions,
		})
	}
	for _, d := range s.DeviceRequests {
		caps := make([][]string, len(d.Capabilities))
		for i, c := range d.Capabilities {
			caps[i] = slices.Clone(c)
		}
		host.DeviceRequests = append(host.DeviceRequests, container.DeviceRequest{
			Driver: d.Driver, Count: d.Count, DeviceIDs: slices.Clone(d.DeviceIDs),
			Capabilities: caps, Options: maps.Clone(d.Options),
		})
	}
	if err := addMounts(host, s.Mounts, set.TmpfsSize); err != nil {
		return createBody{}, err
	}
	if err := addPorts(cfg, host, s.Ports); err != nil {
		return createBody{}, err
	}

	var netCfg *network.NetworkingConfig
	if len(s.Networks) > 0 {
		netCfg = &network.NetworkingConfig{EndpointsConfig: make(map[string]*network.EndpointSettings, len(s.Networks))}
		for _, n := range s.Networks {
			netCfg.EndpointsConfig[n] = &network.EndpointSettings{}
		}
	}
	return createBody{config: cfg, host: host, network: netCfg}, nil
}

// addMounts converts the model's mounts. Binds needing an SELinux relabel go to
// HostConfig.Binds (the Mounts API cannot relabel); everything else to Mounts.
func addMounts(host *container.HostConfig, ms []policy.Mount, tmpfsSize map[string]int64) error {
	for _, m := range ms {
		field := m.Field
		if field == "" {
			field = "mount " + m.Target
		}
		switch m.Type {
		case policy.MountBind:
			if m.Relabel != "" {
				if m.NonRecursive || m.ReadOnlyNonRecursive || m.ReadOnlyForceRecursive || m.CreateMountpoint {
					return unexpressible(field, "a relabelled bind cannot carry bind options")
				}
				mode := []string{"rw"}
				if m.ReadOnly {
					mode[0] = "ro"
				}
				mode = append(mode, m.Relabel)
				if m.Propagation != policy.PropagationDefault {
					mode = append(mode, string(m.Propagation))
				}
				host.Binds = append(host.Binds, m.Source+":"+m.Target+":"+strings.Join(mode, ","))
				continue
			}
			mm := mount.Mount{Type: mount.TypeBind, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
			if m.Propagation != policy.PropagationDefault || m.NonRecursive || m.ReadOnlyNonRecursive || m.ReadOnlyForceRecursive || m.CreateMountpoint {
				mm.BindOptions = &mount.BindOptions{
					Propagation:            mount.Propagation(m.Propagation),
					NonRecursive:           m.NonRecursive,
					ReadOnlyNonRecursive:   m.ReadOnlyNonRecursive,
					ReadOnlyForceRecursive: m.ReadOnlyForceRecursive,
					CreateMountpoint:       m.CreateMountpoint,
				}
			}
			host.Mounts = append(host.Mounts, mm)
		case policy.MountVolume:
			if m.Relabel != "" || m.Propagation != policy.PropagationDefault {
				return unexpressible(field, "a volume mount takes no relabel or propagation")
			}
			mm := mount.Mount{Type: mount.TypeVolume, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
			if m.NoCopy || m.Subpath != "" || m.VolumeDriver != "" || len(m.VolumeOptions) > 0 {
				mm.VolumeOptions = &mount.VolumeOptions{NoCopy: m.NoCopy, Subpath: m.Subpath}
				if m.VolumeDriver != "" || len(m.VolumeOptions) > 0 {
					mm.VolumeOptions.DriverConfig = &mount.Driver{Name: m.VolumeDriver, Options: maps.Clone(m.VolumeOptions)}
				}
			}
			host.Mounts = append(host.Mounts, mm)
		case policy.MountTmpfs:
			if m.Source != "" {
				return unexpressible(field, "a tmpfs mount has no source")
			}
			mm := mount.Mount{Type: mount.TypeTmpfs, Target: m.Target, ReadOnly: m.ReadOnly}
			if size := tmpfsSize[m.Target]; size > 0 {
				mm.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: size}
			}
			host.Mounts = append(host.Mounts, mm)
		default:
			return unexpressible(field, fmt.Sprintf("mount type %q is not supported", m.Type))
		}
	}
	return nil
}

// addPorts converts the port bindings and exposes each bound port.
func addPorts(cfg *container.Config, host *container.HostConfig, ps []policy.PortBinding) error {
	if len(ps) == 0 {
		return nil
	}
	cfg.ExposedPorts = make(nat.PortSet, len(ps))
	host.PortBindings = make(nat.PortMap, len(ps))
	for _, p := range ps {
		switch p.Protocol {
		case policy.ProtocolTCP, policy.ProtocolUDP, policy.ProtocolSCTP:
		default:
			return unexpressible(p.Field, fmt.Sprintf("unknown protocol %q", p.Protocol))
		}
		if p.ContainerPort == 0 {
			return unexpressible(p.Field, "container port 0")
		}
		key := nat.Port(strconv.Itoa(int(p.ContainerPort)) + "/" + string(p.Protocol))
		cfg.ExposedPorts[key] = struct{}{}
		b := nat.PortBinding{}
		if p.HostIP.IsValid() {
			b.HostIP = p.HostIP.String()
		}
		if p.HostPort != 0 {
			b.HostPort = strconv.Itoa(int(p.HostPort))
		}
		host.PortBindings[key] = append(host.PortBindings[key], b)
	}
	return nil
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

func cloneInt64(i *int64) *int64 {
	if i == nil {
		return nil
	}
	v := *i
	return &v
}
