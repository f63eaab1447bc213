package policy

import (
	"net/netip"
	"testing"
)

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
