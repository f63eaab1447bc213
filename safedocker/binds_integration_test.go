package safedocker_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

// TestMissingBindsSourceIsCreatedByTheDaemon grounds the hostMounts rule on a
// missing HostConfig.Binds source in the real daemon: a read-only Binds entry
// whose source does not exist makes the daemon create that directory on the
// host, while the daemon refuses to create a container with a Mounts bind
// whose source is missing. The policy, with the
// local resolver, denies the first under a read-only bind root and admits
// the same request once the path exists.
func TestMissingBindsSourceIsCreatedByTheDaemon(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	img := dockertest.TinyImage(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hc := dockertest.UnixHTTPClient(sock)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// run creates and starts a container from body and returns the start
	// status; the container is removed when the test ends.
	run := func(body map[string]any) int {
		t.Helper()
		name := dockertest.Name(t, "binds")
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		status, out, err := dockertest.Do(ctx, hc, http.MethodPost, "/containers/create?name="+name, "application/json", strings.NewReader(string(b)))
		if err != nil || status != http.StatusCreated {
			t.Fatalf("create: %d %s %v", status, out, err)
		}
		t.Cleanup(func() {
			_, _, _ = dockertest.Do(context.Background(), hc, http.MethodDelete, "/containers/"+name+"?force=1&v=1", "", nil)
		})
		status, _, err = dockertest.Do(ctx, hc, http.MethodPost, "/containers/"+name+"/start", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return status
	}

	viaBinds := filepath.Join(root, "made-by-binds")
	request := map[string]any{"Image": img, "Cmd": []string{"print", "hi"},
		"HostConfig": map[string]any{"Binds": []string{viaBinds + ":/m:ro"}}}

	// The policy sees the request before the daemon does.
	ev, err := policy.New(policy.Config{Paths: safedocker.LocalPathResolver(),
		Exceptions: policy.Exceptions{BindRoots: []policy.BindRoot{{Path: root}}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(request)
	if err != nil {
		t.Fatal(err)
	}
	judge := func() safedocker.Verdict {
		t.Helper()
		v, err := safedocker.JudgeRequest(ev, safedocker.RawRequest{Method: http.MethodPost, Path: "/containers/create", Body: raw})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := judge(); v.Allowed || len(v.Findings) != 1 || !strings.Contains(v.Findings[0].Reason, "does not exist") {
		t.Fatalf("a missing Binds source under a read-only root: %+v; want one finding about the missing path", v)
	}

	if status := run(request); status != http.StatusNoContent {
		t.Fatalf("start with a missing Binds source: status %d", status)
	}
	if fi, err := os.Stat(viaBinds); err != nil || !fi.IsDir() {
		t.Fatalf("the daemon did not create the missing Binds source %s: %v", viaBinds, err)
	}
	// Now it exists, the same request is admitted.
	if v := judge(); !v.Allowed {
		t.Errorf("an existing Binds source under a read-only root: %+v; want admitted", v)
	}

	viaMounts := filepath.Join(root, "not-made-by-mounts")
	b, err := json.Marshal(map[string]any{"Image": img, "Cmd": []string{"print", "hi"},
		"HostConfig": map[string]any{"Mounts": []map[string]any{{"Type": "bind", "Source": viaMounts, "Target": "/m", "ReadOnly": true}}}})
	if err != nil {
		t.Fatal(err)
	}
	name := dockertest.Name(t, "binds")
	status, out, err := dockertest.Do(ctx, hc, http.MethodPost, "/containers/create?name="+name, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if status == http.StatusCreated {
		_, _, _ = dockertest.Do(context.Background(), hc, http.MethodDelete, "/containers/"+name+"?force=1&v=1", "", nil)
		t.Errorf("a Mounts bind with a missing source was created")
	}
	if _, err := os.Stat(viaMounts); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a Mounts bind created its missing source (create: %d %s): %v", status, out, err)
	}
}
