package policy

import "testing"

func TestSysctlsV1(t *testing.T) {
	exc := &Settings{Exceptions: Exceptions{Sysctls: []string{"net/core/somaxconn", "kernel.msgmax"}}}
	tests := []struct {
		name string
		c    Container
		s    *Settings
		want []string
	}{
		{"none", Container{}, nil, nil},
		{"allow-listed", Container{Sysctls: map[string]string{"net.ipv4.ip_unprivileged_port_start": "0", "kernel.shm_rmid_forced": "1"}}, nil, nil},
		{"slash form of an allowed key", Container{Sysctls: map[string]string{"net/ipv4/tcp_syncookies": "1"}}, nil, nil},
		{"ip_forward", Container{Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}}, nil, []string{"HostConfig.Sysctls[net.ipv4.ip_forward]=net.ipv4.ip_forward=1"}},
		{"ip_forward slash form", Container{Sysctls: map[string]string{"net/ipv4/ip_forward": "1"}}, nil, []string{"HostConfig.Sysctls[net/ipv4/ip_forward]=net/ipv4/ip_forward=1"}},
		{"core_pattern", Container{Sysctls: map[string]string{"kernel.core_pattern": "|/x"}}, nil, []string{"HostConfig.Sysctls[kernel.core_pattern]=kernel.core_pattern=|/x"}},
		{"sorted findings", Container{Sysctls: map[string]string{"vm.b": "1", "fs.a": "1"}}, nil, []string{"HostConfig.Sysctls[fs.a]=fs.a=1", "HostConfig.Sysctls[vm.b]=vm.b=1"}},
		{"excepted in the other spelling", Container{Sysctls: map[string]string{"net.core.somaxconn": "1024"}}, exc, nil},
		{"allowed key on host network", Container{NetworkMode: NetworkMode{Kind: NetworkHost}, Sysctls: map[string]string{"net.ipv4.tcp_syncookies": "0"}}, nil,
			[]string{"HostConfig.Sysctls[net.ipv4.tcp_syncookies]=net.ipv4.tcp_syncookies=0"}},
		{"allowed key on a container's network", Container{NetworkMode: NetworkMode{Kind: NetworkContainer, Name: "x"}, Sysctls: map[string]string{"net.ipv4.ping_group_range": "0 1"}}, nil,
			[]string{"HostConfig.Sysctls[net.ipv4.ping_group_range]=net.ipv4.ping_group_range=0 1"}},
		{"ipc key on a shared IPC namespace", Container{IPCMode: NamespaceMode{Kind: NamespaceContainer, Container: "x"}, Sysctls: map[string]string{"kernel.msgmax": "1"}}, exc,
			[]string{"HostConfig.Sysctls[kernel.msgmax]=kernel.msgmax=1"}},
		{"invalid key", Container{Sysctls: map[string]string{"": "1"}}, nil, []string{"HostConfig.Sysctls[]==1"}},
	}
	for _, tt := range tests {
		ckWant(t, tt.name, ckRun(sysctlsV1, &tt.c, tt.s), tt.want...)
	}
}

func TestNormalizeSysctl(t *testing.T) {
	for in, want := range map[string]string{
		"net.ipv4.ip_forward":            "net.ipv4.ip_forward",
		"net/ipv4/ip_forward":            "net.ipv4.ip_forward",
		"net/ipv4/conf/eth0.100/forward": "net.ipv4.conf.eth0/100.forward",
		"net.ipv4.conf.eth0/100.forward": "net.ipv4.conf.eth0/100.forward",
		"kernel":                         "kernel",
	} {
		if got := normalizeSysctl(in); got != want {
			t.Errorf("normalizeSysctl(%q) = %q, want %q", in, got, want)
		}
	}
}
