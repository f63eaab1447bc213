package policy

import "testing"

func TestCapabilitiesV1(t *testing.T) {
	exc := &Settings{Exceptions: Exceptions{Capabilities: []string{"cap_net_admin"}}}
	tests := []struct {
		name string
		c    Container
		s    *Settings
		want []string
	}{
		{"none", Container{}, nil, nil},
		{"default set in any spelling", Container{CapAdd: []string{"chown", "CAP_NET_RAW", "Cap_Kill", "NET_BIND_SERVICE"}}, nil, nil},
		{"sys_admin lower", Container{CapAdd: []string{"sys_admin"}}, nil, []string{"HostConfig.CapAdd[0]=sys_admin"}},
		{"cap_sys_admin", Container{CapAdd: []string{"cap_sys_admin"}}, nil, []string{"HostConfig.CapAdd[0]=cap_sys_admin"}},
		{"CAP_SYS_ADMIN", Container{CapAdd: []string{"CHOWN", "CAP_SYS_ADMIN"}}, nil, []string{"HostConfig.CapAdd[1]=CAP_SYS_ADMIN"}},
		{"unicode long s folds like the daemon", Container{CapAdd: []string{"cap_\u017fys_admin"}}, nil, []string{"HostConfig.CapAdd[0]=cap_\u017fys_admin"}},
		{"ALL", Container{CapAdd: []string{"all"}}, nil, []string{"HostConfig.CapAdd[0]=all"}},
		{"unknown", Container{CapAdd: []string{"SYS_ADMIN "}}, nil, []string{"HostConfig.CapAdd[0]=SYS_ADMIN "}},
		{"CAP_ALL is unknown", Container{CapAdd: []string{"CAP_ALL"}}, nil, []string{"HostConfig.CapAdd[0]=CAP_ALL"}},
		{"excepted in another spelling", Container{CapAdd: []string{"NET_ADMIN"}}, exc, nil},
		{"exception is narrow", Container{CapAdd: []string{"NET_ADMIN", "SYS_PTRACE"}}, exc, []string{"HostConfig.CapAdd[1]=SYS_PTRACE"}},
		{"legacy Capabilities", Container{Capabilities: []string{"CAP_CHOWN"}}, nil, []string{"HostConfig.Capabilities[0]=CAP_CHOWN"}},
		{"unknown drop", Container{CapDrop: []string{"ALL", "bogus"}}, nil, []string{"HostConfig.CapDrop[1]=bogus"}},
	}
	for _, tt := range tests {
		ckWant(t, tt.name, ckRun(capabilitiesV1, &tt.c, tt.s), tt.want...)
	}
}

func TestNormalizeCap(t *testing.T) {
	for in, want := range map[string]string{"cap_sys_admin": "SYS_ADMIN", "Sys_Admin": "SYS_ADMIN", "all": "ALL", "CAP_BPF": "BPF"} {
		if got, ok := normalizeCap(in); !ok || got != want {
			t.Errorf("normalizeCap(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "CAP_", "CAP_CAP_CHOWN", " CHOWN", "SYSADMIN"} {
		if _, ok := normalizeCap(in); ok {
			t.Errorf("normalizeCap(%q) ok; want unknown", in)
		}
	}
	for n := range defaultCaps {
		if _, ok := allCaps[n]; !ok {
			t.Errorf("default capability %s is not in allCaps", n)
		}
	}
	if len(allCaps) != 41 {
		t.Errorf("allCaps has %d entries, want 41", len(allCaps))
	}
}
