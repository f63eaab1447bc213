package safedocker

import (
	"context"
	"slices"
	"time"
)

// System operations. All are read, with capability CapSystemRead: Ping
// (client.go), Version, Info and DiskUsage.

// SystemReader reads daemon-level information (CapSystemRead).
type SystemReader interface {
	Ping(ctx context.Context) (PingResult, error)
	Version(ctx context.Context) (VersionInfo, error)
	Info(ctx context.Context) (DaemonInfo, error)
	DiskUsage(ctx context.Context) (DiskUsage, error)
}

var _ SystemReader = (*Client)(nil)

// VersionInfo describes the daemon's version.
type VersionInfo struct {
	Version       string
	APIVersion    string
	MinAPIVersion string
	GitCommit     string
	GoVersion     string
	OS            string
	Arch          string
	KernelVersion string
	BuildTime     time.Time
}

// DaemonInfo is a safe subset of the daemon's info: it leaves out proxy
// settings (which may carry credentials), registry configuration, swarm
// details, plugins, labels and the daemon's root directory.
type DaemonInfo struct {
	ID                string
	Name              string
	ServerVersion     string
	OperatingSystem   string
	OSType            string
	Architecture      string
	KernelVersion     string
	NCPU              int
	MemTotal          int64
	Containers        int
	ContainersRunning int
	ContainersPaused  int
	ContainersStopped int
	Images            int
	Driver            string
	CgroupDriver      string
	CgroupVersion     string
	DefaultRuntime    string
	// SecurityOptions are the daemon's security features, e.g.
	// "name=seccomp,profile=default", "name=rootless", "name=userns".
	SecurityOptions []string
	// Rootless is true when the daemon runs rootless (recommended).
	Rootless bool
	// UsernsRemap is true when the daemon remaps user namespaces.
	UsernsRemap bool
	Warnings    []string
}

// DiskUsage is the daemon's disk usage per kind of object (totals only).
type DiskUsage struct {
	LayersSize int64
	Images     UsageTotal
	Containers UsageTotal
	Volumes    UsageTotal
	BuildCache UsageTotal
}

// UsageTotal is the count, active count, total size and reclaimable size of
// one kind of object, in bytes. Image reclaimable space is an estimate (the
// size not shared with other images, of unused images).
type UsageTotal struct {
	Count       int
	Active      int
	Size        int64
	Reclaimable int64
}

// Version returns the daemon's version. Safety class: read. Capability:
// CapSystemRead.
func (c *Client) Version(ctx context.Context) (VersionInfo, error) {
	var out VersionInfo
	err := c.run(ctx, operation{name: "system.version", cap: CapSystemRead}, nil, nil, func(ctx context.Context) error {
		v, err := c.eng.Version(ctx)
		if err != nil {
			return err
		}
		out = VersionInfo(v)
		return nil
	})
	if err != nil {
		return VersionInfo{}, err
	}
	return out, nil
}

// Info returns a safe subset of the daemon's information. Safety class: read.
// Capability: CapSystemRead.
func (c *Client) Info(ctx context.Context) (DaemonInfo, error) {
	var out DaemonInfo
	err := c.run(ctx, operation{name: "system.info", cap: CapSystemRead}, nil, nil, func(ctx context.Context) error {
		i, err := c.eng.Info(ctx)
		if err != nil {
			return err
		}
		out = DaemonInfo(i)
		out.SecurityOptions, out.Warnings = slices.Clone(i.SecurityOptions), slices.Clone(i.Warnings)
		return nil
	})
	if err != nil {
		return DaemonInfo{}, err
	}
	return out, nil
}

// DiskUsage returns the daemon's disk usage totals per kind of object. It can
// be slow on a daemon with many objects; the read deadline bounds it. Safety
// class: read. Capability: CapSystemRead.
func (c *Client) DiskUsage(ctx context.Context) (DiskUsage, error) {
	var out DiskUsage
	err := c.run(ctx, operation{name: "system.disk_usage", cap: CapSystemRead}, nil, nil, func(ctx context.Context) error {
		d, err := c.eng.DiskUsage(ctx)
		if err != nil {
			return err
		}
		out = DiskUsage{LayersSize: d.LayersSize, Images: UsageTotal(d.Images), Containers: UsageTotal(d.Containers),
			Volumes: UsageTotal(d.Volumes), BuildCache: UsageTotal(d.BuildCache)}
		return nil
	})
	if err != nil {
		return DiskUsage{}, err
	}
	return out, nil
}
