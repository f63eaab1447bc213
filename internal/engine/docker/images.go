package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/client"

	"github.com/safedocker/safedocker/internal/engine"
)

// imagesAPI is the part of the Docker client the image operations use.
type imagesAPI interface {
	ImageList(ctx context.Context, options image.ListOptions) ([]image.Summary, error)
	ImageInspect(ctx context.Context, imageID string, inspectOpts ...client.ImageInspectOption) (image.InspectResponse, error)
	ImagePull(ctx context.Context, refStr string, options image.PullOptions) (io.ReadCloser, error)
	ImageRemove(ctx context.Context, imageID string, options image.RemoveOptions) ([]image.DeleteResponse, error)
}

// opsFilters converts validated filters to the SDK's type.
func opsFilters(m map[string][]string) filters.Args {
	args := filters.NewArgs()
	for k, vs := range m {
		for _, v := range vs {
			args.Add(k, v)
		}
	}
	return args
}

func imageList(ctx context.Context, api imagesAPI, opts engine.ImageListOptions) ([]engine.ImageSummary, error) {
	list, err := api.ImageList(ctx, image.ListOptions{All: opts.All, Filters: opsFilters(opts.Filters)})
	if err != nil {
		return nil, err
	}
	out := make([]engine.ImageSummary, 0, len(list))
	for _, s := range list {
		out = append(out, engine.ImageSummary{
			ID:          s.ID,
			ParentID:    s.ParentID,
			RepoTags:    slices.Clone(s.RepoTags),
			RepoDigests: slices.Clone(s.RepoDigests),
			Created:     time.Unix(s.Created, 0).UTC(),
			Size:        s.Size,
			Labels:      maps.Clone(s.Labels),
			Containers:  s.Containers,
		})
	}
	return out, nil
}

func imageInspect(ctx context.Context, api imagesAPI, ref string) (engine.ImageDetails, error) {
	r, err := api.ImageInspect(ctx, ref)
	if err != nil {
		return engine.ImageDetails{}, err
	}
	d := engine.ImageDetails{
		ID:           r.ID,
		RepoTags:     slices.Clone(r.RepoTags),
		RepoDigests:  slices.Clone(r.RepoDigests),
		Size:         r.Size,
		Architecture: r.Architecture,
		Variant:      r.Variant,
		OS:           r.Os,
		Author:       r.Author,
		Layers:       slices.Clone(r.RootFS.Layers),
	}
	if t, err := time.Parse(time.RFC3339Nano, r.Created); err == nil {
		d.Created = t.UTC()
	}
	if c := r.Config; c != nil {
		d.User = c.User
		d.Entrypoint = slices.Clone(c.Entrypoint)
		d.Cmd = slices.Clone(c.Cmd)
		d.WorkingDir = c.WorkingDir
		d.Labels = maps.Clone(c.Labels)
		d.StopSignal = c.StopSignal
		d.ExposedPorts = slices.Sorted(maps.Keys(c.ExposedPorts))
		d.Volumes = slices.Sorted(maps.Keys(c.Volumes))
		for _, kv := range c.Env {
			k, _, _ := strings.Cut(kv, "=")
			d.EnvKeys = append(d.EnvKeys, k)
		}
	}
	return d, nil
}

// encodeRegistryAuth builds the X-Registry-Auth header value for one pull.
func encodeRegistryAuth(a *engine.RegistryAuth) (string, error) {
	if a == nil {
		return "", nil
	}
	v, err := registry.EncodeAuthConfig(registry.AuthConfig{
		Username:      a.Username,
		Password:      a.Password,
		ServerAddress: a.ServerAddress,
		IdentityToken: a.IdentityToken,
		RegistryToken: a.RegistryToken,
	})
	if err != nil {
		// The encoder's error never includes the credential, but do not rely on it.
		return "", fmt.Errorf("%w: cannot encode the registry credential", engine.ErrRejected)
	}
	return v, nil
}

// imagePull pulls req.Ref and reads the whole progress stream, so the pull has
// ended (or failed) when it returns. The stream is closed when ctx ends.
func imagePull(ctx context.Context, api imagesAPI, req engine.PullRequest) error {
	auth, err := encodeRegistryAuth(req.Auth)
	if err != nil {
		return err
	}
	rc, err := api.ImagePull(ctx, req.Ref, image.PullOptions{RegistryAuth: auth, Platform: req.Platform})
	if err != nil {
		return err
	}
	defer rc.Close()
	stop := context.AfterFunc(ctx, func() { _ = rc.Close() })
	defer stop()
	err = readProgress(rc, req.Progress)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if se, ok := err.(*streamError); ok {
		return fmt.Errorf("%w: %w", classifyStreamError(se.msg), se)
	}
	return err
}

// classifyStreamError maps the text of an error reported inside a pull's
// progress stream (after the daemon answered 200) onto a sentinel.
func classifyStreamError(msg string) error {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "unauthorized") || strings.Contains(m, "authentication required") ||
		strings.Contains(m, "denied"):
		return engine.ErrForbidden
	case strings.Contains(m, "manifest unknown") || strings.Contains(m, "not found"):
		return engine.ErrNotFound
	}
	return engine.ErrDaemon
}

func imageRemove(ctx context.Context, api imagesAPI, ref string, opts engine.ImageRemoveOptions) ([]engine.ImageDeleted, error) {
	resp, err := api.ImageRemove(ctx, ref, image.RemoveOptions{Force: opts.Force, PruneChildren: !opts.NoPrune})
	if err != nil {
		return nil, err
	}
	out := make([]engine.ImageDeleted, 0, len(resp))
	for _, r := range resp {
		out = append(out, engine.ImageDeleted{Untagged: r.Untagged, Deleted: r.Deleted})
	}
	return out, nil
}

// ImageList implements engine.Images.
func (e *Engine) ImageList(ctx context.Context, opts engine.ImageListOptions) ([]engine.ImageSummary, error) {
	out, err := imageList(ctx, e.cli, opts)
	return out, mapErr("image list", err)
}

// ImageInspect implements engine.Images.
func (e *Engine) ImageInspect(ctx context.Context, ref string) (engine.ImageDetails, error) {
	out, err := imageInspect(ctx, e.cli, ref)
	return out, mapErr("image inspect", err)
}

// ImagePull implements engine.Images. The credential is encoded into the
// X-Registry-Auth header for this request only; it is never logged, and the
// errors returned carry the daemon's message, which the caller redacts.
func (e *Engine) ImagePull(ctx context.Context, req engine.PullRequest) error {
	err := imagePull(ctx, e.cli, req)
	var se *streamError
	if errors.As(err, &se) {
		return err // already classified
	}
	return mapErr("image pull", err)
}

// ImageRemove implements engine.Images.
func (e *Engine) ImageRemove(ctx context.Context, ref string, opts engine.ImageRemoveOptions) ([]engine.ImageDeleted, error) {
	out, err := imageRemove(ctx, e.cli, ref, opts)
	return out, mapErr("image remove", err)
}

var _ engine.Images = (*Engine)(nil)
