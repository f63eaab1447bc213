package safedocker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/internal/enginetest"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/ratelimit"
)

// fakeLimiter records Acquire calls and releases, and denies when deny is set.
type fakeLimiter struct {
	mu       sync.Mutex
	calls    []string
	released int
	deny     error
}

func (l *fakeLimiter) Acquire(_ context.Context, client string, cost int) (func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, client)
	if l.deny != nil {
		return func() {}, l.deny
	}
	return func() {
		l.mu.Lock()
		l.released++
		l.mu.Unlock()
	}, nil
}

func (l *fakeLimiter) counts() (calls, released int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls), l.released
}

// auditLog captures audit events as decoded JSON objects.
type auditLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (a *auditLog) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.Write(p)
}

func (a *auditLog) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.String()
}

func (a *auditLog) events(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(a.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func (a *auditLog) decisions(t *testing.T) []map[string]any {
	var out []map[string]any
	for _, e := range a.events(t) {
		if e["event"] == "decision" {
			out = append(out, e)
		}
	}
	return out
}

type testClient struct {
	*Client
	fake  *enginetest.Fake
	lim   *fakeLimiter
	audit *auditLog
}

// newTestClient builds a client over a fake engine with the default policy.
func newTestClient(t testing.TB, opts ...Option) testClient {
	t.Helper()
	fake := enginetest.New(t)
	al := &auditLog{}
	lim := &fakeLimiter{}
	all := append([]Option{WithLogger(slog.New(slog.NewJSONHandler(al, nil))), WithLimiter(lim)}, opts...)
	o, err := resolveOptions(all)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := o.evaluator(false)
	if err != nil {
		t.Fatal(err)
	}
	return testClient{Client: newClient(fake, Endpoint{}, o, ev), fake: fake, lim: lim, audit: al}
}

func ctxFor(t *testing.T) context.Context {
	return WithClientID(t.Context(), "tester")
}

func TestCapabilityIsCheckedFirst(t *testing.T) {
	tc := newTestClient(t) // empty grant
	tc.fake.Forbid()
	// An invalid, privileged request: capability must still be the reason.
	_, err := tc.NewContainer("alpine:3").WithName("bad name!").WithPrivileged(true).Create(ctxFor(t))
	var ce *CapabilityError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCapabilityDenied) || ce.Capability != CapContainerCreate {
		t.Fatalf("err = %v, want *CapabilityError for container.create", err)
	}
	if calls, _ := tc.lim.counts(); calls != 0 {
		t.Errorf("limiter called %d times before the capability check", calls)
	}
	d := tc.audit.decisions(t)
	if len(d) != 1 || d[0]["verdict"] != "deny" || d[0]["step"] != "capability" || d[0]["op"] != "container.create" {
		t.Errorf("audit = %v", d)
	}
}

func TestLimiterRunsBeforeValidation(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	tc.fake.Forbid()
	tc.lim.deny = &ratelimit.LimitError{Scope: ratelimit.ScopeClient, RetryAfter: 2 * time.Second}
	_, err := tc.NewContainer("alpine:3").WithName("bad name!").Create(ctxFor(t))
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want *RateLimitError (the limiter runs before validation)", err)
	}
	if rl.RetryAfter != 2*time.Second || rl.Scope != "client" {
		t.Errorf("RateLimitError = %+v", rl)
	}
	if !errors.Is(err, ratelimit.ErrLimited) {
		t.Errorf("cause not reachable: %v", err)
	}
	d := tc.audit.decisions(t)
	if len(d) != 1 || d[0]["step"] != "ratelimit" || d[0]["client"] != "tester" || d[0]["retry_after"] == nil {
		t.Errorf("audit = %v", d)
	}

	// A limiter failure (not a limit) also denies: fail closed.
	tc.lim.deny = errors.New("store down")
	if _, err := tc.NewContainer("alpine:3").Create(ctxFor(t)); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("limiter failure: err = %v, want ErrRateLimited", err)
	}
}

