package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
)

// leftovers lists containers and images the quickstart labels, on the daemon
// at sock.
func leftovers(t *testing.T, sock string) string {
	t.Helper()
	var out strings.Builder
	for _, path := range []string{
		`/containers/json?all=1&filters={"label":["io.safedocker.quickstart"]}`,
		`/images/json?filters={"label":["io.safedocker.quickstart"]}`,
	} {
		status, body, err := dockertest.Do(t.Context(), dockertest.UnixHTTPClient(sock), "GET", path, "", nil)
		if err != nil || status != 200 {
			t.Fatalf("GET %s: %d %v %s", path, status, err, body)
		}
		if s := strings.TrimSpace(string(body)); s != "[]" {
			out.WriteString(s)
		}
	}
	return out.String()
}

func TestQuickstartAgainstTheDaemon(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	if _, err := goCommand(); err != nil {
		dockertest.SkipOrFatal(t, "quickstart needs the go command: %v", err)
	}
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	t.Setenv("DOCKER_TLS_VERIFY", "")
	t.Setenv("DOCKER_CERT_PATH", "")
	before := leftovers(t, sock)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, nil, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"== a privileged container:\ndenied by policy",
		"[privileged] HostConfig.Privileged",
		"== a container mounting the Docker socket:\ndenied by policy",
		"[sensitivePaths]",
		"hello from a hardened container",
		"uid=65534 gid=65534",
		"read-only file system",
		"removed ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "verdict=deny") {
		t.Errorf("the denials were not audited:\n%s", &stderr)
	}
	if after := leftovers(t, sock); after != before {
		t.Errorf("the quickstart left objects behind: %s", after)
	}
}

func TestQuickstartFailsWithoutADaemon(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), nil, &stdout, &stderr); err == nil {
		t.Fatal("run succeeded without a daemon")
	}
}

// TestQuickstartExitStatus runs the compiled program, as the README does, and
// checks its exit status on failure.
func TestQuickstartExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	goBin, err := goCommand()
	if err != nil {
		dockertest.SkipOrFatal(t, "no go command: %v", err)
	}
	bin := t.TempDir() + "/quickstart"
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DOCKER_HOST=unix:///nonexistent/docker.sock")
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit = %v, want status 1", err)
	}
}
