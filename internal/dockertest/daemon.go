// Package dockertest holds test helpers for code that talks to a real Docker
// daemon: finding the daemon (or skipping), naming test objects, a tiny
// locally built image, a recording proxy in front of the daemon socket, and a
// mutual-TLS proxy in front of it.
//
// Every helper takes a testing.TB and registers its own cleanup with
// t.Cleanup. Objects that tests create are named with [Name], so that a
// leftover is recognisable by its "safedocker-test-" prefix.
//
// # Skipping
//
// A helper that needs the daemon calls [RequireDaemon], which skips the test
// with a clear message when no daemon answers, or fails it when the
// environment variable SAFEDOCKER_REQUIRE_INTEGRATION is "1" (set it in CI,
// so that a missing daemon cannot turn integration tests into silent skips).
//
// # The daemon
//
// The daemon is found through DOCKER_HOST when it is a unix:// address, or at
// /var/run/docker.sock otherwise. Only Unix sockets are supported; the
// helpers talk raw HTTP to it and never import the Docker SDK.
//
// # The tiny image
//
// [TinyImage] builds a FROM scratch image holding one static Go program
// (see the tinyprog directory for its commands). See [Main] for how the
// image is cleaned up.
package dockertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// RequireIntegrationEnv is the environment variable that turns skips into
// failures when it is "1".
const RequireIntegrationEnv = "SAFEDOCKER_REQUIRE_INTEGRATION"

// DefaultSocket is the daemon socket used when DOCKER_HOST is not a unix://
// address.
const DefaultSocket = "/var/run/docker.sock"

// pingTimeout bounds the probe made by RequireDaemon.
const pingTimeout = 5 * time.Second

// SkipOrFatal skips t with msg, or fails it when SAFEDOCKER_REQUIRE_INTEGRATION
// is "1". Use it for any missing integration prerequisite.
func SkipOrFatal(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireIntegrationEnv) == "1" {
		t.Fatalf("%s (%s=1, so this is a failure, not a skip)", msg, RequireIntegrationEnv)
		return
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, RequireIntegrationEnv)
}

// DaemonSocket returns the daemon's Unix socket path from DOCKER_HOST, or
// DefaultSocket when DOCKER_HOST is unset. It returns an error when
// DOCKER_HOST names something other than a Unix socket.
func DaemonSocket() (string, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		return DefaultSocket, nil
	}
	if p, ok := strings.CutPrefix(host, "unix://"); ok && p != "" {
		return p, nil
	}
	return "", fmt.Errorf("dockertest: DOCKER_HOST=%q is not a unix:// socket; dockertest needs a local socket", host)
}

// RequireDaemon returns the path of the daemon's Unix socket after checking
// that the daemon answers GET /_ping with 200 "OK" within 5 seconds.
// Otherwise it skips t with a clear message, or fails t when
// SAFEDOCKER_REQUIRE_INTEGRATION=1.
func RequireDaemon(t testing.TB) (socketPath string) {
	t.Helper()
	sock, err := DaemonSocket()
	if err != nil {
		SkipOrFatal(t, "no Docker daemon: %v", err)
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := Ping(ctx, sock); err != nil {
		SkipOrFatal(t, "no Docker daemon answers on %s: %v", sock, err)
		return ""
	}
	return sock
}

// Ping sends GET /_ping to the daemon at socketPath and returns nil if it
// answers 200 with body "OK".
func Ping(ctx context.Context, socketPath string) error {
	c := UnixHTTPClient(socketPath)
	defer c.CloseIdleConnections()
	status, body, err := Do(ctx, c, http.MethodGet, "/_ping", "", nil)
	if err != nil {
		return err
	}
	if status != http.StatusOK || string(body) != "OK" {
		return fmt.Errorf("dockertest: /_ping answered %d %q", status, truncate(body, 200))
	}
	return nil
}

// UnixHTTPClient returns a plain HTTP client whose every connection goes to
// the Unix socket at socketPath. Use it with base URL "http://docker".
// It is a test utility: no TLS, no proxy, no redirects.
func UnixHTTPClient(socketPath string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, "unix", socketPath)
			},
			MaxIdleConns:    4,
			IdleConnTimeout: 30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// maxBody bounds every response body read by Do.
const maxBody = 16 << 20

// Do sends one request to the daemon through c (a client from
// [UnixHTTPClient]) and returns the status and up to 16 MiB of the body.
// path is the API path with its query, for example "/containers/json?all=1";
// an unversioned path uses the daemon's own API version. contentType is
// used only when body is non-nil.
func Do(ctx context.Context, c *http.Client, method, path, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://docker"+path, body)
	if err != nil {
		return 0, nil, err
	}
	if body != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, b, err
	}
	return resp.StatusCode, b, nil
}

var kindPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,40}$`)

// Name returns "safedocker-test-<kind>-<16 random hex digits>", a name for a
// container, image repository, volume or network created by a test. kind
// must be 1 to 41 characters of [a-z0-9_.-], starting with a letter or digit
// (for example "container" or "vol"); otherwise t fails.
func Name(t testing.TB, kind string) string {
	t.Helper()
	if !kindPattern.MatchString(kind) {
		t.Fatalf("dockertest.Name: kind %q must match %s", kind, kindPattern)
	}
	return "safedocker-test-" + kind + "-" + randomHex(8)
}

// randomHex returns 2n random lowercase hex digits.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
