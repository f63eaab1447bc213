package decode

import (
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"

	"github.com/safedocker/safedocker/policy"
)

// mapExec maps an exec-create request into the model.
func mapExec(rt Route, o *container.ExecOptions, unknown []unknownKey) *policy.Exec {
	var iv invalids
	x := &policy.Exec{
		Container:  rt.Container,
		Cmd:        o.Cmd,
		User:       o.User,
		WorkingDir: o.WorkingDir,
		Env:        parseEnv(o.Env),
		Privileged: o.Privileged,
		Tty:        o.Tty,
	}
	applyUnknown(&iv, unknown, nil)
	x.Invalid = iv.list
	return x
}

// mapVolume maps a volume-create request into the model.
func mapVolume(rt Route, o *volume.CreateOptions, unknown []unknownKey) *policy.VolumeCreate {
	var iv invalids
	v := &policy.VolumeCreate{
		Name:       o.Name,
		Driver:     o.Driver,
		DriverOpts: o.DriverOpts,
		Labels:     o.Labels,
		// Before API 1.42 the daemon ignores the cluster spec and creates a
		// local volume.
		ClusterVolume: o.ClusterVolumeSpec != nil && !rt.Version.less(1, 42),
	}
	applyUnknown(&iv, unknown, nil)
	v.Invalid = iv.list
	return v
}
