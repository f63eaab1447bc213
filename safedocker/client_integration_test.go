package safedocker_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/safedocker"
)

// TestMain builds the tiny test image once for the package and removes it
// afterwards.
func TestMain(m *testing.M) { dockertest.Main(m) }

// syncBuffer is a goroutine-safe sink for the audit log.
type syncBuffer = dockertest.SyncBuffer

// containerGrant is every container capability.
var containerGrant = []safedocker.Capability{
	safedocker.CapContainerRead, safedocker.CapContainerLogs, safedocker.CapContainerCreate,
	safedocker.CapContainerStart, safedocker.CapContainerStop, safedocker.CapContainerRestart,
	safedocker.CapContainerKill, safedocker.CapContainerWait, safedocker.CapContainerRemove,
	safedocker.CapSystemRead,
}

// socketClient returns a client for the Unix socket at path.
func socketClient(t *testing.T, path string, opts ...safedocker.Option) *safedocker.Client {
	t.Helper()
	ep, err := safedocker.UnixSocketEndpoint(path, safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	c, err := safedocker.New(ep, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestIntegrationHardenedContainerLifecycle(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	img := dockertest.TinyImage(t)
	logs := &syncBuffer{}
	c := socketClient(t, sock, safedocker.WithCapabilities(containerGrant...),
		safedocker.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	ctx := safedocker.WithClientID(t.Context(), "integration")
	if _, err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	name := dockertest.Name(t, "container")
	b := c.NewContainer(img).
		WithName(name).
		WithCommand("print", "hello from safedocker").
		WithEnv("SECRET_TOKEN", "do-not-log-this-value").
		WithReadOnlyRootfs(true).
		WithCapDrop("ALL").
		WithUser("65534:65534").
		WithLabel("safedocker.test", "lifecycle")
	created, err := b.Create(ctx)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		_ = c.RemoveContainer(context.Background(), created.ID, safedocker.RemoveOptions{Force: true})
	})

	// Prove the daemon applied what the builder asked, from the daemon's own
	// JSON (not through our adapter).
	status, body, err := dockertest.Do(ctx, dockertest.UnixHTTPClient(sock), "GET", "/containers/"+created.ID+"/json", "", nil)
	if err != nil || status != 200 {
		t.Fatalf("raw inspect: %d %v", status, err)
	}
	var raw struct {
		HostConfig struct {
			ReadonlyRootfs bool
			CapDrop        []string
			SecurityOpt    []string
			PidsLimit      *int64
			Memory         int64
			Init           *bool
		}
		Config struct{ User string }
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	h := raw.HostConfig
	if !h.ReadonlyRootfs || len(h.CapDrop) != 1 || h.CapDrop[0] != "ALL" ||
		len(h.SecurityOpt) != 1 || h.SecurityOpt[0] != "no-new-privileges=true" ||
		h.PidsLimit == nil || *h.PidsLimit != safedocker.DefaultPidsLimit ||
		h.Memory != safedocker.DefaultMemoryLimit || h.Init == nil || !*h.Init || raw.Config.User != "65534:65534" {
		t.Errorf("daemon HostConfig = %+v, user %q", h, raw.Config.User)
	}

	if err := c.StartContainer(ctx, created.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	res, err := c.WaitContainer(ctx, created.ID, safedocker.WaitNotRunning)
	if err != nil || res.StatusCode != 0 {
		t.Fatalf("Wait = %+v, %v", res, err)
	}
	out, err := c.ContainerLogs(ctx, created.ID, safedocker.LogsOptions{})
	if err != nil || strings.TrimSpace(string(out.Stdout)) != "hello from safedocker" {
		t.Fatalf("Logs = %q / %q, %v", out.Stdout, out.Stderr, err)
	}
	info, err := c.InspectContainer(ctx, created.ID)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	cfg := info.Config
	if !cfg.ReadonlyRootfs || cfg.Security.NoNewPrivileges == nil || !*cfg.Security.NoNewPrivileges ||
		cfg.Resources.PidsLimit == nil || *cfg.Resources.PidsLimit != safedocker.DefaultPidsLimit ||
		cfg.Resources.Init == nil || !*cfg.Resources.Init || info.State.Status != "exited" {
		t.Errorf("Inspect = %+v", info)
	}
	for _, e := range cfg.Env {
		if e.Value != "" {
			t.Errorf("inspect returned the value of %s", e.Key)
		}
	}
	list, err := c.ListContainers(ctx, safedocker.ListOptions{All: true, Filters: map[string][]string{"name": {name}}})
	if err != nil || len(list.Containers) != 1 || list.Containers[0].ID != created.ID {
		t.Errorf("List = %+v, %v", list, err)
	}
	if err := c.RemoveContainer(ctx, created.ID, safedocker.RemoveOptions{}); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := c.InspectContainer(ctx, created.ID); !errors.Is(err, safedocker.ErrNotFound) {
		t.Errorf("inspect after remove: %v, want ErrNotFound", err)
	}
	if strings.Contains(logs.String(), "do-not-log-this-value") {
		t.Errorf("an env value reached the audit log")
	}
	if !strings.Contains(logs.String(), `"op":"container.create"`) || !strings.Contains(logs.String(), `"verdict":"allow"`) {
		t.Errorf("audit log lacks the create decision:\n%s", logs.String())
	}
}

func TestIntegrationLogBoundsAndStop(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	img := dockertest.TinyImage(t)
	c := socketClient(t, sock, safedocker.WithCapabilities(containerGrant...),
		safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	ctx := t.Context()
	spamName := dockertest.Name(t, "spam")
	spam, err := c.NewContainer(img).WithName(spamName).WithCommand("spam", "100000").Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveContainer(context.Background(), spam.ID, safedocker.RemoveOptions{Force: true}) })
	if err := c.StartContainer(ctx, spam.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitContainer(ctx, spam.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewContainer(img).WithName(spamName).Create(ctx); !errors.Is(err, safedocker.ErrConflict) {
		t.Fatalf("second create with the same name: %v, want ErrConflict", err)
	}
	l, err := c.ContainerLogs(ctx, spam.ID, safedocker.LogsOptions{MaxBytes: 4096, Tail: 100000})
	if err != nil || !l.Truncated || len(l.Stdout)+len(l.Stderr) != 4096 {
		t.Fatalf("bounded logs: truncated=%v len=%d err=%v", l.Truncated, len(l.Stdout), err)
	}

	sleeper, err := c.NewContainer(img).WithName(dockertest.Name(t, "sleep")).WithCommand("sleep", "60s").Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.RemoveContainer(context.Background(), sleeper.ID, safedocker.RemoveOptions{Force: true}) })
	if err := c.StartContainer(ctx, sleeper.ID); err != nil {
		t.Fatal(err)
	}
	// Follow ends at FollowFor without an error.
	f, err := c.ContainerLogs(ctx, sleeper.ID, safedocker.LogsOptions{Follow: true, FollowFor: 300 * time.Millisecond})
	if err != nil || !f.DeadlineReached {
		t.Fatalf("follow: %+v, %v", f, err)
	}
	if _, err := c.ContainerStats(ctx, sleeper.ID); err != nil {
		t.Fatalf("stats: %v", err)
	}
	if err := c.KillContainer(ctx, sleeper.ID, "TERM"); err != nil {
		t.Fatalf("kill: %v", err)
	}
	res, err := c.WaitContainer(ctx, sleeper.ID, "")
	if err != nil || res.StatusCode != 143 {
		t.Fatalf("wait after SIGTERM = %+v, %v", res, err)
	}
	if err := c.StopContainer(ctx, sleeper.ID, safedocker.StopOptions{}); err != nil {
		t.Fatalf("stopping a stopped container: %v", err)
	}
	if err := c.RemoveContainer(ctx, "safedocker-test-does-not-exist", safedocker.RemoveOptions{}); !errors.Is(err, safedocker.ErrNotFound) {
		t.Fatalf("remove missing: %v", err)
	}
}

func TestIntegrationDeniedRequestsNeverReachTheDaemon(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	rec := dockertest.RecordingProxy(t, sock)
	store, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	perHour, err := ratelimit.NewLimit(1, time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratelimit.New(store, perHour)
	if err != nil {
		t.Fatal(err)
	}
	quiet := safedocker.WithLogger(slog.New(slog.DiscardHandler))
	full := socketClient(t, rec.SocketPath(), safedocker.WithCapabilities(containerGrant...), quiet)
	readOnly := socketClient(t, rec.SocketPath(), safedocker.WithGrant(safedocker.ReadOnlyGrant()), quiet)
	limited := socketClient(t, rec.SocketPath(), safedocker.WithCapabilities(containerGrant...), safedocker.WithLimiter(lim), quiet)
	ctx := safedocker.WithClientID(t.Context(), "denied-tests")

	// The proxy works: an allowed request is recorded (and spends the limited
	// client's single token).
	if _, err := limited.Ping(ctx); err != nil {
		t.Fatalf("Ping through the recorder: %v", err)
	}
	if rec.Count() == 0 {
		t.Fatal("the recorder saw no request for an allowed Ping")
	}

	img := "alpine:3"
	cases := []struct {
		name string
		want error
		do   func() error
	}{
		{"privileged", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithPrivileged(true).Create(ctx)
			return err
		}},
		{"socket bind", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithBind("/var/run/docker.sock", "/var/run/docker.sock", safedocker.ReadOnly).Create(ctx)
			return err
		}},
		{"run socket bind", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithBind("/run//docker.sock/", "/sock", safedocker.ReadOnly).Create(ctx)
			return err
		}},
		{"host pid", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithPIDMode("host").Create(ctx)
			return err
		}},
		{"cap add SYS_ADMIN", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithCapAdd("cap_sys_admin").Create(ctx)
			return err
		}},
		{"seccomp unconfined", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithSecurityOpt("seccomp=unconfined").Create(ctx)
			return err
		}},
		{"host network", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).WithNetworkMode("host").Create(ctx)
			return err
		}},
		{"restricted tightening", safedocker.ErrPolicyViolation, func() error {
			_, err := full.NewContainer(img).Create(ctx, safedocker.Tighten(policy.RaiseLevel(policy.LevelRestricted)))
			return err
		}},
		{"bad name", safedocker.ErrInvalidInput, func() error {
			_, err := full.NewContainer(img).WithName("../etc").Create(ctx)
			return err
		}},
		{"bad signal", safedocker.ErrInvalidInput, func() error {
			return full.KillContainer(ctx, "abc", "SIGSYS")
		}},
		{"capability not granted", safedocker.ErrCapabilityDenied, func() error {
			_, err := readOnly.NewContainer(img).Create(ctx)
			return err
		}},
		{"remove not granted", safedocker.ErrCapabilityDenied, func() error {
			return readOnly.RemoveContainer(ctx, "abc", safedocker.RemoveOptions{Force: true})
		}},
		{"rate limited", safedocker.ErrRateLimited, func() error {
			_, err := limited.NewContainer(img).Create(ctx)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec.Reset()
			err := tc.do()
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if n := rec.Count(); n != 0 {
				t.Fatalf("%d requests reached the daemon: %+v", n, rec.Requests())
			}
		})
	}
}

