package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewHTTPClientRefuses(t *testing.T) {
	good := &tls.Config{MinVersion: tls.VersionTLS12}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"zero", Config{}, "must start with"},
		{"http", Config{Host: "http://127.0.0.1:2375"}, "must start with"},
		{"tcp without TLS", Config{Host: "tcp://127.0.0.1:2375"}, "without TLS"},
		{"tcp skip verify", Config{Host: "tcp://127.0.0.1:2376", TLS: &tls.Config{InsecureSkipVerify: true}}, "must not be skipped"},
		{"tcp TLS 1.1 min", Config{Host: "tcp://127.0.0.1:2376", TLS: &tls.Config{MinVersion: tls.VersionTLS11}}, "minimum version"},
		{"tcp TLS 1.1 max", Config{Host: "tcp://127.0.0.1:2376", TLS: &tls.Config{MaxVersion: tls.VersionTLS11}}, "maximum version"},
		{"tcp no port", Config{Host: "tcp://127.0.0.1", TLS: good}, "tcp://host:port"},
		{"tcp path", Config{Host: "tcp://127.0.0.1:2376/x", TLS: good}, "host:port only"},
		{"tcp credentials", Config{Host: "tcp://u:p@127.0.0.1:2376", TLS: good}, "host:port only"},
		{"tcp with socket path", Config{Host: "tcp://127.0.0.1:2376", SocketPath: "/run/docker.sock", TLS: good}, "no socket path"},
		{"unix with TLS", Config{Host: "unix:///run/docker.sock", SocketPath: "/run/docker.sock", TLS: good}, "no TLS"},
		{"unix mismatch", Config{Host: "unix:///run/docker.sock", SocketPath: "/run/other.sock"}, "does not match"},
		{"unix relative", Config{Host: "unix://docker.sock", SocketPath: "docker.sock"}, "absolute"},
		{"unix unclean", Config{Host: "unix:///run/../docker.sock", SocketPath: "/run/../docker.sock"}, "absolute and clean"},
		{"unix too long", Config{Host: "unix:///" + strings.Repeat("a", 107), SocketPath: "/" + strings.Repeat("a", 107)}, "not a valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewHTTPClient(tt.cfg)
			if c != nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewHTTPClient = %v, %v; want ErrInvalidConfig containing %q", c, err, tt.want)
			}
		})
	}
}

// unixServer serves h on a Unix socket and returns the socket path.
func unixServer(t *testing.T, h http.Handler) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sdtr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "d.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return path
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestUnixClientIsPinned(t *testing.T) {
	// Any proxy from the environment would break the request.
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	t.Setenv("NO_PROXY", "")
	sock := unixServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://evil.example/", http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "OK "+r.Proto)
	}))
	c, err := NewHTTPClient(Config{Host: "unix://" + sock, SocketPath: sock})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	// Whatever host the URL names, the request goes to the socket.
	for _, url := range []string{"http://docker/_ping", "http://example.com/_ping", "http://127.0.0.1:9/_ping"} {
		if _, body := get(t, c, url); body != "OK HTTP/1.1" {
			t.Errorf("GET %s: %q", url, body)
		}
	}
	// Redirects are not followed.
	if resp, _ := get(t, c, "http://docker/redirect"); resp.StatusCode != http.StatusFound {
		t.Errorf("redirect: status %d; want 302 returned, not followed", resp.StatusCode)
	}
}

func TestTLSClientIsPinnedAndHTTP1(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	addr := srv.Listener.Addr().String()

	cfg := &tls.Config{RootCAs: roots}
	c, err := NewHTTPClient(Config{Host: "tcp://" + addr, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	if cfg.MinVersion != 0 || cfg.ServerName != "" {
		t.Error("NewHTTPClient changed the caller's tls.Config")
	}
	// http:// still speaks TLS to the pinned address, and HTTP/2 is never
	// negotiated even though the server offers it.
	for _, url := range []string{"http://docker/", "https://" + addr + "/", "https://example.com/"} {
		resp, body := get(t, c, url)
		if body != "HTTP/1.1" || resp.ProtoMajor != 1 {
			t.Errorf("GET %s: proto %q", url, body)
		}
	}
	tr := c.Transport.(*http.Transport)
	if tr.Proxy != nil || tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("transport: proxy set %v, TLS %+v", tr.Proxy != nil, tr.TLSClientConfig)
	}

	// A server certificate from a CA not in RootCAs is refused.
	c2, err := NewHTTPClient(Config{Host: "tcp://" + addr, TLS: &tls.Config{RootCAs: x509.NewCertPool()}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://docker/", nil)
	_, err = c2.Do(req)
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Errorf("other CA: %v; want a certificate verification error", err)
	}
}

func TestDialTLSHonoursContext(t *testing.T) {
	// A server that accepts TCP but never speaks TLS.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c, err := NewHTTPClient(Config{Host: "tcp://" + ln.Addr().String(), TLS: &tls.Config{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/", nil)
	if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want the context deadline", err)
	}
}

func TestCheck(t *testing.T) {
	sock := "/run/docker.sock"
	unix, err := NewHTTPClient(Config{Host: "unix://" + sock, SocketPath: sock})
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := NewHTTPClient(Config{Host: "tcp://127.0.0.1:2376", TLS: &tls.Config{RootCAs: x509.NewCertPool()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*http.Client{unix, tcp} {
		if err := Check(c.Transport); err != nil {
			t.Errorf("Check(fresh) = %v", err)
		}
	}

	// What the Docker SDK's WithHost does to an *http.Transport it is given
	// for a tcp:// host (go-connections sockets.ConfigureTransport).
	sdkReconfigure := func(tr *http.Transport) {
		tr.Proxy = http.ProxyFromEnvironment
		tr.DisableCompression = false
		tr.DialContext = (&net.Dialer{Timeout: 32 * time.Second}).DialContext
	}
	tests := []struct {
		name   string
		mutate func(tr *http.Transport)
	}{
		{"sdk WithHost", sdkReconfigure},
		{"proxy", func(tr *http.Transport) { tr.Proxy = http.ProxyFromEnvironment }},
		{"compression marker", func(tr *http.Transport) { tr.DisableCompression = false }},
		{"skip verify", func(tr *http.Transport) { tr.TLSClientConfig.InsecureSkipVerify = true }},
		{"TLS 1.1", func(tr *http.Transport) { tr.TLSClientConfig.MinVersion = tls.VersionTLS11 }},
		{"no TLS dialer", func(tr *http.Transport) { tr.DialTLSContext = nil }},
		{"no dialer", func(tr *http.Transport) { tr.DialContext = nil }},
	}
	for _, tt := range tests {
		c, err := NewHTTPClient(Config{Host: "tcp://127.0.0.1:2376", TLS: &tls.Config{RootCAs: x509.NewCertPool()}})
		if err != nil {
			t.Fatal(err)
		}
		tr := c.Transport.(*http.Transport)
		tt.mutate(tr)
		if err := Check(tr); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: Check = %v; want ErrInvalidConfig", tt.name, err)
		}
	}
	if err := Check(http.DefaultTransport); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Check(DefaultTransport) = %v", err)
	}
	if err := Check(roundTripFunc(nil)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Check(wrapper) = %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
