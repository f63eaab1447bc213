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

// VolumeList implements engine.Volumes.
func (e *Engine) VolumeList(ctx context.Context, opts engine.VolumeListOptions) ([]engine.Volume, error) {
	out, err := volumeList(ctx, e.cli, opts)
	return out, mapErr("volume list", err)
}

// VolumeInspect implements engine.Volumes.
func (e *Engine) VolumeInspect(ctx context.Context, name string) (engine.Volume, error) {
	out, err := volumeInspect(ctx, e.cli, name)
	return out, mapErr("volume inspect", err)
}

// VolumeCreate implements engine.Volumes.
func (e *Engine) VolumeCreate(ctx context.Context, req engine.VolumeCreateRequest) (engine.Volume, error) {
	out, err := volumeCreate(ctx, e.cli, req)
	return out, mapErr("volume create", err)
}

// VolumeRemove implements engine.Volumes.
func (e *Engine) VolumeRemove(ctx context.Context, name string, force bool) error {
	return mapErr("volume remove", volumeRemove(ctx, e.cli, name, force))
}

var _ engine.Volumes = (*Engine)(nil)
