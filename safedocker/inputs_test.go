package safedocker

import (
	"errors"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/validate"
)

// The client's argument checks are the validate package's: these inputs, once
// accepted by the client's own grammar, are refused, with an error matching
// both ErrInvalidInput and validate.ErrInvalid; and what both accept still
// passes.
func TestInputsGoThroughValidate(t *testing.T) {
	tc := newTestClient(t, WithGrant(NewGrant(AllCapabilities()...)))
	tc.fake.Forbid()
	ctx := ctxFor(t)
	base := NewContainer("alpine:3")
	builders := map[string]ContainerBuilder{
		"one-character name":        base.WithName("a"),
		"env key with a dash":       base.WithEnv("MY-VAR", "v"),
		"env key with a dot":        base.WithEnv("my.var", "v"),
		"env value not UTF-8":       base.WithEnv("A", "\xff"),
		"label under com.docker.":   base.WithLabel("com.docker.compose.project", "other"),
		"label key with a space":    base.WithLabel("my label", "v"),
		"label key ending in a dot": base.WithLabel("io.example.", "v"),
		"one-character volume":      base.WithVolume("v", "/data", ReadOnly),
		"one-character network":     base.WithNetwork("n"),
		"upper-case image":          NewContainer("Alpine:3"),
		"image ID as a name":        NewContainer(strings.Repeat("a", 64)),
	}
	for name, b := range builders {
		_, err := b.Spec()
		if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, validate.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalidInput from validate", name, err)
		}
	}
	calls := map[string]error{
		"one-character container ref": tc.KillContainer(ctx, "a", "TERM"),
		"unknown status filter": func() error {
			_, err := tc.ListContainers(ctx, ListOptions{Filters: map[string][]string{"status": {"sleeping"}}})
			return err
		}(),
		"exit code out of range": func() error {
			_, err := tc.ListContainers(ctx, ListOptions{Filters: map[string][]string{"exited": {"300"}}})
			return err
		}(),
		"exec env key with a dash": func() error {
			_, err := tc.Exec(ctx, "abc", ExecOptions{Cmd: []string{"true"}, Env: map[string]string{"MY-VAR": "v"}})
			return err
		}(),
	}
	for name, err := range calls {
		if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, validate.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalidInput from validate", name, err)
		}
	}

	tc.fake.Allow()
	ok := base.WithName("/web-1").WithEnv("API_TOKEN", "line1\nline2").WithLabel("io.example.team", "a").
		WithVolume("data", "/data", ReadOnly).WithNetwork("backend").WithCommand("true")
	spec, err := ok.Spec()
	if err != nil || spec.Name != "web-1" {
		t.Fatalf("valid builder: %+v, %v", spec.Name, err)
	}
	if _, err := tc.ListContainers(ctx, ListOptions{Filters: map[string][]string{"status": {"exited"}, "name": {"web"}}}); err != nil {
		t.Errorf("valid filters: %v", err)
	}
	// Messages never carry an environment value.
	_, err = base.WithEnv("BAD-KEY", "s3cret-value").Spec()
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("env error = %v", err)
	}
}
