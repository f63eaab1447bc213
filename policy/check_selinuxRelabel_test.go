package policy

import "testing"

func TestSELinuxRelabel(t *testing.T) {
	tests := []struct {
		name string
		c    *Container
		want []string
	}{
		{name: "no relabel", c: mtBinds(t, "", "/a:/a", "/b:/b:ro,rslave")},
		{name: "volume relabel allowed", c: mtBinds(t, "", "vol:/v:z", "vol2:/w:Z,ro")},
		{name: "shared relabel", c: mtBinds(t, "", "/a:/a:z"), want: []string{"HostConfig.Binds[0]|relabel (z)"}},
		{name: "private relabel in a list", c: mtBinds(t, "", "/a:/a:ro", "/srv/x:/b:ro,Z"), want: []string{"HostConfig.Binds[1]|relabel (Z)"}},
		{name: "unknown relabel", c: mtMounts(Mount{Type: MountBind, Source: "/a", Target: "/a", Relabel: "zz"}),
			want: []string{"HostConfig.Mounts[0]|unknown SELinux relabel"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mtRun(selinuxRelabelV1, tt.c, nil)
			mtExpect(t, got, tt.want...)
		})
	}
}