func TestValidationRunsBeforePolicyAndReleasesSlot(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	tc.fake.Forbid()
	_, err := tc.NewContainer("alpine:3").WithName("bad name!").WithPrivileged(true).Create(ctxFor(t))
	var ve *ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidInput) || ve.Field != "name" {
		t.Fatalf("err = %v, want *ValidationError for name (validation before policy)", err)
	}
	if calls, released := tc.lim.counts(); calls != 1 || released != 1 {
		t.Errorf("limiter calls=%d released=%d, want 1 and 1", calls, released)
	}
	d := tc.audit.decisions(t)
	if len(d) != 1 || d[0]["step"] != "validation" || d[0]["field"] != "name" {
		t.Errorf("audit = %v", d)
	}
}

func TestPolicyDenialReportsAllFindings(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	tc.fake.Forbid()
	_, err := tc.NewContainer("alpine:3").
		WithPrivileged(true).
		WithPIDMode("host").
		WithBind("/var/run/docker.sock", "/var/run/docker.sock", ReadWrite).
		WithEnv("API_TOKEN", "hunter2-very-secret").
		Create(ctxFor(t))
	var pe *PolicyError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPolicyViolation) {
		t.Fatalf("err = %v, want *PolicyError", err)
	}
	ids := map[policy.CheckID]bool{}
	for _, id := range pe.CheckIDs() {
		ids[id] = true
	}
	if len(ids) < 3 {
		t.Errorf("want findings from at least 3 checks (privileged, host pid, socket bind), got %v", pe.CheckIDs())
	}
	d := tc.audit.decisions(t)
	if len(d) != 1 || d[0]["step"] != "policy" || d[0]["checks"] == nil || d[0]["findings"] == nil {
		t.Fatalf("audit = %v", d)
	}
	if strings.Contains(tc.audit.String(), "hunter2") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("an env value leaked into the audit log or error")
	}
	if _, released := tc.lim.counts(); released != 1 {
		t.Errorf("in-flight slot not released")
	}
}

func TestAllowedCreateReachesEngineOnceWithTheModel(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	var got engine.CreateRequest
	tc.fake.CreateContainerFunc = func(ctx context.Context, req engine.CreateRequest) (engine.CreateResult, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("engine call has no deadline")
		}
		got = req
		return engine.CreateResult{ID: "abc"}, nil
	}
	res, err := tc.NewContainer("alpine:3").WithName("web").WithEnv("API_TOKEN", "hunter2-very-secret").
		WithCommand("echo", "hi").Create(ctxFor(t))
	if err != nil || res.ID != "abc" {
		t.Fatalf("Create = %v, %v", res, err)
	}
	if m := tc.fake.Methods(); len(m) != 1 || m[0] != "CreateContainer" {
		t.Fatalf("engine calls = %v", m)
	}
	s := got.Spec
	if s.Name != "web" || s.Image != "alpine:3" || len(s.Env) != 1 || s.Env[0].Value != "hunter2-very-secret" {
		t.Errorf("spec = %+v", s)
	}
	// The secure defaults reached the engine.
	if s.Security.NoNewPrivileges == nil || !*s.Security.NoNewPrivileges || s.Resources.Memory != DefaultMemoryLimit ||
		s.Resources.PidsLimit == nil || *s.Resources.PidsLimit != DefaultPidsLimit || s.Resources.Init == nil || !*s.Resources.Init {
		t.Errorf("defaults missing: %+v", s)
	}
	ev := tc.audit.events(t)
	if len(ev) != 2 || ev[0]["event"] != "decision" || ev[0]["verdict"] != "allow" || ev[0]["capability"] != "container.create" ||
		ev[0]["class"] != "write" || ev[0]["target"] != "web" || ev[0]["policy"] != "baseline" ||
		ev[1]["event"] != "result" || ev[1]["outcome"] != "ok" {
		t.Errorf("audit = %v", ev)
	}
	if strings.Contains(tc.audit.String(), "hunter2") {
		t.Errorf("env value in audit log: %s", tc.audit.String())
	}
}

func TestTightenPerCallNeverLoosens(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	b := tc.NewContainer("alpine:3") // runs as root: Restricted denies
	tc.fake.Forbid()
	if _, err := b.Create(ctxFor(t), Tighten(policy.RaiseLevel(policy.LevelRestricted))); !errors.Is(err, ErrPolicyViolation) {
		t.Fatalf("tightened create: err = %v, want ErrPolicyViolation", err)
	}
	if _, err := b.Create(ctxFor(t), Tighten(policy.RaiseLevel(policy.LevelPrivileged))); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("loosening create: err = %v, want ErrInvalidInput", err)
	}
	tc.fake.Allow()
	if _, err := b.Create(ctxFor(t)); err != nil {
		t.Fatalf("plain create: %v", err)
	}
}

