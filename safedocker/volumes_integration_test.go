package safedocker_test

import (
	"net/http"
	"testing"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/safedocker"
)

func TestVolumesLive(t *testing.T) {
	l := newOpsLive(t)
	ctx := opsCtx(t)
	name := dockertest.Name(t, "vol")
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/volumes/"+name+"?force=1", nil) })

	v, err := l.c.CreateVolume(ctx, name, safedocker.VolumeCreateOptions{Labels: map[string]string{"team": "ops"}})
	if err != nil || v.Name != name || v.Driver != "local" {
		t.Fatalf("CreateVolume = %+v, %v", v, err)
	}
	got, err := l.c.InspectVolume(ctx, name)
	if err != nil || got.Labels["team"] != "ops" || got.Mountpoint == "" {
		t.Fatalf("InspectVolume = %+v, %v", got, err)
	}
	list, err := l.c.ListVolumes(ctx, safedocker.VolumeListOptions{Name: name, Labels: []string{"team=ops"}})
	if err != nil || len(list.Volumes) != 1 || list.Volumes[0].Name != name {
		t.Fatalf("ListVolumes = %+v, %v", list, err)
	}
	// A tmpfs volume is the one local-driver option set the policy allows.
	tmp := dockertest.Name(t, "vol")
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/volumes/"+tmp+"?force=1", nil) })
	tv, err := l.c.CreateVolume(ctx, tmp, safedocker.VolumeCreateOptions{DriverOpts: map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=1m"}})
	if err != nil || tv.Options["type"] != "tmpfs" {
		t.Fatalf("tmpfs volume: %+v %v", tv, err)
	}
	if err := l.c.RemoveVolume(ctx, name, safedocker.VolumeRemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.c.InspectVolume(ctx, name); !errorsIs(err, safedocker.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
	for _, op := range []string{"volume.create", "volume.inspect", "volume.list", "volume.remove"} {
		if evs := l.auditEvents(t, op); len(evs) < 2 || evs[0]["verdict"] != "allow" {
			t.Fatalf("%s audit %v", op, evs)
		}
	}
}

func TestVolumeDenialsLive(t *testing.T) {
	l := newOpsLive(t)
	ctx := opsCtx(t)
	name := dockertest.Name(t, "vol")
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/volumes/"+name+"?force=1", nil) })
	for desc, opts := range map[string]safedocker.VolumeCreateOptions{
		"bind of the host root":      {DriverOpts: map[string]string{"type": "none", "o": "bind", "device": "/"}},
		"rbind spelled with spaces":  {DriverOpts: map[string]string{"type": "none", "o": " ro , rbind", "device": "/etc"}},
		"bind of the docker socket":  {DriverOpts: map[string]string{"o": "bind", "device": "/var/run/docker.sock"}},
		"block device":               {DriverOpts: map[string]string{"type": "ext4", "device": "/dev/sda1"}},
		"unlisted plugin driver":     {Driver: "vieux/sshfs"},
		"explicit local with device": {Driver: "local", DriverOpts: map[string]string{"device": "/home"}},
	} {
		t.Run(desc, func(t *testing.T) {
			l.denied(t, safedocker.ErrPolicyViolation, func() error {
				_, err := l.c.CreateVolume(ctx, name, opts)
				return err
			})
		})
	}
	t.Run("bad name", func(t *testing.T) {
		l.denied(t, safedocker.ErrInvalidInput, func() error {
			_, err := l.c.CreateVolume(ctx, "../x", safedocker.VolumeCreateOptions{})
			return err
		})
	})
	n, err := l.c.Narrow(safedocker.CapVolumeRead, safedocker.CapVolumeCreate)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("remove without CapVolumeRemove", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			return n.RemoveVolume(ctx, name, safedocker.VolumeRemoveOptions{Force: true})
		})
	})
	r, err := l.c.Narrow(safedocker.CapVolumeRemove)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("list without CapVolumeRead", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			_, err := r.ListVolumes(ctx, safedocker.VolumeListOptions{})
			return err
		})
	})
}
