package policy

import "testing"

func TestAppArmorV1(t *testing.T) {
	exc := &Settings{Exceptions: Exceptions{AppArmorProfiles: []string{"my-profile"}}}
	for _, tt := range []struct {
		opts []string
		s    *Settings
		want []string
	}{
		{nil, nil, nil},
		{[]string{"apparmor=docker-default"}, nil, nil},
		{[]string{"apparmor="}, nil, nil},
		{[]string{"apparmor=unconfined"}, nil, []string{"HostConfig.SecurityOpt[0]=apparmor=unconfined"}},
		{[]string{"label=level:s0", "apparmor:unconfined"}, nil, []string{"HostConfig.SecurityOpt[1]=apparmor=unconfined"}},
		{[]string{"apparmor=my-profile"}, nil, []string{"HostConfig.SecurityOpt[0]=apparmor=my-profile"}},
		{[]string{"apparmor=my-profile"}, exc, nil},
		{[]string{"apparmor=unconfined"}, exc, []string{"HostConfig.SecurityOpt[0]=apparmor=unconfined"}},
	} {
		c := &Container{Security: ckSecOpts(t, tt.opts...)}
		ckWant(t, "opts "+stringsJoin(tt.opts), ckRun(appArmorV1, c, tt.s), tt.want...)
	}
}
