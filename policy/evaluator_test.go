package policy

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func mustEval(t testing.TB, cfg Config) *Evaluator {
	t.Helper()
	if cfg.Commands == nil {
		cfg.Commands = fakeValidator{}
	}
	e, err := NewEvaluator(cfg, DefaultChecks()...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"privileged without ack", Config{Level: LevelPrivileged}, "Acknowledge"},
		{"privileged with wrong ack", Config{Level: LevelPrivileged, Acknowledge: "yes"}, "Acknowledge"},
		{"unknown level", Config{Level: 7}, "Level"},
		{"relative bind root", Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "data"}}}}, "Exceptions.BindRoots[0].Path"},
		{"dotdot bind root", Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "/srv/../etc"}}}}, "Exceptions.BindRoots[0].Path"},
		{"root bind root", Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "/srv"}, {Path: "//"}}}}, "Exceptions.BindRoots[1].Path"},
		{"ALL capability", Config{Exceptions: Exceptions{Capabilities: []string{"all"}}}, "Exceptions.Capabilities[0]"},
		{"unknown capability", Config{Exceptions: Exceptions{Capabilities: []string{"SYS_ADMINS"}}}, "Exceptions.Capabilities[0]"},
		{"bad sysctl", Config{Exceptions: Exceptions{Sysctls: []string{"a b"}}}, "Exceptions.Sysctls[0]"},
		{"unclean device", Config{Exceptions: Exceptions{Devices: []string{"/dev/../dev/sda"}}}, "Exceptions.Devices[0]"},
		{"device outside /dev", Config{Exceptions: Exceptions{Devices: []string{"/proc/kcore"}}}, "Exceptions.Devices[0]"},
		{"device /dev/fd", Config{Exceptions: Exceptions{Devices: []string{"/dev/fd/3"}}}, "Exceptions.Devices[0]"},
		{"bare star annotation", Config{Exceptions: Exceptions{Annotations: []string{"*"}}}, "Exceptions.Annotations[0]"},
		{"unconfined apparmor", Config{Exceptions: Exceptions{AppArmorProfiles: []string{"unconfined"}}}, "Exceptions.AppArmorProfiles[0]"},
		{"bad runtime", Config{Exceptions: Exceptions{Runtimes: []string{"/usr/bin/runc"}}}, "Exceptions.Runtimes[0]"},
		{"bad device driver", Config{Exceptions: Exceptions{DeviceRequests: []string{""}}}, "Exceptions.DeviceRequests[0]"},
	}
	for _, tt := range tests {
		_, err := NewEvaluator(tt.cfg, DefaultChecks()...)
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidConfig) || errors.Is(err, ErrWouldLoosen) {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		if ce.Field != tt.field {
			t.Errorf("%s: field %q, want %q", tt.name, ce.Field, tt.field)
		}
	}
}

func TestPrivilegedLevelRunsNothing(t *testing.T) {
	e := mustEval(t, Config{Level: LevelPrivileged, Acknowledge: AcknowledgeNoChecks})
	d := e.Container(&Container{Privileged: true, CapAdd: []string{"ALL"}})
	if !d.Allowed || d.Err() != nil || d.Level != LevelPrivileged {
		t.Fatalf("privileged level judged %+v", d)
	}
	if d := e.Container(nil); d.Allowed {
		t.Error("a nil request is allowed at the privileged level")
	}
}

