package policy

import (
	"errors"
	"testing"
)

func TestHostMounts(t *testing.T) {
	roots := []string{"/srv/data", "/srv/work:rw", "/var/run/app"}
	tests := []struct {
		name  string
		c     *Container
		roots []string
		paths PathResolver
		want  []string // "field|reason substring"
	}{
		{name: "read-only bind under root", c: mtBinds(t, "", "/srv/data:/d:ro")},
		{name: "read-only bind deep under root", c: mtBinds(t, "", "/srv/data/a/b:/d:ro,rslave")},
		{name: "writable bind under writable root", c: mtBinds(t, "", "/srv/work/x:/w")},
		{name: "spelling variants cleaned", c: mtBinds(t, "", "//srv//data/./a/:/d:ro", "/srv/work/../data:/e:ro")},
		{name: "var/run alias of a root", c: mtBinds(t, "", "/run/app/sock:/s:ro")},
		{name: "named and anonymous volumes", c: mtBinds(t, "", "vol:/v", "/anon", "my_vol.1-x:/w:ro")},
		{name: "tmpfs and image mounts", c: mtMounts(Mount{Type: MountTmpfs, Target: "/t"}, Mount{Type: MountImage, Source: "alpine", Target: "/i", Subpath: "usr/share"})},
		{name: "Mounts read-only bind", c: mtMounts(Mount{Type: MountBind, Source: "/srv/data", Target: "/d", ReadOnly: true})},
		{name: "Mounts volume subpath inside", c: mtMounts(Mount{Type: MountVolume, Source: "vol", Target: "/d", Subpath: "a/b"})},

		{name: "writable bind under read-only root", c: mtBinds(t, "", "/srv/data:/d"),
			want: []string{"HostConfig.Binds[0]|writable host bind under a read-only bind root"}},
		{name: "dotdot escapes root", c: mtBinds(t, "", "/srv/data/../etc:/d:ro"),
			want: []string{"HostConfig.Binds[0]|outside the allowed bind roots"}},
		{name: "component prefix is not a root", c: mtBinds(t, "", "/srv/dataX:/d:ro"),
			want: []string{"HostConfig.Binds[0]|outside"}},
		{name: "parent of a root", c: mtBinds(t, "", "/srv:/d:ro"),
			want: []string{"HostConfig.Binds[0]|outside"}},
		{name: "no roots configured", roots: []string{}, c: mtBinds(t, "", "/tmp/x:/x:ro"),
			want: []string{"HostConfig.Binds[0]|outside"}},
		{name: "relative Binds source is an invalid volume name", c: mtBinds(t, "", "./data:/d"),
			want: []string{"HostConfig.Binds[0]|volume name is not valid"}},
		{name: "Mounts relative bind source", c: mtMounts(Mount{Type: MountBind, Source: "srv/data", Target: "/d", ReadOnly: true}),
			want: []string{"HostConfig.Mounts[0].Source|not absolute"}},
		{name: "Mounts bind with backslash", c: mtMounts(Mount{Type: MountBind, Source: `/srv/data\..\..\etc`, Target: "/d", ReadOnly: true}),
			want: []string{"HostConfig.Mounts[0].Source|backslash"}},
		{name: "Mounts bind of a named pipe", c: mtMounts(Mount{Type: MountBind, Source: `//./pipe/docker_engine`, Target: "/p"}),
			want: []string{`HostConfig.Mounts[0].Source|\\.\pipe\docker_engine is the Docker Engine API`}},
		{name: "Mounts bind of a drive path", c: mtMounts(Mount{Type: MountBind, Source: `C:\Windows`, Target: "/p", ReadOnly: true}),
			want: []string{`HostConfig.Mounts[0].Source|c:\windows`}},
		{name: "ReadOnlyNonRecursive counts as writable", c: mtMounts(Mount{Type: MountBind, Source: "/srv/data", Target: "/d", ReadOnly: true, ReadOnlyNonRecursive: true}),
			want: []string{"HostConfig.Mounts[0].Source|ReadOnlyNonRecursive"}},
		{name: "CreateMountpoint needs a writable root", c: mtMounts(Mount{Type: MountBind, Source: "/srv/data/new", Target: "/d", ReadOnly: true, CreateMountpoint: true}),
			want: []string{"HostConfig.Mounts[0].Source|CreateMountpoint"}},
		{name: "CreateMountpoint outside roots", c: mtMounts(Mount{Type: MountBind, Source: "/opt/new", Target: "/d", ReadOnly: true, CreateMountpoint: true}),
			want: []string{"HostConfig.Mounts[0].Source|outside"}},
		{name: "npipe type", c: mtMounts(Mount{Type: MountNpipe, Source: `\\.\pipe\docker_engine`, Target: `\\.\pipe\docker_engine`}),
			want: []string{"HostConfig.Mounts[0].Type|Docker Engine API"}},
		{name: "cluster type", c: mtMounts(Mount{Type: MountCluster, Source: "csi", Target: "/c"}),
			want: []string{"HostConfig.Mounts[0].Type|cluster"}},
		{name: "unknown type", c: mtMounts(Mount{Type: "Bind", Source: "/srv/data", Target: "/c"}),
			want: []string{"HostConfig.Mounts[0].Type|unknown mount type"}},
		{name: "empty type", c: mtMounts(Mount{Source: "/srv/data", Target: "/c"}),
			want: []string{"HostConfig.Mounts[0].Type|unknown mount type"}},
		{name: "Mounts volume with a path source", c: mtMounts(Mount{Type: MountVolume, Source: "/etc", Target: "/c"}),
			want: []string{"HostConfig.Mounts[0].Source|volume name is not valid"}},
		{name: "volume subpath escapes", c: mtMounts(
			Mount{Type: MountVolume, Source: "vol", Target: "/a", Subpath: "../x"},
			Mount{Type: MountVolume, Source: "vol", Target: "/b", Subpath: "/etc"},
			Mount{Type: MountVolume, Source: "vol", Target: "/c", Subpath: "a/../../b"},
			Mount{Type: MountImage, Source: "alpine", Target: "/d", Subpath: `..\x`}),
			want: []string{
				"HostConfig.Mounts[0].VolumeOptions.Subpath|subpath",
				"HostConfig.Mounts[1].VolumeOptions.Subpath|subpath",
				"HostConfig.Mounts[2].VolumeOptions.Subpath|subpath",
				"HostConfig.Mounts[3].ImageOptions.Subpath|subpath",
			}},
		{name: "every bad bind reported", c: mtBinds(t, "", "/srv/data:/a:ro", "/opt:/b:ro", "/srv/data:/c", "/srv/work:/d"),
			want: []string{"HostConfig.Binds[1]|outside", "HostConfig.Binds[2]|read-only bind root"}},

		{name: "resolved source stays inside", paths: mtLinks{"/srv/data/l": "/srv/data/real"},
			c: mtBinds(t, "", "/srv/data/l/x:/d:ro")},
		{name: "symlink out of the root", paths: mtLinks{"/srv/data/l": "/opt/secret"},
			c:    mtBinds(t, "", "/srv/data/l/x:/d:ro"),
			want: []string{"HostConfig.Binds[0]|resolves through symlinks to /opt/secret/x"}},
		{name: "symlink to a read-only root from a writable one", paths: mtLinks{"/srv/work/l": "/srv/data"},
			c:    mtBinds(t, "", "/srv/work/l:/d"),
			want: []string{"HostConfig.Binds[0]|resolves through symlinks to /srv/data: writable host bind under a read-only"}},
		{name: "root itself is a symlink", paths: mtLinks{"/srv/data": "/mnt/disk/data"},
			c: mtBinds(t, "", "/srv/data/x:/d:ro")},
		{name: "resolver failure denies", roots: []string{"/"}, paths: mtLinks{},
			c:    mtBinds(t, "", "/broken/x:/d:ro"),
			want: []string{"HostConfig.Binds[0]|cannot be resolved"}},
		{name: "existing Binds source under read-only root", paths: mtStat{"/srv/data/x": true},
			c: mtBinds(t, "", "/srv/data/x:/d:ro")},
		{name: "missing Binds source under read-only root", paths: mtStat{},
			c:    mtBinds(t, "", "/srv/data/new:/d:ro"),
			want: []string{"HostConfig.Binds[0]|daemon creates a missing Binds source"}},
		{name: "missing Binds source under writable root", paths: mtStat{},
			c: mtBinds(t, "", "/srv/work/new:/d:ro")},
		{name: "missing Mounts source is the daemon's error, not a creation", paths: mtStat{},
			c: mtMounts(Mount{Type: MountBind, Source: "/srv/data/new", Target: "/d", ReadOnly: true})},
		{name: "unknown existence denies", paths: mtStat{"/srv/data/x": false, "err": true},
			c:    mtBinds(t, "", "/srv/data/x:/d:ro"),
			want: []string{"HostConfig.Binds[0]|cannot tell whether the host path exists"}},
		{name: "resolver without PathStatter cannot see it", paths: mtLinks{},
			c: mtBinds(t, "", "/srv/data/new:/d:ro")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := roots
			if tt.roots != nil {
				r = tt.roots
			}
			s := mtRoots(r...)
			s.Paths = tt.paths
			mtExpect(t, mtRun(hostMountsV1, tt.c, s), tt.want...)
		})
	}
}

func TestHostMountsFindingValues(t *testing.T) {
	got := mtRun(hostMountsV1, mtBinds(t, "", "//opt//x/:/d:ro"), mtRoots())
	if len(got) != 1 || got[0].Value != "/opt/x" {
		t.Fatalf("want the cleaned path as value, got %v", got)
	}
}

// mtStat resolves every path to itself and reports the paths it holds as
// existing; the key "err" makes HostPathExists fail.
type mtStat map[string]bool

func (m mtStat) ResolveHostPath(p string) (string, error) { return p, nil }

func (m mtStat) HostPathExists(p string) (bool, error) {
	if m["err"] {
		return false, errors.New("permission denied")
	}
	return m[p], nil
}
