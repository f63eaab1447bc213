package policy

import "testing"

func TestVolumeDriverOptionsContainer(t *testing.T) {
	vol := func(driver string, opts map[string]string) Mount {
		return Mount{Type: MountVolume, Source: "v1", Target: "/v", VolumeDriver: driver, VolumeOptions: opts}
	}
	tests := []struct {
		name    string
		c       *Container
		drivers []string
		want    []string
	}{
		{name: "plain volumes", c: mtBinds(t, "", "vol:/v", "/anon")},
		{name: "Mounts local without options", c: mtMounts(vol("", nil), vol("local", map[string]string{}))},
		{name: "tmpfs volume", c: mtMounts(vol("local", map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=100m,uid=1000,mode=1777,noexec,nosuid,nodev"}))},
		{name: "tmpfs volume without device", c: mtMounts(vol("", map[string]string{"type": "tmpfs", "o": "size=1m"}))},
		{name: "directory quota only (docker volume create --opt size=10G)", c: mtMounts(vol("local", map[string]string{"size": "10G"}))},
		{name: "allowed plugin with any options", drivers: []string{"rexray/ebs"},
			c: mtMounts(vol("rexray/ebs", map[string]string{"o": "bind", "device": "/"}))},
		{name: "allowed plugin as HostConfig.VolumeDriver", drivers: []string{"convoy"},
			c: func() *Container { c := mtBinds(t, "", "vol:/v"); c.VolumeDriver = "convoy"; return c }()},

		{name: "o=bind", c: mtMounts(vol("local", map[string]string{"type": "none", "o": "bind", "device": "/"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|device"}},
		{name: "o=ro,bind with tmpfs type", c: mtMounts(vol("", map[string]string{"type": "tmpfs", "o": "ro,bind", "device": "tmpfs"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|bind-mounts a host path"}},
		{name: "spaces around commas", c: mtMounts(vol("", map[string]string{"type": "tmpfs", "o": "size=1m, rbind"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|rbind bind-mounts"}},
		{name: "upper-case bind", c: mtMounts(vol("", map[string]string{"type": "tmpfs", "o": "BIND"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|bind-mounts"}},
		{name: "type none", c: mtMounts(vol("", map[string]string{"type": "none"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|type none"}},
		{name: "block device", c: mtMounts(vol("local", map[string]string{"type": "ext4", "device": "/dev/sda1"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|/dev/sda1"}},
		{name: "nfs", c: mtMounts(vol("local", map[string]string{"type": "nfs", "o": "addr=10.0.0.1,rw", "device": ":/export"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|device :/export"}},
		{name: "cifs password never reported", c: mtMounts(vol("local", map[string]string{"type": "tmpfs", "o": "username=u,password=hunter2"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|username is not a tmpfs option"}},
		{name: "options without type", c: mtMounts(vol("local", map[string]string{"o": "size=1m"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|without type=tmpfs"}},
		{name: "unknown key", c: mtMounts(vol("local", map[string]string{"Type": "tmpfs"})),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options|unknown local volume option"}},
		{name: "Mounts plugin", c: mtMounts(vol("rexray/ebs", nil)),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Name|plugins run with host privileges"}},
		{name: "Local is a plugin name", c: mtMounts(vol("Local", nil)),
			want: []string{"HostConfig.Mounts[0].VolumeOptions.DriverConfig.Name|plugins"}},
		{name: "HostConfig.VolumeDriver once, not per bind",
			c:    func() *Container { c := mtBinds(t, "", "vol:/v", "vol2:/w"); c.VolumeDriver = "convoy"; return c }(),
			want: []string{"HostConfig.VolumeDriver|plugins"}},
		{name: "Config.Volumes anonymous volume uses HostConfig.VolumeDriver",
			c:    &Container{VolumeDriver: "convoy", Mounts: []Mount{{Field: "Volumes[/data]", Type: MountVolume, Target: "/data", VolumeDriver: "convoy"}}},
			want: []string{"HostConfig.VolumeDriver|plugins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Settings{}
			s.Exceptions.VolumeDrivers = tt.drivers
			got := mtRun(volumeDriverOptionsV1, tt.c, s)
			mtExpect(t, got, tt.want...)
			for _, f := range got {
				if containsAny(f.Value+f.Reason, "hunter2", "password") {
					t.Errorf("finding leaks an option value: %s", f)
				}
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		for i := 0; i+len(sub) <= len(s); i++ {
			if s[i:i+len(sub)] == sub {
				return true
			}
		}
	}
	return false
}

func TestVolumeDriverOptionsCreate(t *testing.T) {
	tests := []struct {
		name    string
		v       VolumeCreate
		drivers []string
		want    []string
	}{
		{name: "plain", v: VolumeCreate{Name: "data"}},
		{name: "anonymous local", v: VolumeCreate{Driver: "local"}},
		{name: "tmpfs", v: VolumeCreate{Name: "scratch", DriverOpts: map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=64m"}}},
		{name: "directory quota only", v: VolumeCreate{Name: "quota", DriverOpts: map[string]string{"size": "10G"}}},
		{name: "allowed plugin", drivers: []string{"nfsplugin"}, v: VolumeCreate{Name: "xx", Driver: "nfsplugin", DriverOpts: map[string]string{"share": "/"}}},

		{name: "host root bind", v: VolumeCreate{Name: "hostroot", DriverOpts: map[string]string{"type": "none", "o": "bind", "device": "/"}},
			want: []string{"DriverOpts|device / is a host path"}},
		{name: "o=ro,bind", v: VolumeCreate{Name: "hv", Driver: "local", DriverOpts: map[string]string{"type": "tmpfs", "o": "ro,bind", "device": "tmpfs"}},
			want: []string{"DriverOpts|bind-mounts"}},
		{name: "plugin", v: VolumeCreate{Name: "hv", Driver: "vieux/sshfs", DriverOpts: map[string]string{"sshcmd": "u@h:/"}},
			want: []string{"Driver|plugins"}},
		{name: "cluster", v: VolumeCreate{Name: "cv", ClusterVolume: true},
			want: []string{"ClusterVolumeSpec|cluster"}},
		{name: "bad name", v: VolumeCreate{Name: "../etc"},
			want: []string{"Name|not valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Settings{}
			s.Exceptions.VolumeDrivers = tt.drivers
			var r Report
			volumeCreateOptionsV1(&tt.v, s, &r)
			mtExpect(t, r.findings, tt.want...)
		})
	}
}
