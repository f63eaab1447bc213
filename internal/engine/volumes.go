package engine

import "context"

// Volumes lists, inspects, creates and removes volumes. Implementations must be
// safe for concurrent use.
type Volumes interface {
	// VolumeList lists volumes; opts.Filters must already be allow-listed.
	VolumeList(ctx context.Context, opts VolumeListOptions) ([]Volume, error)
	// VolumeInspect returns one volume by name.
	VolumeInspect(ctx context.Context, name string) (Volume, error)
	// VolumeCreate creates a volume exactly as requested (the caller has checked it).
	VolumeCreate(ctx context.Context, req VolumeCreateRequest) (Volume, error)
	// VolumeRemove removes a volume; force also removes it when in use.
	VolumeRemove(ctx context.Context, name string, force bool) error
}

// VolumeListOptions selects volumes.
type VolumeListOptions struct {
	// Filters are Engine API list filters (key to values), already validated.
	Filters map[string][]string
}

// Volume is a volume as the daemon reports it.
type Volume struct {
	Name       string
	Driver     string
	Mountpoint string
	Scope      string
	CreatedAt  string
	Labels     map[string]string
	// Options are the driver options the volume was created with.
	Options map[string]string
}

// VolumeCreateRequest is a volume-create request in our terms.
type VolumeCreateRequest struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}