func TestEngineErrorsAndDeadlines(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerRemove, CapContainerStop), WithDeadlines(Deadlines{Destructive: 20 * time.Millisecond}))
	tc.fake.RemoveContainerFunc = func(ctx context.Context, id string, _ engine.RemoveOptions) error {
		<-ctx.Done()
		return ctx.Err()
	}
	err := tc.RemoveContainer(ctxFor(t), "abc", RemoveOptions{})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	tc.fake.StopContainerFunc = func(context.Context, string, engine.StopOptions) error {
		return errors.New("something odd")
	}
	if err := tc.StopContainer(ctxFor(t), "abc", StopOptions{}); !errors.Is(err, ErrDaemon) {
		t.Fatalf("unclassified engine error: %v, want ErrDaemon", err)
	}
	if calls, released := tc.lim.counts(); calls != released {
		t.Errorf("slots: %d acquired, %d released", calls, released)
	}
	last := tc.audit.events(t)
	if e := last[len(last)-1]; e["event"] != "result" || e["outcome"] != "error" || e["error_class"] != "daemon" {
		t.Errorf("last audit event = %v", e)
	}
}

func TestSlotReleasedOnPanic(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerKill))
	tc.fake.KillContainerFunc = func(context.Context, string, string) error { panic("boom") }
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		_ = tc.KillContainer(ctxFor(t), "abc", "TERM")
	}()
	if calls, released := tc.lim.counts(); calls != 1 || released != 1 {
		t.Errorf("limiter calls=%d released=%d after a panic", calls, released)
	}
}

func TestClientIdentityRequiredWithLimiter(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerRead))
	tc.fake.Forbid()
	if _, err := tc.InspectContainer(t.Context(), "abc"); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no identity: %v", err)
	}
	if _, err := tc.InspectContainer(WithClientID(t.Context(), "evil\nline"), "abc"); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("control characters in identity: %v", err)
	}
	if calls, _ := tc.lim.counts(); calls != 0 {
		t.Errorf("limiter consulted with an invalid identity")
	}
}

func TestStartRejudgesTheDaemonView(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerStart))
	tc.fake.InspectContainerFunc = func(_ context.Context, id string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{ID: id, Spec: policy.Container{Image: "alpine:3", Privileged: true}}, nil
	}
	tc.fake.StartContainerFunc = func(context.Context, string) error {
		t.Error("a privileged container was started")
		return nil
	}
	if err := tc.StartContainer(ctxFor(t), "abc"); !errors.Is(err, ErrPolicyViolation) {
		t.Fatalf("err = %v, want ErrPolicyViolation", err)
	}
	tc.fake.InspectContainerFunc = nil
	tc.fake.StartContainerFunc = nil
	if err := tc.StartContainer(ctxFor(t), "abc"); err != nil {
		t.Fatalf("benign start: %v", err)
	}
	if m := tc.fake.Methods(); strings.Join(m, ",") != "InspectContainer,InspectContainer,StartContainer" {
		t.Errorf("engine calls = %v", m)
	}
}

func TestRestartRejudgesTheDaemonView(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerRestart))
	tc.fake.InspectContainerFunc = func(_ context.Context, id string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{ID: id, Spec: policy.Container{Image: "alpine:3",
			Mounts: []policy.Mount{{Field: "HostConfig.Binds[0]", Type: policy.MountBind, Source: "/etc", Target: "/h"}}}}, nil
	}
	tc.fake.RestartContainerFunc = func(context.Context, string, engine.StopOptions) error {
		t.Error("a container binding /etc was restarted")
		return nil
	}
	if err := tc.RestartContainer(ctxFor(t), "abc", StopOptions{}); !errors.Is(err, ErrPolicyViolation) {
		t.Fatalf("err = %v, want ErrPolicyViolation", err)
	}
	tc.fake.InspectContainerFunc = func(context.Context, string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{}, fmt.Errorf("%w: gone", engine.ErrNotFound)
	}
	if err := tc.RestartContainer(ctxFor(t), "abc", StopOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("restart of a missing container: %v", err)
	}
}

