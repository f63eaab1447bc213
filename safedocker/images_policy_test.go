package safedocker

import (
	"errors"
	"testing"

	"github.com/safedocker/safedocker/policy"
)

func TestParsePullRef(t *testing.T) {
	good := map[string][2]string{ // ref -> registry, repo
		"alpine:3.20":                      {"docker.io", "docker.io/library/alpine"},
		"index.docker.io/library/alpine:3": {"docker.io", "docker.io/library/alpine"},
		"127.0.0.1:5000/team/app:v1":       {"127.0.0.1:5000", "127.0.0.1:5000/team/app"},
		"registry.example.com/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": {"registry.example.com", "registry.example.com/a/b"},
	}
	for ref, want := range good {
		p, err := parsePullRef("image", ref)
		if err != nil || p.registry != want[0] || p.repo != want[1] {
			t.Errorf("%q: %+v %v, want %v", ref, p, err, want)
		}
	}
	for _, ref := range []string{"", "alpine", "Alpine:3", "a b:1", "user:pass@host/repo:1", "x:1\n", "registry.example.com/a/b@sha256:short"} {
		if _, err := parsePullRef("image", ref); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%q accepted: %v", ref, err)
		}
	}
}

func TestImageRulesJudge(t *testing.T) {
	r, err := compileImagePolicy(ImagePolicy{
		Registries:   []string{"Registry.Example.com", "docker.io"},
		Repositories: []string{"registry.example.com/team/*", "alpine"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dig := "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		ref           string
		requireDigest bool
		want          []policy.CheckID
	}{
		{"registry.example.com/team/app:v1", false, nil},
		{"registry.example.com/team/sub/app:v1", false, nil},
		{"alpine:3.20", false, nil},
		{"docker.io/library/alpine:3.20", false, nil},
		{"registry.example.com/teamx/app:v1", false, []policy.CheckID{checkImageRepository}},
		{"registry.example.com/other:v1", false, []policy.CheckID{checkImageRepository}},
		{"ubuntu:24.04", false, []policy.CheckID{checkImageRepository}},
		{"evil.example.com/team/app:v1", false, []policy.CheckID{checkImageRegistry, checkImageRepository}},
		{"registry.example.com:443/team/app:v1", false, []policy.CheckID{checkImageRegistry, checkImageRepository}},
		{"alpine:3.20", true, []policy.CheckID{checkImagePullDigest}},
		{"alpine" + dig, true, nil},
	}
	for _, tc := range cases {
		p, err := parsePullRef("image", tc.ref)
		if err != nil {
			t.Fatalf("%q: %v", tc.ref, err)
		}
		got := checksOf(r.judge(p, tc.requireDigest))
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.ref, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %v, want %v", tc.ref, got, tc.want)
			}
		}
	}
	// The zero policy denies every pull.
	p, _ := parsePullRef("image", "alpine:3")
	if fs := (imageRules{}).judge(p, false); len(fs) == 0 {
		t.Fatal("zero ImagePolicy allowed a pull")
	}
	// A policy-level digest requirement applies too.
	r2, _ := compileImagePolicy(ImagePolicy{Registries: []string{"docker.io"}, RequireDigest: true})
	if fs := r2.judge(p, false); len(fs) != 1 || fs[0].Check != checkImagePullDigest {
		t.Fatalf("RequireDigest ignored: %v", fs)
	}
}

func TestImagePolicyCompileRefusals(t *testing.T) {
	for _, p := range []ImagePolicy{
		{Registries: []string{""}}, {Registries: []string{"a/b"}}, {Repositories: []string{"bad//x"}},
		{Repositories: []string{"alpine:3"}}, {Repositories: []string{"bad ref/*"}},
	} {
		if _, err := compileImagePolicy(p); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: err = %v", p, err)
		}
	}
}