func TestDecisionAndErrors(t *testing.T) {
	e := mustEval(t, Config{})
	d := e.Container(&Container{Image: "alpine", Privileged: true, CapAdd: []string{"SYS_ADMIN", "chown", "NET_ADMIN"},
		Cmd: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "nsenter"}})
	if d.Allowed {
		t.Fatal("allowed")
	}
	var got []string
	for _, f := range d.Findings {
		got = append(got, string(f.Check)+" "+f.Field)
	}
	want := []string{"capabilities HostConfig.CapAdd[0]", "capabilities HostConfig.CapAdd[2]", "privileged HostConfig.Privileged"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("findings %q, want %q", got, want)
	}
	err := d.Err()
	var de *DeniedError
	if !errors.Is(err, ErrDenied) || !errors.As(err, &de) || len(de.Findings) != 3 {
		t.Fatalf("Err() = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "policy: denied: capabilities: HostConfig.CapAdd[0]") {
		t.Errorf("message %q", err.Error())
	}
	if (Decision{}).Err() == nil {
		t.Error("the zero Decision must be a denial")
	}
	many := &DeniedError{Findings: make([]Finding, 8)}
	if !strings.HasSuffix(many.Error(), "; and 3 more") {
		t.Errorf("long message %q", many.Error())
	}
	for _, nilReq := range []Decision{e.Container(nil), e.Exec(nil), e.Volume(nil)} {
		if nilReq.Allowed || len(nilReq.Findings) != 1 || nilReq.Findings[0].Check != checkUnrecognised {
			t.Errorf("nil request: %+v", nilReq)
		}
	}
	if d := e.Exec(&Exec{Cmd: []string{"ls"}}); !d.Allowed {
		t.Errorf("plain exec denied: %v", d.Findings)
	}
	if d := e.Exec(&Exec{Cmd: []string{"ls"}, Privileged: true, WorkingDir: "/proc/self/fd/3"}); d.Allowed || len(d.Findings) != 2 {
		t.Errorf("privileged exec: %v", d.Findings)
	}
	if d := e.Volume(&VolumeCreate{Name: "data"}); !d.Allowed {
		t.Errorf("plain volume denied: %v", d.Findings)
	}
}

