package engine

import "context"

// SystemInfo reports what the daemon is and how much disk it uses. It
// complements System (ping and version). Implementations must be safe for
// concurrent use.
type SystemInfo interface {
	// Info returns a safe subset of GET /info: no proxy settings (which may carry
	// credentials), no registry mirrors, no swarm details, no host paths.
	Info(ctx context.Context) (DaemonInfo, error)
	// DiskUsage returns per-kind totals of GET /system/df, never the full lists.
	DiskUsage(ctx context.Context) (DiskUsage, error)
}

// DaemonInfo is the safe subset of the daemon's info.
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
	// Rootless is true when SecurityOptions include "name=rootless".
	Rootless bool
	// UsernsRemap is true when SecurityOptions include "name=userns".
	UsernsRemap bool
	// Warnings are the daemon's configuration warnings.
	Warnings []string
}

// DiskUsage is the daemon's disk usage per kind of object.
type DiskUsage struct {
	LayersSize int64
	Images     UsageTotal
	Containers UsageTotal
	Volumes    UsageTotal
	BuildCache UsageTotal
}

// UsageTotal is the count and total size of one kind of object. Size is -1 when
// the daemon did not compute it; Active counts the objects in use.
type UsageTotal struct {
	Count       int
	Active      int
	Size        int64
	Reclaimable int64
}
