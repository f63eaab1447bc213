package docker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/internal/engine/transport"
	"github.com/safedocker/safedocker/policy"
)

// fakeDaemon is an HTTP server on a Unix socket that records requests and
// answers with handler.
type fakeDaemon struct {
	mu       sync.Mutex
	requests []recorded
	handler  http.HandlerFunc
}

type recorded struct {
	method, path, query string
	body                []byte
}

func startFakeDaemon(t *testing.T, handler http.HandlerFunc) (*Engine, *fakeDaemon) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	fd := &fakeDaemon{handler: handler}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fd.mu.Lock()
		fd.requests = append(fd.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, body})
		fd.mu.Unlock()
		fd.handler(w, r)
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	e, err := New(transport.Config{Host: "unix://" + sock, SocketPath: sock}, Options{APIVersion: "1.41"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, fd
}

func (fd *fakeDaemon) last(t *testing.T) recorded {
	t.Helper()
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if len(fd.requests) == 0 {
		t.Fatal("no request reached the fake daemon")
	}
	return fd.requests[len(fd.requests)-1]
}

func jsonReply(status int, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

func TestCreateSendsExactlyTheModel(t *testing.T) {
	e, fd := startFakeDaemon(t, jsonReply(201, map[string]any{"Id": "c1", "Warnings": []string{}}))
	m := policy.Container{Image: "alpine:3", Name: "web", Cmd: []string{"echo", "hi"}, ReadonlyRootfs: true,
		CapDrop: []string{"ALL"}, Security: policy.SecurityOptions{NoNewPrivileges: ptr(true)},
		Resources: policy.Resources{Memory: 64 << 20, PidsLimit: ptr(int64(50)), Init: ptr(true)}}
	res, err := e.CreateContainer(t.Context(), engine.CreateRequest{Spec: &m})
	if err != nil || res.ID != "c1" {
		t.Fatalf("create = %+v, %v", res, err)
	}
	r := fd.last(t)
	if r.method != "POST" || r.path != "/v1.41/containers/create" || r.query != "name=web" {
		t.Fatalf("request = %s %s?%s", r.method, r.path, r.query)
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	hc := body["HostConfig"].(map[string]any)
	checks := map[string]bool{
		"Image":          body["Image"] == "alpine:3",
		"Cmd":            strings.Join(toStrings(body["Cmd"]), " ") == "echo hi",
		"ReadonlyRootfs": hc["ReadonlyRootfs"] == true,
		"CapDrop":        strings.Join(toStrings(hc["CapDrop"]), ",") == "ALL",
		"SecurityOpt":    strings.Join(toStrings(hc["SecurityOpt"]), ",") == "no-new-privileges=true",
		"Memory":         hc["Memory"] == float64(64<<20),
		"PidsLimit":      hc["PidsLimit"] == float64(50),
		"Init":           hc["Init"] == true,
		"Privileged":     hc["Privileged"] == false,
		"NetworkMode":    hc["NetworkMode"] == nil || hc["NetworkMode"] == "",
		"no Binds":       hc["Binds"] == nil,
		"no CapAdd":      hc["CapAdd"] == nil,
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s wrong in body %s", name, r.body)
		}
	}
}

func toStrings(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestDaemonErrorsMapOntoSentinels(t *testing.T) {
	for status, want := range map[int]error{
		404: engine.ErrNotFound,
		409: engine.ErrConflict,
		400: engine.ErrRejected,
		403: engine.ErrForbidden,
		401: engine.ErrForbidden,
		501: engine.ErrNotImplemented,
		503: engine.ErrUnavailable,
		500: engine.ErrDaemon,
	} {
		e, _ := startFakeDaemon(t, jsonReply(status, map[string]string{"message": "daemon says no"}))
		err := e.StartContainer(t.Context(), "c1")
		if !errors.Is(err, want) {
			t.Errorf("status %d: err = %v, want %v", status, err, want)
		}
		if err != nil && !strings.Contains(err.Error(), "daemon says no") {
			t.Errorf("status %d: message lost: %v", status, err)
		}
	}
}

func TestErrorBodiesAreBounded(t *testing.T) {
	huge := strings.Repeat("x", 512<<10)
	e, _ := startFakeDaemon(t, jsonReply(500, map[string]string{"message": huge}))
	err := e.KillContainer(t.Context(), "c1", "SIGKILL")
	if !errors.Is(err, engine.ErrDaemon) {
		t.Fatalf("err = %v", err)
	}
	if n := len(err.Error()); n > MaxErrorMessage+200 {
		t.Errorf("error message is %d bytes", n)
	}
}

func TestUnreachableDaemonIsUnavailable(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	e, err := New(transport.Config{Host: "unix://" + sock, SocketPath: sock}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Ping(t.Context()); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.Ping(ctx); !errors.Is(err, engine.ErrCanceled) {
		t.Fatalf("canceled: %v, want ErrCanceled", err)
	}
}

func TestNewRefusesInsecureConfigs(t *testing.T) {
	for _, cfg := range []transport.Config{{}, {Host: "tcp://127.0.0.1:2375"}, {Host: "http://x"}} {
		if _, err := New(cfg, Options{}); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

func TestLogsAreDemultiplexedAndBounded(t *testing.T) {
	frame := func(stream byte, s string) []byte {
		h := []byte{stream, 0, 0, 0, 0, 0, 0, byte(len(s))}
		return append(h, s...)
	}
	e, _ := startFakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/json") {
			jsonReply(200, map[string]any{"Id": "c1", "Config": map[string]any{"Tty": false}})(w, r)
			return
		}
		if r.URL.Query().Get("tail") != "7" {
			http.Error(w, "tail not passed", 400)
			return
		}
		w.WriteHeader(200)
		_, _ = w.Write(frame(1, "out1\n"))
		_, _ = w.Write(frame(2, "err1\n"))
		_, _ = w.Write(frame(1, "out2 that is long\n"))
	})
	l, err := e.ContainerLogs(t.Context(), "c1", engine.LogsOptions{Stdout: true, Stderr: true, Tail: 7, MaxBytes: 1 << 10})
	if err != nil || string(l.Stdout) != "out1\nout2 that is long\n" || string(l.Stderr) != "err1\n" || l.Truncated {
		t.Fatalf("logs = %q %q %v, %v", l.Stdout, l.Stderr, l.Truncated, err)
	}
	l, err = e.ContainerLogs(t.Context(), "c1", engine.LogsOptions{Stdout: true, Stderr: true, Tail: 7, MaxBytes: 12})
	if err != nil || len(l.Stdout)+len(l.Stderr) != 12 || !l.Truncated {
		t.Fatalf("bounded logs = %q %q %v, %v", l.Stdout, l.Stderr, l.Truncated, err)
	}
}

// The API's "limit" also selects stopped containers, so it is sent only with
// All; a list of running containers is cut by the adapter.
func TestListSendsLimitOnlyWithAll(t *testing.T) {
	three := []map[string]any{{"Id": "a"}, {"Id": "b"}, {"Id": "c"}}
	e, fd := startFakeDaemon(t, jsonReply(200, three))
	list, err := e.ListContainers(t.Context(), engine.ListOptions{Limit: 2})
	if err != nil || len(list) != 2 {
		t.Fatalf("running list = %d, %v; want 2 (cut by the adapter)", len(list), err)
	}
	if q := fd.last(t).query; strings.Contains(q, "limit") || strings.Contains(q, "all") {
		t.Errorf("running list query %q carries limit or all", q)
	}
	if _, err := e.ListContainers(t.Context(), engine.ListOptions{All: true, Limit: 2}); err != nil {
		t.Fatal(err)
	}
	if q := fd.last(t).query; !strings.Contains(q, "limit=2") || !strings.Contains(q, "all=1") {
		t.Errorf("list with All: query %q, want all=1 and limit=2", q)
	}
}
