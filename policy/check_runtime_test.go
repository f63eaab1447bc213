package policy

import "testing"

func TestRuntimeV1(t *testing.T) {
	exc := &Settings{Exceptions: Exceptions{Runtimes: []string{"runsc"}}}
	for _, tt := range []struct {
		rt   string
		s    *Settings
		want []string
	}{
		{"", nil, nil},
		{"runc", nil, nil},
		{"io.containerd.runc.v2", nil, nil},
		{"runsc", nil, []string{"HostConfig.Runtime=runsc"}},
		{"runsc", exc, nil},
		{"nvidia", exc, []string{"HostConfig.Runtime=nvidia"}},
		{"RUNC", nil, []string{"HostConfig.Runtime=RUNC"}},
	} {
		ckWant(t, "runtime "+tt.rt, ckRun(runtimeV1, &Container{Runtime: tt.rt}, tt.s), tt.want...)
	}
}