func TestArgumentValidation(t *testing.T) {
	tc := newTestClient(t, WithGrant(NewGrant(AllCapabilities()...)))
	tc.fake.Forbid()
	ctx := ctxFor(t)
	cases := map[string]error{
		"kill bad signal":    tc.KillContainer(ctx, "abc", "SIGSYS"),
		"kill bad id":        tc.KillContainer(ctx, "../x", "TERM"),
		"logs follow no dur": func() error { _, err := tc.ContainerLogs(ctx, "abc", LogsOptions{Follow: true}); return err }(),
		"logs both only": func() error {
			_, err := tc.ContainerLogs(ctx, "abc", LogsOptions{StdoutOnly: true, StderrOnly: true})
			return err
		}(),
		"list bad filter": func() error {
			_, err := tc.ListContainers(ctx, ListOptions{Filters: map[string][]string{"before": {"x"}}})
			return err
		}(),
		"wait bad cond":     func() error { _, err := tc.WaitContainer(ctx, "abc", "forever"); return err }(),
		"stop long timeout": func() error { d := time.Hour; return tc.StopContainer(ctx, "abc", StopOptions{Timeout: &d}) }(),
	}
	for name, err := range cases {
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

func TestBoundsApplied(t *testing.T) {
	tc := newTestClient(t, WithGrant(NewGrant(AllCapabilities()...)), WithOutputBounds(OutputBounds{LogBytes: 100, LogTail: 10, ListItems: 2}))
	var gotLogs engine.LogsOptions
	tc.fake.ContainerLogsFunc = func(_ context.Context, _ string, o engine.LogsOptions) (engine.Logs, error) {
		gotLogs = o
		return engine.Logs{}, nil
	}
	tc.fake.ListContainersFunc = func(_ context.Context, o engine.ListOptions) ([]engine.ContainerSummary, error) {
		return make([]engine.ContainerSummary, 5), nil
	}
	if _, err := tc.ContainerLogs(ctxFor(t), "abc", LogsOptions{Tail: 1000, MaxBytes: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	if gotLogs.Tail != 10 || gotLogs.MaxBytes != 100 {
		t.Errorf("logs bounds = %+v", gotLogs)
	}
	list, err := tc.ListContainers(ctxFor(t), ListOptions{})
	if err != nil || len(list.Containers) != 2 || !list.Truncated {
		t.Errorf("list = %d items (truncated %t), %v; want 2, truncated", len(list.Containers), list.Truncated, err)
	}
}

func TestNarrowNeverWidens(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerRead, CapContainerLogs))
	n, err := tc.Narrow(CapContainerRead)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Narrow(CapContainerLogs); !errors.Is(err, ErrCapabilityDenied) {
		t.Fatalf("re-widening: %v", err)
	}
	if _, err := tc.Narrow(CapContainerRemove); !errors.Is(err, ErrCapabilityDenied) {
		t.Fatalf("widening: %v", err)
	}
	if _, err := n.ContainerLogs(ctxFor(t), "abc", LogsOptions{}); !errors.Is(err, ErrCapabilityDenied) {
		t.Fatalf("narrowed client read logs: %v", err)
	}
	if err := n.Close(); err != nil || tc.fake.Closed() {
		t.Fatalf("closing a narrowed client closed the engine")
	}
	if _, err := n.InspectContainer(ctxFor(t), "abc"); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed narrowed client: %v", err)
	}
	if _, err := tc.InspectContainer(ctxFor(t), "abc"); err != nil {
		t.Fatalf("root after closing the narrowed client: %v", err)
	}
	n2, _ := tc.Narrow(CapContainerRead)
	if err := tc.Close(); err != nil || !tc.fake.Closed() {
		t.Fatal("root close")
	}
	if _, err := n2.InspectContainer(ctxFor(t), "abc"); !errors.Is(err, ErrClosed) {
		t.Fatalf("narrowed client after root close: %v", err)
	}
}

func TestBuilderIsCopyOnWrite(t *testing.T) {
	base := NewContainer("alpine:3").WithEnv("A", "1").WithLabel("k", "v")
	a := base.WithEnv("B", "2").WithLabel("k", "a")
	b := base.WithEnv("C", "3")
	sa, _ := a.Spec()
	sb, _ := b.Spec()
	s0, _ := base.Spec()
	if len(s0.Env) != 1 || s0.Labels["k"] != "v" {
		t.Errorf("base changed: %+v", s0)
	}
	if sa.Env[1].Key != "B" || sb.Env[1].Key != "C" || sb.Labels["k"] != "v" {
		t.Errorf("copies share state: a=%+v b=%+v", sa.Env, sb.Env)
	}
	bad := NewContainer("").WithName("x y").WithMemoryLimit(-1).WithPort(80, "icmp", "", 0)
	_, err := bad.Spec()
	if err == nil || strings.Count(err.Error(), "invalid") != 4 {
		t.Errorf("errors not all collected: %v", err)
	}
}

func TestCapabilityTable(t *testing.T) {
	for _, c := range AllCapabilities() {
		if c.Class() == 0 || c.String() == "" {
			t.Errorf("capability %d has no class or name", c)
		}
		p, err := ParseCapability(strings.ToUpper(c.String()))
		if err != nil || p != c {
			t.Errorf("ParseCapability(%s) = %v, %v", c, p, err)
		}
	}
	for _, c := range []Capability{CapContainerRemove, CapImageRemove, CapVolumeRemove, CapNetworkRemove} {
		if c.Class() != ClassDestructive || ReadOnlyGrant().Has(c) {
			t.Errorf("%s must be destructive and outside the read-only grant", c)
		}
	}
	if Capability(0).Valid() || NewGrant(0, 200).Len() != 0 {
		t.Error("invalid capabilities granted")
	}
}

func TestConcurrentOperations(t *testing.T) {
	tc := newTestClient(t, WithGrant(NewGrant(AllCapabilities()...)))
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := WithClientID(t.Context(), "c"+string(rune('a'+i%4)))
			b := tc.NewContainer("alpine:3").WithEnv("I", "x")
			if i%2 == 0 {
				b = b.WithPrivileged(true)
			}
			_, err := b.Create(ctx)
			if (i%2 == 0) != errors.Is(err, ErrPolicyViolation) {
				t.Errorf("goroutine %d: %v", i, err)
			}
			if _, err := tc.InspectContainer(ctx, "abc"); err != nil {
				t.Errorf("inspect: %v", err)
			}
		}()
	}
	wg.Wait()
	if calls, released := tc.lim.counts(); calls != 64 || released != 64 {
		t.Errorf("limiter: %d acquired, %d released", calls, released)
	}
	if n := len(tc.audit.decisions(t)); n != 64 {
		t.Errorf("%d decision events, want 64", n)
	}
}

