package safedocker_test

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

// TestLocalPathResolver: an evaluator built with LocalPathResolver follows a
// symlink under an allowed bind root to /etc and denies the bind; WithPolicy
// uses the caller's evaluator as is, adding no resolver.
func TestLocalPathResolver(t *testing.T) {
	root := t.TempDir()
	link := filepath.Join(root, "data")
	if err := os.Symlink("/etc", link); err != nil {
		t.Fatal(err)
	}
	newEv := func(paths policy.PathResolver) *policy.Evaluator {
		ev, err := policy.New(policy.Config{Paths: paths,
			Exceptions: policy.Exceptions{BindRoots: []policy.BindRoot{{Path: root}}}})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	resolving, spelling := newEv(safedocker.LocalPathResolver()), newEv(nil)
	spec, err := safedocker.NewContainer("alpine:3").WithBind(link, "/data", safedocker.ReadOnly).Spec()
	if err != nil {
		t.Fatal(err)
	}
	if d := resolving.Container(&spec); d.Allowed {
		t.Fatalf("a bind of %s (a link to /etc) was allowed with LocalPathResolver", link)
	}
	if d := spelling.Container(&spec); !d.Allowed {
		t.Fatalf("without a resolver the bind is judged by its spelling: %v", d.Findings)
	}

	// Through a client: New does no I/O, so a request the policy denies fails
	// without a daemon, and one it admits fails at the missing socket.
	ep, err := safedocker.UnixSocketEndpoint(filepath.Join(t.TempDir(), "docker.sock"), safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	create := func(ev *policy.Evaluator) error {
		c, err := safedocker.New(ep, safedocker.WithPolicy(ev), safedocker.WithCapabilities(safedocker.CapContainerCreate),
			safedocker.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.NewContainer("alpine:3").WithBind(link, "/data", safedocker.ReadOnly).Create(t.Context())
		return err
	}
	if err := create(resolving); !errors.Is(err, safedocker.ErrPolicyViolation) {
		t.Errorf("client with a resolving policy: %v, want ErrPolicyViolation", err)
	}
	if err := create(spelling); !errors.Is(err, safedocker.ErrUnavailable) {
		t.Errorf("client with a non-resolving policy: %v, want ErrUnavailable (admitted, no daemon)", err)
	}
}
