package docker

import (
	"context"
	"maps"

	"github.com/docker/docker/api/types/volume"

	"github.com/safedocker/safedocker/internal/engine"
)

// volumesAPI is the part of the Docker client the volume operations use.
type volumesAPI interface {
	VolumeList(ctx context.Context, options volume.ListOptions) (volume.ListResponse, error)
	VolumeInspect(ctx context.Context, volumeID string) (volume.Volume, error)
	VolumeCreate(ctx context.Context, options volume.CreateOptions) (volume.Volume, error)
	VolumeRemove(ctx context.Context, volumeID string, force bool) error
}

func volumeOf(v *volume.Volume) engine.Volume {
	return engine.Volume{
		Name:       v.Name,
		Driver:     v.Driver,
		Mountpoint: v.Mountpoint,
		Scope:      v.Scope,
		CreatedAt:  v.CreatedAt,
		Labels:     maps.Clone(v.Labels),
		Options:    maps.Clone(v.Options),
	}
}

func volumeList(ctx context.Context, api volumesAPI, opts engine.VolumeListOptions) ([]engine.Volume, error) {
	resp, err := api.VolumeList(ctx, volume.ListOptions{Filters: opsFilters(opts.Filters)})
	if err != nil {
		return nil, err
	}
	out := make([]engine.Volume, 0, len(resp.Volumes))
	for _, v := range resp.Volumes {
		if v != nil {
			out = append(out, volumeOf(v))
		}
	}
	return out, nil
}

func volumeInspect(ctx context.Context, api volumesAPI, name string) (engine.Volume, error) {
	v, err := api.VolumeInspect(ctx, name)
	if err != nil {
		return engine.Volume{}, err
	}
	return volumeOf(&v), nil
}

func volumeCreate(ctx context.Context, api volumesAPI, req engine.VolumeCreateRequest) (engine.Volume, error) {
	v, err := api.VolumeCreate(ctx, volume.CreateOptions{
		Name:       req.Name,
		Driver:     req.Driver,
		DriverOpts: maps.Clone(req.DriverOpts),
		Labels:     maps.Clone(req.Labels),
	})
	if err != nil {
		return engine.Volume{}, err
	}
	return volumeOf(&v), nil
}

func volumeRemove(ctx context.Context, api volumesAPI, name string, force bool) error {
	return api.VolumeRemove(ctx, name, force)
}
