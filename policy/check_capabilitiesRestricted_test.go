package policy

import "testing"

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
