package safedocker

import (
	"context"
	"maps"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// Volume operations. Safety classes and capabilities:
//
//	ListVolumes, InspectVolume   read         CapVolumeRead
//	CreateVolume                 write        CapVolumeCreate
//	RemoveVolume                 destructive  CapVolumeRemove
//
// CreateVolume is judged by the client's policy evaluator
// ((*policy.Evaluator).Volume): driver options that bind or mount host paths
// or devices (the local driver's type/o/device options) are denied, and only
// the built-in "local" driver and the drivers listed in the policy's
// Exceptions.VolumeDrivers are allowed.

// VolumeReader lists and inspects volumes (CapVolumeRead).
type VolumeReader interface {
	ListVolumes(ctx context.Context, opts VolumeListOptions) (VolumeList, error)
	InspectVolume(ctx context.Context, name string) (Volume, error)
}

// VolumeCreator creates volumes (CapVolumeCreate).
type VolumeCreator interface {
	CreateVolume(ctx context.Context, name string, opts VolumeCreateOptions, callOpts ...CallOption) (Volume, error)
}

// VolumeRemover removes volumes (CapVolumeRemove).
type VolumeRemover interface {
	RemoveVolume(ctx context.Context, name string, opts VolumeRemoveOptions) error
}

var (
	_ VolumeReader  = (*Client)(nil)
	_ VolumeCreator = (*Client)(nil)
	_ VolumeRemover = (*Client)(nil)
)

// Volume is a volume as the daemon reports it.
type Volume struct {
	Name string
	// Driver is the volume driver, e.g. "local".
	Driver string
	// Mountpoint is the volume's path on the daemon's host.
	Mountpoint string
	Scope      string
	CreatedAt  string
	Labels     map[string]string
	// Options are the driver options the volume was created with.
	Options map[string]string
}

// VolumeListOptions selects volumes to list. Every field is optional; the
// fields are the only filters offered.
type VolumeListOptions struct {
	// Name matches volumes whose name contains it.
	Name string
	// Driver matches volumes of this driver.
	Driver string
	// Labels match volumes carrying each label ("key" or "key=value").
	Labels []string
	// Dangling, when set, selects only unused (true) or used (false) volumes.
	Dangling *bool
	// Limit caps the result; 0 means the client's OutputBounds.ListItems, and a
	// larger value is an error.
	Limit int
}

// VolumeList is the result of ListVolumes.
type VolumeList struct {
	Volumes []Volume
	// Total is the number of volumes the daemon returned.
	Total int
	// Truncated is true when Total exceeds len(Volumes).
	Truncated bool
}

// VolumeCreateOptions describes a volume to create. The zero value is a local
// volume without options.
type VolumeCreateOptions struct {
	// Driver is the volume driver; "" means "local".
	Driver string
	// DriverOpts are driver options, judged by the policy.
	DriverOpts map[string]string
	// Labels are set on the volume.
	Labels map[string]string
}

// VolumeRemoveOptions tunes a removal.
type VolumeRemoveOptions struct {
	// Force removes the volume even when the daemon would refuse (for example a
	// volume whose driver plugin is gone).
	Force bool
}

func volumeFromEngine(v engine.Volume) Volume {
	return Volume{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Scope: v.Scope, CreatedAt: v.CreatedAt,
		Labels: maps.Clone(v.Labels), Options: maps.Clone(v.Options)}
}

// ListVolumes lists volumes, at most the client's list bound. Safety class:
// read. Capability: CapVolumeRead.
func (c *Client) ListVolumes(ctx context.Context, opts VolumeListOptions) (VolumeList, error) {
	var out VolumeList
	var req engine.VolumeListOptions
	var limit int
	validate := func() error {
		var err error
		if limit, err = resolveLimit("Limit", opts.Limit, c.bounds.ListItems); err != nil {
			return err
		}
		if err := checkArgText("Name", opts.Name, maxObjectName); err != nil {
			return err
		}
		if err := checkArgText("Driver", opts.Driver, maxObjectName); err != nil {
			return err
		}
		labels, err := checkLabelFilters("Labels", opts.Labels)
		if err != nil {
			return err
		}
		f := opsFilterSet{}
		f.add("name", opts.Name)
		f.add("driver", opts.Driver)
		f.add("label", labels...)
		f.add("dangling", boolFilterValue(opts.Dangling)...)
		req.Filters = f
		return checkFilters(validate.VolumeObjects, f)
	}
	err := c.run(ctx, operation{name: "volume.list", cap: CapVolumeRead}, validate, nil, func(ctx context.Context) error {
		list, err := c.eng.VolumeList(ctx, req)
		if err != nil {
			return err
		}
		out.Total = len(list)
		if len(list) > limit {
			list, out.Truncated = list[:limit], true
		}
		out.Volumes = make([]Volume, 0, len(list))
		for _, v := range list {
			out.Volumes = append(out.Volumes, volumeFromEngine(v))
		}
		return nil
	})
	if err != nil {
		return VolumeList{}, err
	}
	return out, nil
}

// InspectVolume returns one volume by name. Safety class: read. Capability:
// CapVolumeRead.
func (c *Client) InspectVolume(ctx context.Context, name string) (Volume, error) {
	var out Volume
	err := c.run(ctx, operation{name: "volume.inspect", cap: CapVolumeRead, target: name},
		func() error { return checkObjectRef("name", name) }, nil,
		func(ctx context.Context) error {
			v, err := c.eng.VolumeInspect(ctx, name)
			if err != nil {
				return err
			}
			out = volumeFromEngine(v)
			return nil
		})
	if err != nil {
		return Volume{}, err
	}
	return out, nil
}

// CreateVolume creates a volume named name (a name is required: anonymous
// volumes are not offered). The policy evaluator judges the driver and its
// options; callOpts may tighten it for this call (see Tighten). Safety class:
// write. Capability: CapVolumeCreate.
func (c *Client) CreateVolume(ctx context.Context, name string, opts VolumeCreateOptions, callOpts ...CallOption) (Volume, error) {
	var out Volume
	var ev *policy.Evaluator
	model := &policy.VolumeCreate{Name: name, Driver: opts.Driver, DriverOpts: maps.Clone(opts.DriverOpts), Labels: maps.Clone(opts.Labels)}
	validate := func() error {
		var err error
		if ev, err = c.callEvaluator(callOpts); err != nil {
			return err
		}
		if err := checkObjectName("name", name); err != nil {
			return err
		}
		if err := checkArgText("Driver", opts.Driver, maxObjectName); err != nil {
			return err
		}
		if len(opts.DriverOpts) > maxLabels {
			return argError("DriverOpts", "more than %d options", maxLabels)
		}
		for k, v := range opts.DriverOpts {
			if k == "" {
				return argError("DriverOpts", "empty option key")
			}
			if err := checkArgText("DriverOpts["+truncate(k, 64)+"]", k+v, maxText); err != nil {
				return err
			}
		}
		return checkNewLabels("Labels", opts.Labels)
	}
	judge := func() verdict { return opsDecisionVerdict(ev.Volume(model)) }
	err := c.run(ctx, operation{name: "volume.create", cap: CapVolumeCreate, target: name}, validate, judge,
		func(ctx context.Context) error {
			v, err := c.eng.VolumeCreate(ctx, engine.VolumeCreateRequest{
				Name: model.Name, Driver: model.Driver, DriverOpts: model.DriverOpts, Labels: model.Labels,
			})
			if err != nil {
				return err
			}
			out = volumeFromEngine(v)
			return nil
		})
	if err != nil {
		return Volume{}, err
	}
	return out, nil
}

// RemoveVolume removes a volume by name. Safety class: destructive.
// Capability: CapVolumeRemove.
func (c *Client) RemoveVolume(ctx context.Context, name string, opts VolumeRemoveOptions) error {
	return c.run(ctx, operation{name: "volume.remove", cap: CapVolumeRemove, target: name},
		func() error { return checkObjectRef("name", name) }, nil,
		func(ctx context.Context) error { return c.eng.VolumeRemove(ctx, name, opts.Force) })
}