func TestFindingOrder(t *testing.T) {
	var caps []string
	for i := 0; i < 12; i++ {
		caps = append(caps, "SYS_ADMIN")
	}
	e := mustEval(t, Config{})
	d := e.Container(&Container{CapAdd: caps, Sysctls: map[string]string{"b.x": "1", "a.x": "1"}})
	var got []string
	for _, f := range d.Findings {
		got = append(got, f.Field)
	}
	want := []string{}
	for i := 0; i < 12; i++ {
		want = append(want, fmt.Sprintf("HostConfig.CapAdd[%d]", i))
	}
	want = append(want, "HostConfig.Sysctls[a.x]", "HostConfig.Sysctls[b.x]")
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("order\n got  %q\n want %q", got, want)
	}
	for _, tt := range []struct {
		a, b string
		want int
	}{{"Cmd[2]", "Cmd[10]", -1}, {"Cmd[10]", "Cmd[2]", 1}, {"Cmd[02]", "Cmd[2]", 0}, {"A", "B", -1}, {"Cmd", "Cmd[0]", -1}, {"x9", "x10", -1}} {
		if got := compareField(tt.a, tt.b); got != tt.want {
			t.Errorf("compareField(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestTighten(t *testing.T) {
	base := mustEval(t, Config{Exceptions: Exceptions{
		BindRoots:    []BindRoot{{Path: "/srv/data", Writable: true}, {Path: "/srv/ro"}},
		Capabilities: []string{"NET_ADMIN", "SYS_TIME"},
		Annotations:  []string{"org.example/*"},
		Runtimes:     []string{"runsc"},
	}})
	c := &Container{CapAdd: []string{"NET_ADMIN"}, Image: "alpine:3"}
	if d := base.Container(c); !d.Allowed {
		t.Fatalf("base denies: %v", d.Findings)
	}
	// Raise the level.
	r, err := base.Tighten(RaiseLevel(LevelRestricted))
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Container(c); d.Allowed || d.Level != LevelRestricted {
		t.Errorf("restricted allows %+v", d)
	}
	if base.Settings().Level != LevelBaseline {
		t.Error("Tighten changed the original")
	}
	// Drop exceptions.
	dr, _ := base.Tighten(DropExceptions())
	if d := dr.Container(c); d.Allowed {
		t.Error("dropping exceptions still allows NET_ADMIN")
	}
	// Narrow exceptions.
	n, err := base.Tighten(NarrowExceptions(Exceptions{
		BindRoots:    []BindRoot{{Path: "/srv/data/"}},
		Capabilities: []string{"cap_net_admin"},
		Annotations:  []string{"org.example/x", "org.example/y*"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if d := n.Container(c); !d.Allowed {
		t.Errorf("narrowed exceptions deny NET_ADMIN: %v", d.Findings)
	}
	if d := n.Container(&Container{CapAdd: []string{"SYS_TIME"}}); d.Allowed {
		t.Error("narrowed exceptions still allow SYS_TIME")
	}
	// Require digests.
	dg, _ := base.Tighten(RequireDigestPinning())
	if d := dg.Container(c); d.Allowed || d.Findings[0].Check != "imageDigest" {
		t.Errorf("digest not required: %+v", d)
	}
	// Loosening is refused.
	for name, opt := range map[string]TightenOption{
		"lower level":        RaiseLevel(LevelPrivileged),
		"new root":           NarrowExceptions(Exceptions{BindRoots: []BindRoot{{Path: "/srv"}}}),
		"writable ro root":   NarrowExceptions(Exceptions{BindRoots: []BindRoot{{Path: "/srv/ro", Writable: true}}}),
		"new capability":     NarrowExceptions(Exceptions{Capabilities: []string{"SYS_ADMIN"}}),
		"wider annotations":  NarrowExceptions(Exceptions{Annotations: []string{"org.*"}}),
		"new annotation key": NarrowExceptions(Exceptions{Annotations: []string{"com.example/x"}}),
		"new runtime":        NarrowExceptions(Exceptions{Runtimes: []string{"kata"}}),
		"new device driver":  NarrowExceptions(Exceptions{DeviceRequests: []string{"*"}}),
		"new sysctl":         NarrowExceptions(Exceptions{Sysctls: []string{"net.core.somaxconn"}}),
		"new volume driver":  NarrowExceptions(Exceptions{VolumeDrivers: []string{"rexray"}}),
	} {
		if _, err := base.Tighten(opt); !errors.Is(err, ErrWouldLoosen) || !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrWouldLoosen", name, err)
		}
	}
	rr, _ := base.Tighten(RaiseLevel(LevelRestricted))
	if _, err := rr.Tighten(RaiseLevel(LevelBaseline)); !errors.Is(err, ErrWouldLoosen) {
		t.Errorf("restricted to baseline: %v", err)
	}
	if _, err := base.Tighten(RaiseLevel(Level(9))); !errors.Is(err, ErrInvalidConfig) || errors.Is(err, ErrWouldLoosen) {
		t.Errorf("unknown level: %v", err)
	}
	// From privileged, any checked level is stricter.
	p := mustEval(t, Config{Level: LevelPrivileged, Acknowledge: AcknowledgeNoChecks})
	pb, err := p.Tighten(RaiseLevel(LevelBaseline))
	if err != nil {
		t.Fatal(err)
	}
	if d := pb.Container(&Container{Privileged: true}); d.Allowed {
		t.Error("privileged raised to baseline still allows privileged")
	}
}

func TestSettingsIsACopy(t *testing.T) {
	ex := Exceptions{Capabilities: []string{"NET_ADMIN"}, BindRoots: []BindRoot{{Path: "/srv"}}}
	e := mustEval(t, Config{Exceptions: ex, RequireDigest: true})
	ex.Capabilities[0] = "SYS_ADMIN" // the caller's slice must not reach the evaluator
	s := e.Settings()
	s.Exceptions.Capabilities[0] = "SYS_ADMIN"
	s.Exceptions.BindRoots[0].Path = "/"
	if got := e.Settings(); got.Exceptions.Capabilities[0] != "NET_ADMIN" || got.Exceptions.BindRoots[0].Path != "/srv" || !got.RequireDigest {
		t.Errorf("settings were shared: %+v", got)
	}
	if d := e.Container(&Container{Image: "a@sha256:" + strings.Repeat("0", 64), CapAdd: []string{"SYS_ADMIN"}}); d.Allowed {
		t.Error("a mutated copy loosened the evaluator")
	}
}

func TestConcurrentEvaluation(t *testing.T) {
	e := mustEval(t, Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "/srv/app"}}}})
	bad := &Container{Privileged: true, Cmd: []string{"nsenter"}}
	good := typicalContainer()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if d := e.Container(good); !d.Allowed {
					t.Errorf("typical denied: %v", d.Findings)
					return
				}
				if d := e.Container(bad); len(d.Findings) != 2 {
					t.Errorf("bad: %v", d.Findings)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestAllowPathAllocations guards the allocation budget of the allow path
// (counts are deterministic; speed is measured by the benchmarks): the whole
// evaluation stays within the 2 allocations, and each non-mount check
// allocates nothing on the typical request.
func TestAllowPathAllocations(t *testing.T) {
	e := mustEval(t, Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "/srv/app"}}}})
	c := typicalContainer()
	if d := e.Container(c); !d.Allowed {
		t.Fatalf("typical container denied: %v", d.Findings)
	}
	if n := testing.AllocsPerRun(100, func() { e.Container(c) }); n > 2 {
		t.Errorf("allow path allocates %.1f times per evaluation with the fake validator, budget 2", n)
	}
	s := &Settings{Commands: fakeValidator{}}
	s.compiled, _ = compileExceptions(Exceptions{})
	mine := map[CheckID]bool{"annotations": true, "apparmor": true, "capabilities": true, "capabilitiesRestricted": true,
		"cgroupParent": true, "commands": true, "devices": true, "env": true, "hostNamespaces": true, "imageDigest": true,
		"loopbackPorts": true, "noNewPrivileges": true, "privileged": true, "readOnlyRootfs": true, "resourceLimits": true,
		"runAsNonRoot": true, "runtime": true, "seccomp": true, "selinux": true, "sysctls": true, "systemPaths": true,
		"unrecognised": true, "workingDir": true, "writableCgroups": true}
	restricted := typicalContainer()
	restricted.User = "1000"
	restricted.CapDrop = []string{"ALL"}
	restricted.ReadonlyRootfs = true
	restricted.Security = ckSecOpts(t, "no-new-privileges")
	for _, ch := range DefaultChecks() {
		fn := ch.Versions[0].Container
		if fn == nil || !mine[ch.ID] {
			continue
		}
		var r Report
		n := testing.AllocsPerRun(50, func() { r.findings = r.findings[:0]; fn(restricted, s, &r) })
		if n > 0 || len(r.findings) > 0 {
			t.Errorf("%s: %.1f allocations, findings %v on the typical request", ch.ID, n, r.findings)
		}
	}
}

