package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/safedocker"
)

func TestMain(m *testing.M) { dockertest.Main(m) }

// syncBuffer is a goroutine-safe sink for the audit log.
type syncBuffer = dockertest.SyncBuffer

// testClient returns a safedocker client on the socket at sock holding every
// capability (newServer must narrow it), with opts added.
func testClient(t *testing.T, sock string, log *slog.Logger, opts ...safedocker.Option) *safedocker.Client {
	t.Helper()
	ep, err := safedocker.UnixSocketEndpoint(sock, safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts = append([]safedocker.Option{safedocker.WithCapabilities(safedocker.AllCapabilities()...), safedocker.WithLogger(log)}, opts...)
	c, err := safedocker.New(ep, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// connect runs srv on an in-memory transport and returns a connected client
// session from the same SDK.
func connect(t *testing.T, srv *mcp.Server) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	var names []string
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func namesOfClass(cfg config) []string {
	var out []string
	for _, t := range cfg.tools() {
		out = append(out, t.name)
	}
	slices.Sort(out)
	return out
}

func call(t *testing.T, cs *mcp.ClientSession, name string, args any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestToolSetFollowsFlags lists the tools over MCP: read tools only by
// default, write tools with AllowWrite, destructive ones with AllowDestructive,
// and the client is narrowed to exactly the capabilities of what is listed.
// Listing needs no daemon: the endpoint points at a socket nobody serves.
func TestToolSetFollowsFlags(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	for _, tc := range []struct {
		name        string
		cfg         config
		want        []string
		notWant     []string
		wantClasses []safedocker.SafetyClass
	}{
		{name: "default", cfg: config{},
			want:    []string{"container_inspect", "container_list", "container_logs", "container_stats", "image_inspect", "image_list", "network_list", "system_df", "system_info", "system_version", "volume_list"},
			notWant: []string{"container_create", "container_exec", "container_remove", "container_kill"}},
		{name: "write", cfg: config{AllowWrite: true},
			want:    []string{"container_create", "container_start", "container_exec", "image_pull", "volume_create", "network_create", "container_list"},
			notWant: []string{"container_remove", "container_kill", "image_remove", "volume_remove", "network_remove"}},
		{name: "destructive", cfg: config{AllowDestructive: true},
			want:    []string{"container_remove", "container_kill", "image_remove", "volume_remove", "network_remove", "container_list"},
			notWant: []string{"container_create", "container_exec"}},
		{name: "all", cfg: config{AllowWrite: true, AllowDestructive: true},
			want: []string{"container_create", "container_remove"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := newServer(tc.cfg, testClient(t, sock, nil))
			if err != nil {
				t.Fatal(err)
			}
			cs := connect(t, srv)
			got := toolNames(t, cs)
			if !slices.Equal(got, namesOfClass(tc.cfg)) {
				t.Errorf("tools = %v, want %v", got, namesOfClass(tc.cfg))
			}
			for _, n := range tc.want {
				if !slices.Contains(got, n) {
					t.Errorf("tool %s missing from %v", n, got)
				}
			}
			for _, n := range tc.notWant {
				if slices.Contains(got, n) {
					t.Errorf("tool %s offered without its flag", n)
				}
			}
			// A tool that is not offered cannot be called either.
			if !tc.cfg.AllowWrite {
				_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "container_create", Arguments: map[string]any{"image": "x"}})
				if err == nil {
					t.Error("calling an unlisted tool succeeded")
				}
			}
			// Read tools are annotated read-only, destructive ones destructive.
			for tool, err := range cs.Tools(context.Background(), nil) {
				if err != nil {
					t.Fatal(err)
				}
				spec := specByName(t, tool.Name)
				a := tool.Annotations
				if a == nil || a.ReadOnlyHint != (spec.class == safedocker.ClassRead) ||
					a.DestructiveHint == nil || *a.DestructiveHint != (spec.class == safedocker.ClassDestructive) {
					t.Errorf("%s: annotations %+v do not match class %s", tool.Name, a, spec.class)
				}
			}
		})
	}
}

func specByName(t *testing.T, name string) toolSpec {
	t.Helper()
	for _, s := range catalogue() {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no tool %s", name)
	return toolSpec{}
}

// TestCatalogue checks the catalogue itself: unique names, valid capabilities,
// and a tool class never below its capability's class.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range catalogue() {
		if seen[s.name] {
			t.Errorf("duplicate tool %s", s.name)
		}
		seen[s.name] = true
		if !s.cap.Valid() || s.register == nil || s.desc == "" {
			t.Errorf("%s: incomplete spec", s.name)
		}
		if s.class < s.cap.Class() {
			t.Errorf("%s: class %s below its capability's class %s", s.name, s.class, s.cap.Class())
		}
	}
	// An unknown class is never offered (the Python server defaulted unknown
	// tools to safe).
	if (config{AllowWrite: true, AllowDestructive: true}).offers(0) {
		t.Error("the zero safety class is offered")
	}
	// The read-only server holds no write or destructive capability.
	for _, c := range (config{}).capabilities() {
		if c.Class() != safedocker.ClassRead {
			t.Errorf("read-only server needs %s (%s)", c, c.Class())
		}
	}
}

// TestNarrowingFailsClosed: a server asked for write tools refuses a client
// that does not hold their capabilities, instead of offering tools that
// would fail.
func TestNarrowingFailsClosed(t *testing.T) {
	ep, err := safedocker.UnixSocketEndpoint(filepath.Join(t.TempDir(), "none.sock"), safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	c, err := safedocker.New(ep, safedocker.WithGrant(safedocker.ReadOnlyGrant()), safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := newServer(config{AllowWrite: true}, c); err == nil {
		t.Fatal("newServer accepted a client without the write capabilities")
	}
	// ReadOnlyGrant lacks container logs, which the read tools need.
	if _, err := newServer(config{}, c); err == nil {
		t.Fatal("newServer accepted a client without CapContainerLogs")
	}
}

// TestReadToolsAgainstDaemon calls read tools over MCP against the real
// daemon, through the recording proxy.
func TestReadToolsAgainstDaemon(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	rec := dockertest.RecordingProxy(t, sock)
	var audit syncBuffer
	log := slog.New(slog.NewJSONHandler(&audit, nil))
	srv, err := newServer(config{Logger: log}, testClient(t, rec.SocketPath(), log))
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv)

	res := call(t, cs, "system_version", map[string]any{})
	if res.IsError {
		t.Fatalf("system_version: %s", text(res))
	}
	var v safedocker.VersionInfo
	if err := json.Unmarshal([]byte(text(res)), &v); err != nil || v.APIVersion == "" {
		t.Fatalf("system_version result %q: %v", text(res), err)
	}

	res = call(t, cs, "container_list", map[string]any{"all": true, "limit": 5})
	if res.IsError {
		t.Fatalf("container_list: %s", text(res))
	}
	var list struct {
		Containers []safedocker.ContainerSummary `json:"containers"`
		Count      int                           `json:"count"`
	}
	if err := json.Unmarshal([]byte(text(res)), &list); err != nil {
		t.Fatal(err)
	}
	if list.Count > 5 || len(list.Containers) != list.Count {
		t.Errorf("container_list returned %d (count %d) with limit 5", len(list.Containers), list.Count)
	}
	if rec.Count() == 0 {
		t.Error("no request reached the daemon for the read tools")
	}

	// A missing container is a tool error the model can read, not a protocol error.
	res = call(t, cs, "container_inspect", map[string]any{"container": dockertest.Name(t, "missing")})
	if !res.IsError || !strings.Contains(text(res), "Not found") {
		t.Errorf("inspect of a missing container: error=%v %q", res.IsError, text(res))
	}

	// Every call is audited with the stdio identity; no argument values.
	a := audit.String()
	for _, want := range []string{`"tool":"system_version"`, `"client":"stdio"`, `"event":"tool_call"`, `"op":"container.list"`} {
		if !strings.Contains(a, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
}

// TestPrivilegedCreateDenied: a prompt-injected model asks for a privileged
// container with SYS_ADMIN, the Docker socket bound and the host PID
// namespace. The policy denies it with findings the model can act on, and the
// recording proxy proves that no request reached the daemon.
func TestPrivilegedCreateDenied(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	rec := dockertest.RecordingProxy(t, sock)
	var audit syncBuffer
	log := slog.New(slog.NewJSONHandler(&audit, nil))
	srv, err := newServer(config{AllowWrite: true, Logger: log}, testClient(t, rec.SocketPath(), log))
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv)
	rec.Reset()

	res := call(t, cs, "container_create", map[string]any{
		"image":      "alpine:3.20",
		"name":       dockertest.Name(t, "evil"),
		"privileged": true,
		"cap_add":    []string{"SYS_ADMIN"},
		"binds":      []map[string]any{{"source": "/var/run/docker.sock", "target": "/var/run/docker.sock"}},
		"pid_mode":   "host",
		"env":        map[string]string{"API_KEY": "s3cr3t-value-never-logged"},
	})
	if !res.IsError {
		t.Fatalf("privileged create was not denied: %s", text(res))
	}
	msg := text(res)
	for _, want := range []string{"Denied by the safedocker policy", `check "privileged"`, "HostConfig.Privileged", "HostConfig.CapAdd[0]", "Fix:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("denial text lacks %q:\n%s", want, msg)
		}
	}
	var sc errorOut
	raw, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(raw, &sc); err != nil {
		t.Fatal(err)
	}
	checks := map[string]bool{}
	for _, f := range sc.Findings {
		checks[f.Check] = true
		if f.Remediation == "" || f.Field == "" {
			t.Errorf("finding without field or remediation: %+v", f)
		}
	}
	if sc.Error != "policy" || !checks["privileged"] || !checks["capabilities"] || !checks["hostNamespaces"] {
		t.Errorf("structured error %+v lacks the expected checks", sc)
	}
	if n := rec.Count(); n != 0 {
		t.Fatalf("%d request(s) reached the daemon for a denied create: %+v", n, rec.Requests())
	}
	if a := audit.String(); !strings.Contains(a, `"verdict":"deny"`) || !strings.Contains(a, `"outcome":"denied"`) {
		t.Errorf("denial not audited:\n%s", a)
	} else if strings.Contains(a, "s3cr3t") || strings.Contains(msg, "s3cr3t") {
		t.Error("an env value leaked into the audit log or the tool error")
	}

	// Unknown or misspelled arguments are refused by the input schema, so a
	// setting can never be silently dropped (the Python server ignored extra keys).
	res = call(t, cs, "container_create", map[string]any{"image": "alpine:3.20", "Privileged": true})
	if !res.IsError {
		t.Errorf("unknown argument accepted: %s", text(res))
	}
	res = call(t, cs, "container_create", map[string]any{"image": "alpine:3.20", "security_opt": []string{"seccomp=unconfined"}, "network_mode": "host"})
	if !res.IsError || !strings.Contains(text(res), "seccomp") {
		t.Errorf("unconfined seccomp with host network not denied: %s", text(res))
	}
	if n := rec.Count(); n != 0 {
		t.Fatalf("%d request(s) reached the daemon for denied creates", n)
	}
}

// TestContainerLifecycle runs the write and destructive tools end to end on a
// hardened container of the tiny image: create, start, logs, exec, inspect,
// remove.
func TestContainerLifecycle(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	image := dockertest.TinyImage(t)
	srv, err := newServer(config{AllowWrite: true, AllowDestructive: true}, testClient(t, sock, nil))
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv)
	name := dockertest.Name(t, "mcp")
	t.Cleanup(func() { call(t, cs, "container_remove", map[string]any{"container": name, "force": true}) })

	res := call(t, cs, "container_create", map[string]any{
		"image": image, "name": name, "command": []string{"sleep", "60s"},
		"user": "65534:65534", "cap_drop": []string{"ALL"}, "read_only_rootfs": true,
		"env": map[string]string{"GREETING": "hidden-value"},
	})
	if res.IsError {
		t.Fatalf("hardened create denied: %s", text(res))
	}
	// Created, not started: listed only with all.
	if res = call(t, cs, "container_list", map[string]any{"name": name}); res.IsError || strings.Contains(text(res), name) {
		t.Fatalf("a created container is listed without all: %s", text(res))
	}
	if res = call(t, cs, "container_list", map[string]any{"name": name, "all": true}); res.IsError || !strings.Contains(text(res), name) {
		t.Fatalf("a created container is not listed with all: %s", text(res))
	}
	if res = call(t, cs, "container_start", map[string]any{"container": name}); res.IsError {
		t.Fatalf("start: %s", text(res))
	}
	if res = call(t, cs, "container_list", map[string]any{"name": name}); res.IsError || !strings.Contains(text(res), name) {
		t.Fatalf("a running container is not listed: %s", text(res))
	}
	res = call(t, cs, "container_exec", map[string]any{"container": name, "command": []string{"/tiny", "id"}})
	if res.IsError || !strings.Contains(text(res), "uid=65534") {
		t.Fatalf("exec: %s", text(res))
	}
	res = call(t, cs, "container_inspect", map[string]any{"container": name})
	if res.IsError || !strings.Contains(text(res), `"GREETING"`) || strings.Contains(text(res), "hidden-value") {
		t.Fatalf("inspect (env key expected, value never): %s", text(res))
	}
	if res = call(t, cs, "container_logs", map[string]any{"container": name, "tail": 10}); res.IsError {
		t.Fatalf("logs: %s", text(res))
	}
	if res = call(t, cs, "container_kill", map[string]any{"container": name, "signal": "SIGNOPE"}); !res.IsError {
		t.Fatal("an unknown signal was accepted")
	}
	if res = call(t, cs, "container_remove", map[string]any{"container": name, "force": true}); res.IsError {
		t.Fatalf("remove: %s", text(res))
	}
}

// TestResultBound cuts an oversized result and says so.
func TestResultBound(t *testing.T) {
	s := &server{cfg: config{MaxResultBytes: 64}}
	res := s.result(map[string]string{"x": strings.Repeat("é", 100)})
	txt := text(res)
	if !strings.Contains(txt, "[result truncated") || res.StructuredContent != nil {
		t.Fatalf("oversized result not cut: %q", txt)
	}
	if !strings.HasPrefix(txt, `{"x":"é`) || strings.ContainsRune(txt, '\uFFFD') {
		t.Errorf("cut is not on a rune boundary: %q", txt)
	}
	res = s.result(map[string]int{"n": 1})
	if text(res) != `{"n":1}` || res.StructuredContent == nil {
		t.Errorf("small result changed: %q", text(res))
	}
}

// TestLogsBounded: a container writes far more log than the server's bound;
// container_logs returns at most the bound and says it was cut.
func TestLogsBounded(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	image := dockertest.TinyImage(t)
	const bound = 4096
	srv, err := newServer(config{AllowWrite: true, AllowDestructive: true},
		testClient(t, sock, nil, safedocker.WithOutputBounds(safedocker.OutputBounds{LogBytes: bound})))
	if err != nil {
		t.Fatal(err)
	}
	cs := connect(t, srv)
	name := dockertest.Name(t, "spam")
	t.Cleanup(func() { call(t, cs, "container_remove", map[string]any{"container": name, "force": true}) })
	if res := call(t, cs, "container_create", map[string]any{"image": image, "name": name, "command": []string{"spam", "200000"}}); res.IsError {
		t.Fatalf("create: %s", text(res))
	}
	if res := call(t, cs, "container_start", map[string]any{"container": name}); res.IsError {
		t.Fatalf("start: %s", text(res))
	}
	var logs struct {
		Stdout, Stderr string
		Truncated      bool
	}
	for i := 0; i < 100; i++ {
		res := call(t, cs, "container_logs", map[string]any{"container": name, "max_bytes": 1 << 20})
		if res.IsError {
			t.Fatalf("logs: %s", text(res))
		}
		if err := json.Unmarshal([]byte(text(res)), &logs); err != nil {
			t.Fatal(err)
		}
		if logs.Truncated {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !logs.Truncated || len(logs.Stdout)+len(logs.Stderr) > bound || len(logs.Stdout) == 0 {
		t.Fatalf("logs not bounded to %d bytes: %d bytes, truncated=%v", bound, len(logs.Stdout)+len(logs.Stderr), logs.Truncated)
	}
}

// BenchmarkDeniedCreate measures one MCP tool call end to end over the
// in-memory transport for a privileged create the policy denies (schema
// validation, identity, capability, rate limit, policy, audit, error result).
// No daemon is involved.
func BenchmarkDeniedCreate(b *testing.B) {
	ep, err := safedocker.UnixSocketEndpoint(filepath.Join(b.TempDir(), "none.sock"), safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		b.Fatal(err)
	}
	c, err := safedocker.New(ep, safedocker.WithCapabilities(safedocker.AllCapabilities()...), safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	srv, err := newServer(config{AllowWrite: true}, c)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	params := &mcp.CallToolParams{Name: "container_create", Arguments: map[string]any{"image": "alpine:3.20", "privileged": true, "cap_add": []string{"SYS_ADMIN"}}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := cs.CallTool(ctx, params)
		if err != nil || !res.IsError {
			b.Fatal("not denied", err)
		}
	}
}