func TestIntegrationTLSEndToEnd(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	quiet := safedocker.WithLogger(slog.New(slog.DiscardHandler))
	ping := func(host string, cfg *tls.Config) error {
		ep, err := safedocker.TLSEndpoint(host, cfg)
		if err != nil {
			return fmt.Errorf("endpoint: %w", err)
		}
		c, err := safedocker.New(ep, safedocker.WithCapabilities(safedocker.CapSystemRead), quiet)
		if err != nil {
			return fmt.Errorf("new: %w", err)
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		_, err = c.Ping(ctx)
		return err
	}

	p := dockertest.MTLSProxy(t, sock, dockertest.MTLSOptions{})
	host := "tcp://" + p.Addr
	if err := ping(host, p.Good.ClientConfig()); err != nil {
		t.Fatalf("mutual TLS ping: %v", err)
	}
	if p.Forwarded() == 0 {
		t.Fatal("the proxy forwarded nothing")
	}

	t.Run("wrong CA", func(t *testing.T) {
		cfg := p.Good.ClientConfig()
		cfg.RootCAs = p.Wrong.CAPool
		if err := ping(host, cfg); !errors.Is(err, safedocker.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("client certificate from another CA", func(t *testing.T) {
		cfg := p.Good.ClientConfig()
		cfg.Certificates = []tls.Certificate{p.Wrong.ClientCert}
		if err := ping(host, cfg); err == nil {
			t.Fatal("the proxy accepted a foreign client certificate")
		}
	})
	t.Run("missing client certificate", func(t *testing.T) {
		cfg := p.Good.ClientConfig()
		cfg.Certificates = nil
		if err := ping(host, cfg); !errors.Is(err, safedocker.ErrInsecureEndpoint) {
			t.Fatalf("endpoint without a client certificate: %v, want ErrInsecureEndpoint", err)
		}
		// A client that sends no certificate anyway is refused by the server.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &tls.Certificate{}, nil }
		if err := ping(host, cfg); err == nil {
			t.Fatal("the proxy accepted a client without a certificate")
		}
	})
	t.Run("TLS 1.1 server", func(t *testing.T) {
		old := dockertest.MTLSProxy(t, sock, dockertest.MTLSOptions{ServerMinVersion: tls.VersionTLS10, ServerMaxVersion: tls.VersionTLS11})
		if err := ping("tcp://"+old.Addr, old.Good.ClientConfig()); !errors.Is(err, safedocker.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if old.Forwarded() != 0 {
			t.Fatal("a TLS 1.1 connection was forwarded")
		}
	})
}

// TestIntegrationStartRejudgesContainersCreatedElsewhere creates a privileged
// container behind the client's back and proves StartContainer refuses it:
// the recording proxy sees the inspect and no start.
func TestIntegrationStartRejudgesContainersCreatedElsewhere(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	img := dockertest.TinyImage(t)
	rec := dockertest.RecordingProxy(t, sock)
	c := socketClient(t, rec.SocketPath(), safedocker.WithCapabilities(containerGrant...),
		safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	ctx := t.Context()

	name := dockertest.Name(t, "outside")
	body := fmt.Sprintf(`{"Image":%q,"Cmd":["print","should not run"],"HostConfig":{"Privileged":true}}`, img)
	status, resp, err := dockertest.Do(ctx, dockertest.UnixHTTPClient(sock), "POST", "/containers/create?name="+name, "application/json", strings.NewReader(body))
	if err != nil || status != 201 {
		t.Fatalf("raw create: %d %v %s", status, err, resp)
	}
	t.Cleanup(func() {
		_, _, _ = dockertest.Do(context.Background(), dockertest.UnixHTTPClient(sock), "DELETE", "/containers/"+name+"?force=1", "", nil)
	})

	rec.Reset()
	err = c.StartContainer(ctx, name)
	var pe *safedocker.PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("start: %v, want *PolicyError", err)
	}
	for _, r := range rec.Requests() {
		if r.Path == "/_ping" || r.Method == "GET" && strings.HasSuffix(r.Path, "/info") {
			continue // the SDK's API version negotiation; the cgroup version
		}
		if r.Method != "GET" || !strings.HasSuffix(r.Path, "/containers/"+name+"/json") {
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
		}
	}
	if rec.Count() == 0 {
		t.Error("the start check did not inspect the container")
	}
	info, err := c.InspectContainer(ctx, name)
	if err != nil || info.State.Running || !info.Config.Privileged {
		t.Fatalf("after the refused start: %+v, %v", info.State, err)
	}

	// JudgeContainer reads the same view: denied for being privileged only,
	// not for the label=disable the daemon added because of it.
	if !info.Config.Security.Label.Disable {
		t.Fatalf("the daemon did not add label=disable: %+v", info.Config.Security)
	}
	d, err := c.JudgeContainer(ctx, name)
	if err != nil || d.Allowed || len(pe.Findings) != len(d.Findings) {
		t.Fatalf("JudgeContainer = %+v, %v; start findings %v", d, err, pe.Findings)
	}
	for _, f := range d.Findings {
		if f.Check != "privileged" {
			t.Errorf("finding %v, want the privileged check only", f)
		}
	}
}

// TestPingRunsTheSocketCheck proves Ping refuses an unsafe socket before
// sending anything: the listener behind a world-writable socket never sees a
// connection.
func TestPingRunsTheSocketCheck(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/docker.sock"
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if conn, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			conn.Close()
		}
	}()
	if err := os.Chmod(path, 0o777); err != nil {
		t.Fatal(err)
	}
	c := socketClient(t, path, safedocker.WithCapabilities(safedocker.CapSystemRead),
		safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	_, err = c.Ping(t.Context())
	var se *safedocker.SocketError
	if !errors.Is(err, safedocker.ErrUnavailable) || !errors.As(err, &se) {
		t.Fatalf("Ping on a world-writable socket: %v, want ErrUnavailable and a *SocketError", err)
	}
	select {
	case <-accepted:
		t.Fatal("Ping connected to an unsafe socket")
	case <-time.After(100 * time.Millisecond):
	}
}
