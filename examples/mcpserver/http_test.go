package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/safedocker"
)

const (
	tokenA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-token-A"
	tokenB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-token-B"
)

// bearerTransport adds an Authorization header to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// httpServer serves srv over the streamable HTTP transport with tokens A and
// B, and returns its URL.
func httpServer(t *testing.T, srv *mcp.Server, log *slog.Logger) string {
	t.Helper()
	ts, err := newTokenSet([]string{tokenA, tokenB})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(httpHandler(srv, ts, log))
	t.Cleanup(hs.Close)
	return hs.URL
}

func httpSession(t *testing.T, url, token string) *mcp.ClientSession {
	t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearerTransport{token}}, DisableStandaloneSSE: true, MaxRetries: -1}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatalf("connect with a valid token: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// TestHTTPAuth: every method without a token or with a wrong one gets 401
// (and is logged without the token); the right token opens a session whose
// tools can be listed. Needs no daemon.
func TestHTTPAuth(t *testing.T) {
	var audit syncBuffer
	log := slog.New(slog.NewJSONHandler(&audit, nil))
	srv, err := newServer(config{RequireToken: true, Logger: log}, testClient(t, filepath.Join(t.TempDir(), "none.sock"), log))
	if err != nil {
		t.Fatal(err)
	}
	url := httpServer(t, srv, log)
	initBody := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	for _, tc := range []struct {
		name, method, auth string
	}{
		{"no header", http.MethodPost, ""},
		{"wrong token", http.MethodPost, "Bearer " + strings.Repeat("z", 56)},
		{"token prefix", http.MethodPost, "Bearer " + tokenA[:40]},
		{"token with suffix", http.MethodPost, "Bearer " + tokenA + "x"},
		{"basic scheme", http.MethodPost, "Basic " + tokenA},
		{"GET", http.MethodGet, ""},
		{"HEAD", http.MethodHead, ""},
		{"OPTIONS", http.MethodOptions, ""},
		{"DELETE", http.MethodDelete, ""},
		{"spoofed forwarding headers", http.MethodPost, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, url, strings.NewReader(initBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			req.Header.Set("X-Forwarded-For", "127.0.0.1")
			req.Header.Set("X-Real-IP", "127.0.0.1")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401 (body %q)", resp.StatusCode, body)
			}
		})
	}
	a := audit.String()
	if !strings.Contains(a, `"event":"auth_failure"`) || !strings.Contains(a, "missing bearer token") || !strings.Contains(a, `"reason":"invalid token"`) {
		t.Errorf("auth failures not audited:\n%s", a)
	}
	if strings.Contains(a, tokenA[:40]) || strings.Contains(a, strings.Repeat("z", 56)) {
		t.Error("a presented token was written to the audit log")
	}

	// The right token, with the scheme in any case, works.
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(initBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "bEaReR "+tokenB)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("valid token: status %d", resp.StatusCode)
	}
	cs := httpSession(t, url, tokenA)
	if names := toolNames(t, cs); len(names) != len((config{}).tools()) {
		t.Errorf("tools over HTTP: %v", names)
	}
}

