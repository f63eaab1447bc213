package policy

import "testing"

func TestMountPropagation(t *testing.T) {
	tests := []struct {
		name string
		c    *Container
		want []string
	}{
		{name: "defaults", c: mtBinds(t, "", "/a:/a", "vol:/v", "/b:/b:ro")},
		{name: "private and slave", c: mtBinds(t, "", "/a:/a:private", "/b:/b:rprivate", "/c:/c:ro,slave", "/d:/d:rslave")},
		{name: "Mounts rslave", c: mtMounts(Mount{Type: MountBind, Source: "/a", Target: "/a", Propagation: PropagationRSlave})},
		{name: "Binds shared", c: mtBinds(t, "", "/a:/a:shared"), want: []string{"HostConfig.Binds[0]|shared propagation"}},
		{name: "Binds rshared in a list", c: mtBinds(t, "", "/a:/a:ro", "/b:/b:ro,rshared"), want: []string{"HostConfig.Binds[1]|shared"}},
		{name: "Binds rshared with label", c: mtBinds(t, "", "/b:/b:Z,rshared,ro"), want: []string{"HostConfig.Binds[0]|shared"}},
		{name: "Mounts shared", c: mtMounts(Mount{Type: MountBind, Source: "/a", Target: "/a", Propagation: PropagationShared}),
			want: []string{"HostConfig.Mounts[0].BindOptions.Propagation|shared"}},
		{name: "Mounts rshared", c: mtMounts(Mount{Type: MountBind, Source: "/a", Target: "/a"}, Mount{Type: MountBind, Source: "/b", Target: "/b", Propagation: PropagationRShared}),
			want: []string{"HostConfig.Mounts[1].BindOptions.Propagation|shared"}},
		{name: "unknown", c: mtMounts(Mount{Type: MountBind, Source: "/a", Target: "/a", Propagation: "RSHARED"}),
			want: []string{"HostConfig.Mounts[0].BindOptions.Propagation|unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mtExpect(t, mtRun(mountPropagationV1, tt.c, nil), tt.want...)
		})
	}
}