// FuzzContainerBuilder feeds arbitrary strings to the builder: it never
// panics, and a spec it accepts is judged by the policy without panicking.
func FuzzContainerBuilder(f *testing.F) {
	f.Add("alpine:3", "web", "/srv", "/data", "KEY", "65534:65534", "seccomp=unconfined", "host", "127.0.0.1")
	f.Add("", "../x", "relative", "/", "A=B", "a:b:c", "bogus", "container:", "::1%eth0")
	f.Add("Alpine", "-x", "//var/run/docker.sock", "/var/run/docker.sock", "", "root", "apparmor:unconfined", "bridge", "")
	tc := newTestClient(f, WithCapabilities(CapContainerCreate))
	f.Fuzz(func(t *testing.T, image, name, src, dst, key, user, secopt, netmode, hostIP string) {
		b := NewContainer(image).WithName(name).WithBind(src, dst, ReadOnly).WithEnv(key, "v").
			WithUser(user).WithSecurityOpt(secopt).WithNetworkMode(netmode).WithPort(80, "tcp", hostIP, 0).
			WithVolume(name, dst, ReadWrite).WithTmpfs(dst, 1024).WithWorkdir(src)
		spec, err := b.Spec()
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("builder error %v is not a *ValidationError", err)
			}
			return
		}
		_ = tc.policy.Container(&spec)
	})
}