func TestVolumeDriverException(t *testing.T) {
	v := &VolumeCreate{Name: "data", Driver: "convoy"}
	if d := mustEval(t, Config{}).Volume(v); d.Allowed {
		t.Fatal("a volume plugin is allowed without an exception")
	}
	e := mustEval(t, Config{Exceptions: Exceptions{VolumeDrivers: []string{"convoy"}}})
	if d := e.Volume(v); !d.Allowed {
		t.Fatalf("an excepted volume plugin is denied: %v", d.Findings)
	}
	if d := e.Volume(&VolumeCreate{Name: "data", Driver: "rexray"}); d.Allowed {
		t.Fatal("the exception for convoy allows rexray")
	}
	n, err := e.Tighten(NarrowExceptions(Exceptions{VolumeDrivers: []string{"convoy"}}))
	if err != nil {
		t.Fatal(err)
	}
	if d := n.Volume(v); !d.Allowed {
		t.Fatalf("narrowing to the same driver denies it: %v", d.Findings)
	}
	dr, _ := e.Tighten(DropExceptions())
	if d := dr.Volume(v); d.Allowed {
		t.Fatal("dropping exceptions still allows the plugin")
	}
	for _, bad := range []string{"local", "", "bad name!"} {
		if _, err := New(Config{Exceptions: Exceptions{VolumeDrivers: []string{bad}}}); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("VolumeDrivers %q: err = %v, want ErrInvalidConfig", bad, err)
		}
	}
}
