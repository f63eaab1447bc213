package policy

import "testing"

func TestSELinuxV1(t *testing.T) {
	for _, tt := range []struct {
		opts []string
		want []string
	}{
		{nil, nil},
		{[]string{"label=level:s0:c100,c200"}, nil},
		{[]string{"label=type:container_t"}, nil},
		{[]string{"label=type:container_engine_t"}, nil},
		{[]string{"label=disable"}, []string{"HostConfig.SecurityOpt[0]=label=disable"}},
		{[]string{"label:disable"}, []string{"HostConfig.SecurityOpt[0]=label=disable"}},
		{[]string{"disable"}, []string{"HostConfig.SecurityOpt[0]=label=disable"}},
		{[]string{"label=type:spc_t"}, []string{"HostConfig.SecurityOpt[0]=label=type:spc_t"}},
		{[]string{"label=type:unconfined_t"}, []string{"HostConfig.SecurityOpt[0]=label=type:unconfined_t"}},
		{[]string{"label=user:system_u", "label=role:system_r"}, []string{"HostConfig.SecurityOpt[1]=label=user:system_u", "HostConfig.SecurityOpt[1]=label=role:system_r"}},
		{[]string{"label=filetype:etc_t"}, []string{"HostConfig.SecurityOpt[0]=label=filetype:etc_t"}},
	} {
		c := &Container{Security: ckSecOpts(t, tt.opts...)}
		ckWant(t, "opts "+stringsJoin(tt.opts), ckRun(selinuxV1, c, nil), tt.want...)
	}
}
