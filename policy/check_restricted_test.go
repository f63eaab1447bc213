package policy

import (
	"net/netip"
	"testing"
)

func TestRunAsNonRoot(t *testing.T) {
	fn := checkRunAsNonRoot().Versions[0]
	for _, tt := range []struct {
		user string
		deny bool
	}{
		{"", true}, {"root", true}, {"0", true}, {"0:0", true}, {"root:root", true},
		{"nobody", true}, {"toor", true}, {"1000:", false}, {"-1", true}, {"4294967296", true},
		{"1000", false}, {"65532:65532", false}, {"1000:0", false}, {"1000:staff", false},
	} {
		var want []string
		if tt.deny {
			want = []string{"Config.User=" + tt.user}
		}
		ckWant(t, "user "+tt.user, ckRun(fn.Container, &Container{User: tt.user}, nil), want...)
		if tt.deny {
			want = []string{"User=" + tt.user}
		}
		ckWant(t, "exec user "+tt.user, ckRunExec(fn.Exec, &Exec{User: tt.user}, nil), want...)
	}
}

func TestCapabilitiesRestrictedV1(t *testing.T) {
	exc := &Settings{Exceptions: Exceptions{Capabilities: []string{"CHOWN"}}}
	for _, tt := range []struct {
		name string
		c    Container
		s    *Settings
		want []string
	}{
		{"nothing dropped", Container{}, nil, []string{"HostConfig.CapDrop="}},
		{"drop all", Container{CapDrop: []string{"all"}}, nil, nil},
		{"drop all plus net_bind_service", Container{CapDrop: []string{"ALL"}, CapAdd: []string{"cap_net_bind_service"}}, nil, nil},
		{"add back a default cap", Container{CapDrop: []string{"ALL"}, CapAdd: []string{"NET_RAW", "chown"}}, nil, []string{"HostConfig.CapAdd[0]=NET_RAW", "HostConfig.CapAdd[1]=chown"}},
		{"excepted", Container{CapDrop: []string{"ALL"}, CapAdd: []string{"chown"}}, exc, nil},
		{"baseline findings are not repeated", Container{CapDrop: []string{"ALL"}, CapAdd: []string{"SYS_ADMIN", "ALL", "bogus"}}, nil, nil},
	} {
		ckWant(t, tt.name, ckRun(capabilitiesRestrictedV1, &tt.c, tt.s), tt.want...)
	}
}

func TestNoNewPrivileges(t *testing.T) {
	fn := checkNoNewPrivileges().Versions[0].Container
	ckWant(t, "unset", ckRun(fn, &Container{}, nil), "HostConfig.SecurityOpt=unset")
	ckWant(t, "false", ckRun(fn, &Container{Security: ckSecOpts(t, "no-new-privileges=false")}, nil), "HostConfig.SecurityOpt[0]=no-new-privileges=false")
	ckWant(t, "bare", ckRun(fn, &Container{Security: ckSecOpts(t, "no-new-privileges")}, nil))
	ckWant(t, "colon true", ckRun(fn, &Container{Security: ckSecOpts(t, "no-new-privileges:true")}, nil))
}

func TestReadOnlyRootfs(t *testing.T) {
	fn := checkReadOnlyRootfs().Versions[0].Container
	ckWant(t, "writable", ckRun(fn, &Container{}, nil), "HostConfig.ReadonlyRootfs=false")
	ckWant(t, "read-only", ckRun(fn, &Container{ReadonlyRootfs: true}, nil))
}

func TestResourceLimitsV1(t *testing.T) {
	p := func(n int64) *int64 { return &n }
	ckWant(t, "none", ckRun(resourceLimitsV1, &Container{}, nil), "HostConfig.Memory=0", "HostConfig.PidsLimit=unset")
	ckWant(t, "unlimited pids", ckRun(resourceLimitsV1, &Container{Resources: Resources{Memory: 1 << 28, PidsLimit: p(-1)}}, nil), "HostConfig.PidsLimit=-1")
	ckWant(t, "both", ckRun(resourceLimitsV1, &Container{Resources: Resources{Memory: 1 << 28, PidsLimit: p(100)}}, nil))
}

func TestLoopbackPortsV1(t *testing.T) {
	port := func(ip string) PortBinding {
		var a netip.Addr
		if ip != "" {
			a = netip.MustParseAddr(ip)
		}
		return PortBinding{Field: "HostConfig.PortBindings[80/tcp][0]", ContainerPort: 80, Protocol: ProtocolTCP, HostIP: a, HostPort: 8080}
	}
	for _, tt := range []struct {
		name string
		c    Container
		want []string
	}{
		{"none", Container{}, nil},
		{"loopback v4, v6 and mapped", Container{Ports: []PortBinding{port("127.0.0.1"), port("::1"), port("127.1.2.3"), port("::ffff:127.0.0.1")}}, nil},
		{"all interfaces", Container{Ports: []PortBinding{port("")}}, []string{"HostConfig.PortBindings[80/tcp][0]=all interfaces"}},
		{"public", Container{Ports: []PortBinding{port("0.0.0.0"), {HostIP: netip.MustParseAddr("10.0.0.1")}}}, []string{"HostConfig.PortBindings[80/tcp][0]=0.0.0.0", "HostConfig.PortBindings[1]=10.0.0.1"}},
		{"publish all", Container{PublishAllPorts: true}, []string{"HostConfig.PublishAllPorts=true"}},
	} {
		ckWant(t, tt.name, ckRun(loopbackPortsV1, &tt.c, nil), tt.want...)
	}
}
