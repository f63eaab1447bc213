package safedocker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/safedocker"
)

// Integration helpers for the exec, image, volume, network and system
// operations: a client that reaches the real daemon through a recording proxy,
// with its audit log captured, plus raw daemon access for setup and cleanup.

// opsLogSink collects everything logged (audit events and anything else).
type opsLogSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *opsLogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *opsLogSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type opsLive struct {
	c    *safedocker.Client
	rec  *dockertest.Recorder
	logs *opsLogSink
	sock string
	raw  *http.Client
}

// newOpsLive returns a client with every capability (plus opts) whose requests
// pass through a recorder in front of the daemon, logging at debug level into
// a captured sink.
func newOpsLive(t *testing.T, opts ...safedocker.Option) *opsLive {
	t.Helper()
	sock := dockertest.RequireDaemon(t)
	rec := dockertest.RecordingProxy(t, sock)
	ep, err := safedocker.UnixSocketEndpoint(rec.SocketPath(), safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	logs := &opsLogSink{}
	all := append([]safedocker.Option{
		safedocker.WithGrant(safedocker.NewGrant(safedocker.AllCapabilities()...)),
		safedocker.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, opts...)
	c, err := safedocker.New(ep, all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	raw := dockertest.UnixHTTPClient(sock)
	t.Cleanup(raw.CloseIdleConnections)
	return &opsLive{c: c, rec: rec, logs: logs, sock: sock, raw: raw}
}

func opsCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// denied runs fn, which must fail with want, and proves that no request at all
// reached the daemon.
func (l *opsLive) denied(t *testing.T, want error, fn func() error) error {
	t.Helper()
	l.rec.Reset()
	err := fn()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	if n := l.rec.Count(); n != 0 {
		t.Fatalf("%d request(s) reached the daemon after a denial: %v", n, l.rec.Requests())
	}
	return err
}

// deniedAfterReads runs fn, which must fail with want, and proves that only
// reads (GET, and the SDK's HEAD /_ping version negotiation) reached the
// daemon: no write.
func (l *opsLive) deniedAfterReads(t *testing.T, want error, fn func() error) {
	t.Helper()
	l.rec.Reset()
	if err := fn(); !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	for _, r := range l.rec.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			t.Fatalf("a %s %s reached the daemon after a denial", r.Method, r.Path)
		}
	}
}

// rawDo sends one request straight to the daemon (setup and cleanup only).
func (l *opsLive) rawDo(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var rd *bytes.Reader
	ct := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(b), "application/json"
	}
	var status int
	var out []byte
	var err error
	if rd != nil {
		status, out, err = dockertest.Do(ctx, l.raw, method, path, ct, rd)
	} else {
		status, out, err = dockertest.Do(ctx, l.raw, method, path, "", nil)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, out
}

// runTiny starts a container of the tiny image running args (default: sleep)
// and removes it when the test ends. It returns the container's name.
func (l *opsLive) runTiny(t *testing.T, args ...string) string {
	t.Helper()
	img := dockertest.TinyImage(t)
	if len(args) == 0 {
		args = []string{"sleep", "300s"}
	}
	name := dockertest.Name(t, "ops")
	st, b := l.rawDo(t, http.MethodPost, "/containers/create?name="+url.QueryEscape(name), map[string]any{
		"Image": img, "Cmd": args, "Labels": map[string]string{dockertest.TinyLabel: "ops"},
	})
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, b)
	}
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/containers/"+name+"?force=1&v=1", nil) })
	if st, b := l.rawDo(t, http.MethodPost, "/containers/"+name+"/start", nil); st != http.StatusNoContent {
		t.Fatalf("start: %d %s", st, b)
	}
	return name
}

// auditEvents decodes the captured audit events of op.
func (l *opsLive) auditEvents(t *testing.T, op string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.logs.String()), "\n") {
		var m map[string]any
		if line == "" || json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["op"] == op {
			out = append(out, m)
		}
	}
	return out
}

func TestSystemOperationsLive(t *testing.T) {
	l := newOpsLive(t)
	ctx := opsCtx(t)
	v, err := l.c.Version(ctx)
	if err != nil || v.APIVersion == "" || v.Version == "" {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	info, err := l.c.Info(ctx)
	if err != nil || info.ServerVersion != v.Version || info.NCPU < 1 || info.OSType != "linux" {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	du, err := l.c.DiskUsage(ctx)
	if err != nil || du.Images.Count < 0 || du.LayersSize < 0 {
		t.Fatalf("DiskUsage = %+v, %v", du, err)
	}
	if _, err := l.c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"system.version", "system.info", "system.disk_usage"} {
		evs := l.auditEvents(t, op)
		if len(evs) != 2 || evs[0]["verdict"] != "allow" || evs[1]["outcome"] != "ok" || evs[0]["class"] != "read" {
			t.Fatalf("%s audit events %v", op, evs)
		}
	}

	// Denied: a client narrowed to container reads cannot read the system.
	n, err := l.c.Narrow(safedocker.CapContainerRead)
	if err != nil {
		t.Fatal(err)
	}
	for name, fn := range map[string]func() error{
		"version":    func() error { _, err := n.Version(ctx); return err },
		"info":       func() error { _, err := n.Info(ctx); return err },
		"disk usage": func() error { _, err := n.DiskUsage(ctx); return err },
		"ping":       func() error { _, err := n.Ping(ctx); return err },
	} {
		t.Run(name, func(t *testing.T) { l.denied(t, safedocker.ErrCapabilityDenied, fn) })
	}
}

// A read deadline shorter than the daemon's answer time fails with ErrTimeout,
// and the per-class deadline is overridable.
func TestOperationDeadlineOverridable(t *testing.T) {
	l := newOpsLive(t, safedocker.WithDeadlines(safedocker.Deadlines{Read: time.Nanosecond}))
	_, err := l.c.Info(opsCtx(t))
	if !errors.Is(err, safedocker.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