// TestHTTPPerTokenRateLimit: each token is its own rate-limit bucket. Token A
// spends its burst and is refused (without reaching the daemon); token B,
// from the same address, is still served. The limiter never sees an address
// or a forwarding header.
func TestHTTPPerTokenRateLimit(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	rec := dockertest.RecordingProxy(t, sock)
	store, err := memorystore.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	perClient, err := ratelimit.NewLimit(1, time.Hour, 2)
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratelimit.New(store, perClient)
	if err != nil {
		t.Fatal(err)
	}
	var audit syncBuffer
	log := slog.New(slog.NewJSONHandler(&audit, nil))
	srv, err := newServer(config{RequireToken: true, Logger: log}, testClient(t, rec.SocketPath(), log, safedocker.WithLimiter(lim)))
	if err != nil {
		t.Fatal(err)
	}
	url := httpServer(t, srv, log)
	a, b := httpSession(t, url, tokenA), httpSession(t, url, tokenB)

	for i := range 2 {
		if res := call(t, a, "system_version", map[string]any{}); res.IsError {
			t.Fatalf("token A call %d: %s", i+1, text(res))
		}
	}
	before := rec.Count()
	res := call(t, a, "system_version", map[string]any{})
	if !res.IsError || !strings.Contains(text(res), "Rate limited") || !strings.Contains(text(res), "Retry after") {
		t.Fatalf("token A's third call was not rate limited: %s", text(res))
	}
	if rec.Count() != before {
		t.Error("a rate-limited call reached the daemon")
	}
	if res := call(t, b, "system_version", map[string]any{}); res.IsError {
		t.Fatalf("token B shares token A's bucket: %s", text(res))
	}

	idA, _ := (&tokenSet{digests: mustDigests(t, tokenA)}).lookup(tokenA)
	idB, _ := (&tokenSet{digests: mustDigests(t, tokenB)}).lookup(tokenB)
	log2 := audit.String()
	if idA == idB || !strings.Contains(log2, `"client":"`+idA+`"`) || !strings.Contains(log2, `"client":"`+idB+`"`) {
		t.Errorf("audit events do not name the token identities %s and %s", idA, idB)
	}
	if strings.Contains(log2, tokenA) || strings.Contains(log2, tokenB) {
		t.Error("a token was written to the audit log")
	}
}

func mustDigests(t *testing.T, tokens ...string) [][32]byte {
	t.Helper()
	ts, err := newTokenSet(tokens)
	if err != nil {
		t.Fatal(err)
	}
	return ts.digests
}

// TestMissingIdentityRefused: a server configured for tokens refuses a call
// that arrives without one (here over an in-memory transport), rather than
// treating it as local.
func TestMissingIdentityRefused(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	srv, err := newServer(config{RequireToken: true}, testClient(t, sock, nil))
	if err != nil {
		t.Fatal(err)
	}
	res := call(t, connect(t, srv), "system_version", map[string]any{})
	if !res.IsError || !strings.Contains(text(res), "Not authenticated") {
		t.Fatalf("unauthenticated call: %s", text(res))
	}
}

