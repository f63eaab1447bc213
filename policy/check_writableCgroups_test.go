package policy

import "testing"

func TestWritableCgroupsV1(t *testing.T) {
	for _, tt := range []struct {
		opts []string
		want []string
	}{
		{nil, nil},
		{[]string{"writable-cgroups=false"}, nil},
		{[]string{"no-new-privileges", "writable-cgroups"}, []string{"HostConfig.SecurityOpt[1]=writable-cgroups=true"}},
		{[]string{"writable-cgroups:true"}, []string{"HostConfig.SecurityOpt[0]=writable-cgroups=true"}},
		{[]string{"writable-cgroups=1"}, []string{"HostConfig.SecurityOpt[0]=writable-cgroups=true"}},
	} {
		c := &Container{Security: ckSecOpts(t, tt.opts...)}
		ckWant(t, "opts "+stringsJoin(tt.opts), ckRun(writableCgroupsV1, c, nil), tt.want...)
	}
}

func stringsJoin(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}
