package enginetest

import (
	"context"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
)

// The methods of the exec, image, volume, network and system-info groups
// (internal/engine/{exec,images,volumes,networks,system}.go). Each records its
// call with Enter and, when Fake.Err is set, returns it; otherwise it returns a
// plausible result, documented on the method.

var (
	_ engine.Exec       = (*Fake)(nil)
	_ engine.Images     = (*Fake)(nil)
	_ engine.Volumes    = (*Fake)(nil)
	_ engine.Networks   = (*Fake)(nil)
	_ engine.SystemInfo = (*Fake)(nil)
)

// ExecCreate implements engine.Exec; it returns the ID "fake-exec".
func (f *Fake) ExecCreate(_ context.Context, cfg engine.ExecConfig) (string, error) {
	f.Enter("ExecCreate", cfg)
	if f.Err != nil {
		return "", f.Err
	}
	return "fake-exec", nil
}

// ExecStart implements engine.Exec; it returns exit code 0 and no output.
func (f *Fake) ExecStart(_ context.Context, id string, limits engine.OutputLimits) (engine.ExecResult, error) {
	f.Enter("ExecStart", id, limits)
	if f.Err != nil {
		return engine.ExecResult{ExitCode: -1}, f.Err
	}
	return engine.ExecResult{}, nil
}

// ImageList implements engine.Images; it returns no images.
func (f *Fake) ImageList(_ context.Context, opts engine.ImageListOptions) ([]engine.ImageSummary, error) {
	f.Enter("ImageList", opts)
	return nil, f.Err
}

// ImageInspect implements engine.Images; it returns an image with ID
// "sha256:fake" tagged ref.
func (f *Fake) ImageInspect(_ context.Context, ref string) (engine.ImageDetails, error) {
	f.Enter("ImageInspect", ref)
	if f.Err != nil {
		return engine.ImageDetails{}, f.Err
	}
	return engine.ImageDetails{ID: "sha256:fake", RepoTags: []string{ref}, OS: "linux", Created: time.Unix(0, 0).UTC()}, nil
}

// ImagePull implements engine.Images; it reports one progress message. The
// recorded argument is the reference only, never the credential.
func (f *Fake) ImagePull(_ context.Context, req engine.PullRequest) error {
	f.Enter("ImagePull", req.Ref)
	if f.Err != nil {
		return f.Err
	}
	if req.Progress != nil {
		req.Progress(engine.PullProgress{Status: "fake pull complete"})
	}
	return nil
}

// ImageRemove implements engine.Images; it reports ref untagged.
func (f *Fake) ImageRemove(_ context.Context, ref string, opts engine.ImageRemoveOptions) ([]engine.ImageDeleted, error) {
	f.Enter("ImageRemove", ref, opts)
	if f.Err != nil {
		return nil, f.Err
	}
	return []engine.ImageDeleted{{Untagged: ref}}, nil
}

// VolumeList implements engine.Volumes; it returns no volumes.
func (f *Fake) VolumeList(_ context.Context, opts engine.VolumeListOptions) ([]engine.Volume, error) {
	f.Enter("VolumeList", opts)
	return nil, f.Err
}

// VolumeInspect implements engine.Volumes; it returns a local volume.
func (f *Fake) VolumeInspect(_ context.Context, name string) (engine.Volume, error) {
	f.Enter("VolumeInspect", name)
	if f.Err != nil {
		return engine.Volume{}, f.Err
	}
	return engine.Volume{Name: name, Driver: "local", Scope: "local"}, nil
}

// VolumeCreate implements engine.Volumes; it echoes the request.
func (f *Fake) VolumeCreate(_ context.Context, req engine.VolumeCreateRequest) (engine.Volume, error) {
	f.Enter("VolumeCreate", req)
	if f.Err != nil {
		return engine.Volume{}, f.Err
	}
	drv := req.Driver
	if drv == "" {
		drv = "local"
	}
	return engine.Volume{Name: req.Name, Driver: drv, Scope: "local", Labels: req.Labels, Options: req.DriverOpts}, nil
}

// VolumeRemove implements engine.Volumes.
func (f *Fake) VolumeRemove(_ context.Context, name string, force bool) error {
	f.Enter("VolumeRemove", name, force)
	return f.Err
}

// NetworkList implements engine.Networks; it returns no networks.
func (f *Fake) NetworkList(_ context.Context, opts engine.NetworkListOptions) ([]engine.Network, error) {
	f.Enter("NetworkList", opts)
	return nil, f.Err
}

// NetworkInspect implements engine.Networks; it returns a local bridge network
// named idOrName, except that "host" and "none" are reported with the host
// and null drivers, as the daemon does.
func (f *Fake) NetworkInspect(_ context.Context, idOrName string) (engine.Network, error) {
	f.Enter("NetworkInspect", idOrName)
	if f.Err != nil {
		return engine.Network{}, f.Err
	}
	drv := "bridge"
	switch idOrName {
	case "host":
		drv = "host"
	case "none":
		drv = "null"
	}
	return engine.Network{ID: "fake-" + idOrName, Name: idOrName, Driver: drv, Scope: "local"}, nil
}

// NetworkCreate implements engine.Networks; it returns "fake-" + the name.
func (f *Fake) NetworkCreate(_ context.Context, req engine.NetworkCreateRequest) (string, error) {
	f.Enter("NetworkCreate", req)
	if f.Err != nil {
		return "", f.Err
	}
	return "fake-" + req.Name, nil
}

// NetworkConnect implements engine.Networks.
func (f *Fake) NetworkConnect(_ context.Context, req engine.NetworkConnectRequest) error {
	f.Enter("NetworkConnect", req)
	return f.Err
}

// NetworkDisconnect implements engine.Networks.
func (f *Fake) NetworkDisconnect(_ context.Context, network, container string, force bool) error {
	f.Enter("NetworkDisconnect", network, container, force)
	return f.Err
}

// NetworkRemove implements engine.Networks.
func (f *Fake) NetworkRemove(_ context.Context, idOrName string) error {
	f.Enter("NetworkRemove", idOrName)
	return f.Err
}

// Info implements engine.SystemInfo; without InfoFunc it describes a small
// linux daemon (no cgroup version reported).
func (f *Fake) Info(ctx context.Context) (engine.DaemonInfo, error) {
	f.Enter("Info")
	if f.InfoFunc != nil {
		return f.InfoFunc(ctx)
	}
	if f.Err != nil {
		return engine.DaemonInfo{}, f.Err
	}
	return engine.DaemonInfo{Name: "fake", ServerVersion: "fake", OSType: "linux", NCPU: 1}, nil
}

// DiskUsage implements engine.SystemInfo; it reports nothing used.
func (f *Fake) DiskUsage(_ context.Context) (engine.DiskUsage, error) {
	f.Enter("DiskUsage")
	return engine.DiskUsage{}, f.Err
}
