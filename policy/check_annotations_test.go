package policy

import "testing"

func TestAnnotationsV1(t *testing.T) {
	exc := &Settings{Exceptions: Exceptions{Annotations: []string{"org.example.team", "org.example.trace/*"}}}
	for _, tt := range []struct {
		name string
		a    map[string]string
		s    *Settings
		want []string
	}{
		{"none", nil, nil, nil},
		{"any key denied by default", map[string]string{"org.example.team": "a"}, nil, []string{"HostConfig.Annotations[org.example.team]=org.example.team"}},
		{"exact and prefix exceptions", map[string]string{"org.example.team": "a", "org.example.trace/id": "1"}, exc, nil},
		{"runtime control keys", map[string]string{"io.katacontainers.config.hypervisor.path": "/x", "run.oci.keep_original_groups": "1"}, exc,
			[]string{"HostConfig.Annotations[io.katacontainers.config.hypervisor.path]=io.katacontainers.config.hypervisor.path", "HostConfig.Annotations[run.oci.keep_original_groups]=run.oci.keep_original_groups"}},
	} {
		ckWant(t, tt.name, ckRun(annotationsV1, &Container{Annotations: tt.a}, tt.s), tt.want...)
	}
}
