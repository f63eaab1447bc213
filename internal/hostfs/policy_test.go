package hostfs_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/internal/hostfs"
	"github.com/safedocker/safedocker/policy"
)

// TestPolicyWithResolver runs the default checks with a Resolver over a real
// symlink tree: symlinks out of an allowed root are denied, including a missing
// tail under a symlinked parent, and so are missing Binds sources under the
// read-only root (the daemon would create them), while existing paths under
// the root pass.
func TestPolicyWithResolver(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("hostfs resolves Linux host paths")
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"work/src", "other"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"work/etc":   "/etc",
		"work/sock":  "/var/run/docker.sock",
		"work/out":   "../other",
		"work/inner": "src",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := policy.NewEvaluator(policy.Config{
		Exceptions: policy.Exceptions{BindRoots: []policy.BindRoot{{Path: dir + "/work"}}},
		Paths:      hostfs.Resolver{},
	}, policy.DefaultChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src     string
		allowed bool
		reason  string
	}{
		{src: dir + "/work/src", allowed: true},
		{src: dir + "/work/inner", allowed: true},
		// The daemon would create it, as root, under a read-only root.
		{src: dir + "/work/missing/deeper", reason: "daemon creates a missing Binds source"},
		{src: dir + "/work/inner/missing", reason: "daemon creates a missing Binds source"},
		{src: dir + "/work/etc/nonexistent", reason: "resolves through symlinks to /etc/nonexistent"},
		{src: dir + "/work/etc", reason: "resolves through symlinks to /etc"},
		{src: dir + "/work/sock", reason: "/run/docker.sock"},
		{src: dir + "/work/out/x", reason: "resolves through symlinks to " + dir + "/other/x"},
	}
	for _, tt := range tests {
		m, err := policy.ParseBind("HostConfig.Binds[0]", tt.src+":/x:ro", "")
		if err != nil {
			t.Fatal(err)
		}
		d := ev.Container(&policy.Container{Image: "alpine@sha256:" + strings.Repeat("a", 64), User: "1000", Mounts: []policy.Mount{m}})
		if d.Allowed != tt.allowed {
			t.Errorf("%s: allowed = %v, findings %v", tt.src, d.Allowed, d.Findings)
			continue
		}
		if tt.reason == "" {
			continue
		}
		found := false
		for _, f := range d.Findings {
			found = found || strings.Contains(f.Reason, tt.reason)
		}
		if !found {
			t.Errorf("%s: no finding mentions %q: %v", tt.src, tt.reason, d.Findings)
		}
	}
}