func TestEngineErrorMessage(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerRead))
	cause := errors.New("Error response from daemon: No such container: abc")
	tc.fake.InspectContainerFunc = func(context.Context, string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{}, fmt.Errorf("%w: %w", engine.ErrNotFound, cause)
	}
	_, err := tc.InspectContainer(ctxFor(t), "abc")
	want := "safedocker: container.inspect: not found: Error response from daemon: No such container: abc"
	if err == nil || err.Error() != want || !errors.Is(err, ErrNotFound) || !errors.Is(err, cause) {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestBuilderFindingsNameBuilderFields(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	tc.fake.Forbid()
	_, err := tc.NewContainer("alpine:3").WithNoNewPrivileges(false).WithSecurityOpt("seccomp=unconfined").
		Create(ctxFor(t), Tighten(policy.RaiseLevel(policy.LevelRestricted)))
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	fields := map[string]bool{}
	for _, f := range pe.Findings {
		fields[f.Field] = true
	}
	// WithSecurityOpt re-parses the whole list: no-new-privileges=false is
	// entry 0, seccomp=unconfined entry 1.
	if !fields["SecurityOpt[0]"] || !fields["SecurityOpt[1]"] {
		t.Errorf("finding fields = %v, want SecurityOpt[0] and SecurityOpt[1]", fields)
	}
	_, err = tc.NewContainer("alpine:3").WithNoNewPrivileges(false).
		Create(ctxFor(t), Tighten(policy.RaiseLevel(policy.LevelRestricted)))
	if !errors.As(err, &pe) || !slices.ContainsFunc(pe.Findings, func(f policy.Finding) bool { return f.Field == "NoNewPrivileges" }) {
		t.Errorf("findings = %v, want one on NoNewPrivileges", err)
	}
}

func TestNewDoesNoIOAndValidates(t *testing.T) {
	ep, err := UnixSocketEndpoint("/nonexistent/safedocker/docker.sock", AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(ep, WithCapabilities(CapSystemRead), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("New must not touch the socket: %v", err)
	}
	defer c.Close()
	if _, err := c.Ping(t.Context()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Ping on a missing socket: %v, want ErrUnavailable", err)
	}
	if _, err := New(Endpoint{}); !errors.Is(err, ErrInvalidEndpoint) {
		t.Errorf("zero endpoint: %v", err)
	}
	for name, opts := range map[string][]Option{
		"nil option":         {nil},
		"unknown capability": {WithCapabilities(Capability(200))},
		"nil logger":         {WithLogger(nil)},
		"nil limiter":        {WithLimiter(nil)},
		"negative deadline":  {WithDeadlines(Deadlines{Read: -1})},
		"huge bound":         {WithOutputBounds(OutputBounds{LogBytes: MaxOutputBytes + 1})},
		"bad API version":    {WithAPIVersion("v2")},
		"policy and paths":   {WithPolicy(mustPolicy(t)), WithHostPathResolver(stubResolver{})},
	} {
		if _, err := New(ep, opts...); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

type stubResolver struct{}

func (stubResolver) ResolveHostPath(p string) (string, error) { return p, nil }

func mustPolicy(t *testing.T) *policy.Evaluator {
	ev, err := policy.New(policy.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// Findings from builder requests name the Engine API field the adapter sends
// the value in, as findings from raw requests do.
func TestBuilderFindingsNameEngineFields(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerCreate))
	tc.fake.Forbid()
	_, err := tc.NewContainer("alpine:3").
		WithBind("/var/run/docker.sock", "/s", ReadOnly).
		WithPort(80, "tcp", "127.0.0.1", 8080).
		WithPort(80, "tcp", "0.0.0.0", 8081).
		Create(ctxFor(t), Tighten(policy.RaiseLevel(policy.LevelRestricted)))
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *PolicyError", err)
	}
	want := map[string]bool{"HostConfig.Mounts[0].Source": false, "HostConfig.PortBindings[80/tcp][1]": false}
	for _, f := range pe.Findings {
		if _, ok := want[f.Field]; ok {
			want[f.Field] = true
		}
		if f.Field == "HostConfig.PortBindings[80/tcp][0]" {
			t.Errorf("the loopback binding was reported: %v", f)
		}
	}
	for field, seen := range want {
		if !seen {
			t.Errorf("no finding names %s; findings: %v", field, pe.Findings)
		}
	}
}
