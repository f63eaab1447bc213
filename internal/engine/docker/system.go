package docker

import (
	"context"
	"slices"
	"strings"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/system"

	"github.com/safedocker/safedocker/internal/engine"
)

// systemAPI is the part of the Docker client the system-info operations use.
type systemAPI interface {
	Info(ctx context.Context) (system.Info, error)
	DiskUsage(ctx context.Context, options types.DiskUsageOptions) (types.DiskUsage, error)
}

// daemonInfo keeps the safe subset of GET /info: it leaves out proxy settings
// (HTTPProxy/HTTPSProxy may carry credentials), registry configuration, swarm
// details, plugin lists, labels and the daemon's root directory.
func daemonInfo(ctx context.Context, api systemAPI) (engine.DaemonInfo, error) {
	i, err := api.Info(ctx)
	if err != nil {
		return engine.DaemonInfo{}, err
	}
	out := engine.DaemonInfo{
		ID:                i.ID,
		Name:              i.Name,
		ServerVersion:     i.ServerVersion,
		OperatingSystem:   i.OperatingSystem,
		OSType:            i.OSType,
		Architecture:      i.Architecture,
		KernelVersion:     i.KernelVersion,
		NCPU:              i.NCPU,
		MemTotal:          i.MemTotal,
		Containers:        i.Containers,
		ContainersRunning: i.ContainersRunning,
		ContainersPaused:  i.ContainersPaused,
		ContainersStopped: i.ContainersStopped,
		Images:            i.Images,
		Driver:            i.Driver,
		CgroupDriver:      i.CgroupDriver,
		CgroupVersion:     i.CgroupVersion,
		DefaultRuntime:    i.DefaultRuntime,
		SecurityOptions:   slices.Clone(i.SecurityOptions),
		Warnings:          slices.Clone(i.Warnings),
	}
	for _, o := range i.SecurityOptions {
		for _, kv := range strings.Split(o, ",") {
			switch kv {
			case "name=rootless":
				out.Rootless = true
			case "name=userns":
				out.UsernsRemap = true
			}
		}
	}
	return out, nil
}

// diskUsage sums GET /system/df per kind of object. Image reclaimable space is
// an estimate: the size not shared with other images, of images no container
// uses.
func diskUsage(ctx context.Context, api systemAPI) (engine.DiskUsage, error) {
	du, err := api.DiskUsage(ctx, types.DiskUsageOptions{})
	if err != nil {
		return engine.DiskUsage{}, err
	}
	out := engine.DiskUsage{LayersSize: du.LayersSize}
	out.Images.Size = du.LayersSize
	for _, im := range du.Images {
		if im == nil {
			continue
		}
		out.Images.Count++
		if im.Containers > 0 {
			out.Images.Active++
			continue
		}
		unique := im.Size
		if im.SharedSize > 0 {
			unique -= im.SharedSize
		}
		if unique > 0 {
			out.Images.Reclaimable += unique
		}
	}
	for _, c := range du.Containers {
		if c == nil {
			continue
		}
		out.Containers.Count++
		out.Containers.Size += c.SizeRw
		if c.State == "running" || c.State == "paused" || c.State == "restarting" {
			out.Containers.Active++
		} else {
			out.Containers.Reclaimable += c.SizeRw
		}
	}
	for _, v := range du.Volumes {
		if v == nil {
			continue
		}
		out.Volumes.Count++
		var size, refs int64 = -1, -1
		if v.UsageData != nil {
			size, refs = v.UsageData.Size, v.UsageData.RefCount
		}
		if size > 0 {
			out.Volumes.Size += size
		}
		if refs > 0 {
			out.Volumes.Active++
		} else if refs == 0 && size > 0 {
			out.Volumes.Reclaimable += size
		}
	}
	for _, b := range du.BuildCache {
		if b == nil {
			continue
		}
		out.BuildCache.Count++
		out.BuildCache.Size += b.Size
		if b.InUse {
			out.BuildCache.Active++
		} else if !b.Shared {
			out.BuildCache.Reclaimable += b.Size
		}
	}
	return out, nil
}

// Info implements engine.SystemInfo.
func (e *Engine) Info(ctx context.Context) (engine.DaemonInfo, error) {
	out, err := daemonInfo(ctx, e.cli)
	return out, mapErr("info", err)
}

// DiskUsage implements engine.SystemInfo.
func (e *Engine) DiskUsage(ctx context.Context) (engine.DiskUsage, error) {
	out, err := diskUsage(ctx, e.cli)
	return out, mapErr("disk usage", err)
}

var _ engine.SystemInfo = (*Engine)(nil)