func TestTokens(t *testing.T) {
	if _, err := newTokenSet([]string{"short"}); err == nil {
		t.Error("short token accepted")
	}
	if _, err := newTokenSet(nil); err == nil {
		t.Error("empty token set accepted")
	}
	if _, err := newTokenSet([]string{strings.Repeat("a", 40) + " b"}); err == nil {
		t.Error("token with a space accepted")
	}
	ts, err := newTokenSet([]string{tokenA, tokenB})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ts.lookup(tokenA[:len(tokenA)-1]); ok {
		t.Error("a token prefix matched")
	}
	if id, ok := ts.lookup(tokenB); !ok || !strings.HasPrefix(id, "token:") || strings.Contains(id, tokenB[:8]) {
		t.Errorf("lookup(B) = %q, %v", id, ok)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "tokens")
	if err := os.WriteFile(file, []byte("# clients\n"+tokenA+"\n\n"+tokenB+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadTokens(file, os.Getenv); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("group/world-readable token file accepted: %v", err)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := loadTokens(file, os.Getenv)
	if err != nil || len(got) != 2 || got[0] != tokenA || got[1] != tokenB {
		t.Errorf("loadTokens = %q, %v", got, err)
	}
	env := func(k string) string {
		if k == tokensEnv {
			return " " + tokenA + " ," + tokenB
		}
		return ""
	}
	if got, err := loadTokens("", env); err != nil || len(got) != 2 {
		t.Errorf("tokens from env = %q, %v", got, err)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-http", "127.0.0.1:8080"}, true},
		{[]string{"-http", "[::1]:8080"}, true},
		{[]string{"-http", "0.0.0.0:8080"}, false},
		{[]string{"-http", "0.0.0.0:8080", "-tls-cert", "c", "-tls-key", "k"}, true},
		{[]string{"-http", "127.0.0.1:8080", "-tls-cert", "c"}, false},
		{[]string{"-token-file", "x"}, false},
		{[]string{"extra"}, false},
		{[]string{"-allow-everything"}, false},
		{[]string{"-level", "restricted", "-allow-bind", "/srv/data", "-allow-bind", "/srv/scratch:rw"}, true},
		{[]string{"-level", "privileged"}, false},
		{[]string{"-allow-bind", "relative/dir"}, false},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("parseFlags(%q) err = %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
	// HTTP without tokens does not start.
	var stderr strings.Builder
	t.Setenv(tokensEnv, "")
	if code := run(context.Background(), []string{"-http", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, &stderr); code != exitUsage {
		t.Errorf("HTTP without tokens: exit %d, %s", code, stderr.String())
	}
}

// TestRunStdio drives the real program over stdio: initialize, list tools,
// then end of input shuts it down cleanly.
func TestRunStdio(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized","params":{}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"system_version","arguments":{}}}`,
	}, "\n") + "\n"
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Input ends only after every answer is out, as with a real client. The
	// server may answer requests out of order, so wait for each of them.
	stdin := &holdingReader{r: strings.NewReader(in), done: func() bool {
		out := stdout.String()
		return strings.Contains(out, `"id":1,`) && strings.Contains(out, `"id":2,`) && strings.Contains(out, `"id":3,`)
	}}
	code := run(ctx, nil, stdin, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, `"container_list"`) || strings.Contains(out, `"container_create"`) || !strings.Contains(out, `APIVersion`) {
		t.Errorf("stdout: %s", out)
	}
	if !strings.Contains(stderr.String(), `"msg":"mcpserver starting"`) {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// holdingReader reads r, then holds EOF back until done reports true (or
// about ten seconds pass).
type holdingReader struct {
	r    io.Reader
	done func() bool
}

func (h *holdingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if err != io.EOF {
		return n, err
	}
	for i := 0; i < 1000 && !h.done(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	return n, io.EOF
}

// TestEvaluatorFromFlags: -level and -allow-bind reach the policy, and for a
// local daemon a symlink under an allowed directory is followed.
func TestEvaluatorFromFlags(t *testing.T) {
	root := t.TempDir()
	link := filepath.Join(root, "etc")
	if err := os.Symlink("/etc", link); err != nil {
		t.Fatal(err)
	}
	o, err := parseFlags([]string{"-level", "restricted", "-allow-bind", root + ":rw"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := safedocker.NewContainer("alpine:3").WithBind(filepath.Join(root, "data"), "/data", safedocker.ReadOnly).Spec()
	if err != nil {
		t.Fatal(err)
	}
	viaLink, err := safedocker.NewContainer("alpine:3").WithBind(link, "/data", safedocker.ReadOnly).Spec()
	if err != nil {
		t.Fatal(err)
	}
	local, err := newEvaluator(o, safedocker.EndpointKindUnixSocket)
	if err != nil {
		t.Fatal(err)
	}
	if s := local.Settings(); s.Level != policy.LevelRestricted || s.Paths == nil || len(s.Exceptions.BindRoots) != 1 || !s.Exceptions.BindRoots[0].Writable {
		t.Fatalf("settings = %+v", s)
	}
	base, err := policy.New(policy.Config{Exceptions: local.Settings().Exceptions})
	if err != nil {
		t.Fatal(err)
	}
	if d := base.Container(&spec); !d.Allowed {
		t.Errorf("a bind under -allow-bind denied: %v", d.Findings)
	}
	if d := local.Container(&viaLink); d.Allowed || !slices.ContainsFunc(d.Findings, func(f policy.Finding) bool { return f.Check == "sensitivePaths" }) {
		t.Errorf("a link to /etc under -allow-bind: %+v", d)
	}
	remote, err := newEvaluator(o, safedocker.EndpointKindTLS)
	if err != nil || remote.Settings().Paths != nil {
		t.Errorf("a remote daemon's paths are resolved here: %v", err)
	}
}
