package dockertest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// RecordedRequest is one request that reached a [Recorder].
type RecordedRequest struct {
	// Method is the HTTP method, for example "POST".
	Method string
	// Path is the URL path as sent, for example "/v1.41/containers/create".
	Path string
	// RawQuery is the encoded query, without "?".
	RawQuery string
}

// Recorder is an HTTP proxy on a Unix socket that forwards every request to
// the daemon and records it. Point a client at [Recorder.SocketPath] and
// assert on [Recorder.Count] or [Recorder.Requests]; a denied operation must
// leave the count unchanged.
//
// A request is recorded when its headers arrive, before it is forwarded, so
// it is counted even if the daemon fails it. Connection upgrades (attach,
// exec start) and streamed responses (logs, events) are forwarded.
//
// Its methods are safe for concurrent use.
type Recorder struct {
	socketPath string
	mu         sync.Mutex
	requests   []RecordedRequest
}

// SocketPath returns the proxy's socket path. The socket has mode 0660 and
// is the only entry of a fresh directory of mode 0700, so it passes the
// library's socket check.
func (r *Recorder) SocketPath() string { return r.socketPath }

// Requests returns a copy of the requests recorded since the start or the
// last Reset, in arrival order.
func (r *Recorder) Requests() []RecordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// Count returns the number of requests recorded since the start or the last
// Reset.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

// Reset forgets the recorded requests.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
}

func (r *Recorder) record(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, RecordedRequest{Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery})
}

// RecordingProxy starts a [Recorder] forwarding to the daemon socket at
// upstreamSocket (usually the result of [RequireDaemon]) and stops it in
// t.Cleanup. It does not contact the daemon itself.
func RecordingProxy(t testing.TB, upstreamSocket string) *Recorder {
	t.Helper()
	dir, ln := listenUnix(t, "rec")
	rec := &Recorder{socketPath: filepath.Join(dir, "docker.sock")}

	upstream := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", upstreamSocket)
		},
		MaxIdleConns:    8,
		IdleConnTimeout: 30 * time.Second,
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = "docker"
			pr.Out.Host = "docker"
		},
		Transport:     upstream,
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "dockertest recorder: upstream: "+err.Error(), http.StatusBadGateway)
		},
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			rec.record(req)
			proxy.ServeHTTP(w, req)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("dockertest recorder: %v", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close() // hijacked (upgraded) streams end with their peers
		<-done
		upstream.CloseIdleConnections()
		_ = os.RemoveAll(dir)
	})
	return rec
}

// listenUnix creates a fresh 0700 directory under the system temp dir (kept
// short: socket paths are limited to 107 bytes) and listens on
// "docker.sock" in it with mode 0660. The caller removes the directory.
func listenUnix(t testing.TB, tag string) (string, net.Listener) {
	t.Helper()
	dir, err := os.MkdirTemp("", "sdt-"+tag+"-")
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	path := filepath.Join(dir, "docker.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		_ = os.RemoveAll(dir)
		t.Fatalf("dockertest: listen %s: %v", path, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		_ = ln.Close()
		_ = os.RemoveAll(dir)
		t.Fatalf("dockertest: %v", err)
	}
	return dir, ln
}
