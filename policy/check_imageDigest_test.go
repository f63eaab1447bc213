package policy

import (
	"strings"
	"testing"
)

func TestImageDigestV1(t *testing.T) {
	d := strings.Repeat("a", 64)
	req := &Settings{RequireDigest: true}
	for _, tt := range []struct {
		image string
		s     *Settings
		deny  bool
	}{
		{"alpine:3.20", nil, false},
		{"alpine:3.20", req, true},
		{"alpine@sha256:" + d, req, false},
		{"registry.example.com:5000/team/app:1.0@sha256:" + d, req, false},
		{"alpine@sha256:" + strings.Repeat("A", 64), req, true},
		{"alpine@sha256:" + d[:63], req, true},
		{"alpine@md5:" + d, req, true},
		{"@sha256:" + d, req, true},
		{"", req, true},
	} {
		var want []string
		if tt.deny {
			want = []string{"Config.Image=" + tt.image}
		}
		ckWant(t, tt.image, ckRun(imageDigestV1, &Container{Image: tt.image}, tt.s), want...)
	}
}
