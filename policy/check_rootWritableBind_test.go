package policy

import "testing"

func TestUserMayBeRoot(t *testing.T) {
	for _, u := range []string{"", "root", "0", "0:0", "00", "+0", "-1", "root:root", "app", "app:1000", " 1000", "1000 ", ":1000", "0x10", "+1000", "000", "12345678901"} {
		if !userMayBeRoot(u) {
			t.Errorf("userMayBeRoot(%q) = false", u)
		}
	}
	for _, u := range []string{"1000", "1000:1000", "1:0", "65534", "1000:root", "0001"} {
		if userMayBeRoot(u) {
			t.Errorf("userMayBeRoot(%q) = true", u)
		}
	}
}

func TestRootWritableBind(t *testing.T) {
	tests := []struct {
		name string
		c    *Container
		want []string
	}{
		{name: "root, read-only binds", c: mtBinds(t, "", "/a:/a:ro", "/b:/b:ro,rslave")},
		{name: "root, writable volume", c: mtBinds(t, "root", "vol:/v", "/anon")},
		{name: "non-root, writable bind", c: mtBinds(t, "1000:1000", "/a:/a", "/b:/b:rw")},
		{name: "unset user, writable bind", c: mtBinds(t, "", "/a:/a:ro", "/b:/b"), want: []string{"HostConfig.Binds[1]|may run as root"}},
		{name: "named user, writable bind", c: mtBinds(t, "nobody", "/b:/b:rw"), want: []string{"HostConfig.Binds[0]|may run as root"}},
		{name: "uid 0, writable bind", c: mtBinds(t, "0:1000", "/b:/b:rw,z"), want: []string{"HostConfig.Binds[0]|may run as root"}},
		{name: "root, ReadOnlyNonRecursive", c: func() *Container {
			c := mtMounts(Mount{Type: MountBind, Source: "/a", Target: "/a", ReadOnly: true, ReadOnlyNonRecursive: true})
			c.User = "root"
			return c
		}(), want: []string{"HostConfig.Mounts[0].ReadOnly|may run as root"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mtExpect(t, mtRun(rootWritableBindV1, tt.c, nil), tt.want...)
		})
	}
}
