package policy

import "testing"

func TestHostNamespacesV1(t *testing.T) {
	mustNS := func(m NamespaceMode, err error) NamespaceMode {
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		name string
		c    Container
		want []string
	}{
		{"defaults", Container{}, nil},
		{"private modes", Container{IPCMode: mustNS(ParseIPCMode("shareable")), UsernsMode: mustNS(ParseUsernsMode("private")), CgroupnsMode: mustNS(ParseCgroupnsMode("private")), NetworkMode: NetworkMode{Kind: NetworkBridge}}, nil},
		{"network host", Container{NetworkMode: NetworkMode{Kind: NetworkHost}}, []string{"HostConfig.NetworkMode=host"}},
		{"network container", Container{NetworkMode: NetworkMode{Kind: NetworkContainer, Name: "db"}}, []string{"HostConfig.NetworkMode=container:db"}},
		{"pid host", Container{PIDMode: mustNS(ParsePIDMode("host"))}, []string{"HostConfig.PidMode=host"}},
		{"pid container", Container{PIDMode: mustNS(ParsePIDMode("container:x"))}, []string{"HostConfig.PidMode=container:x"}},
		{"ipc host and container", Container{IPCMode: mustNS(ParseIPCMode("container:y"))}, []string{"HostConfig.IpcMode=container:y"}},
		{"uts userns cgroupns host", Container{UTSMode: mustNS(ParseUTSMode("host")), UsernsMode: mustNS(ParseUsernsMode("host")), CgroupnsMode: mustNS(ParseCgroupnsMode("host"))},
			[]string{"HostConfig.UTSMode=host", "HostConfig.UsernsMode=host", "HostConfig.CgroupnsMode=host"}},
		{"cgroup join", Container{Cgroup: "container:abc"}, []string{"HostConfig.Cgroup=container:abc"}},
		{"cgroup unknown", Container{Cgroup: "host"}, []string{"HostConfig.Cgroup=host"}},
		{"networks host any case", Container{Networks: []string{"frontend", "HOST"}}, []string{"NetworkingConfig.EndpointsConfig[HOST]=HOST"}},
		{"unknown kind fails closed", Container{PIDMode: NamespaceMode{Kind: 99}}, []string{"HostConfig.PidMode=NamespaceKind(99)"}},
	}
	for _, tt := range tests {
		ckWant(t, tt.name, ckRun(hostNamespacesV1, &tt.c, nil), tt.want...)
	}
}
