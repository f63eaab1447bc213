package safedocker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

var hostNS = policy.NamespaceMode{Kind: policy.NamespaceHost}

// privilegedAsInspected is a privileged container as the daemon reports it:
// label=disable added, no masked paths, the host cgroup namespace (cgroup v1).
func privilegedAsInspected() policy.Container {
	return policy.Container{Image: "alpine:3", Privileged: true, CgroupnsMode: hostNS,
		Security: policy.SecurityOptions{Label: policy.SELinuxLabel{Disable: true},
			Fields: map[string]string{"label": "HostConfig.SecurityOpt[0]"}}}
}

func findingChecks(fs []policy.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Check))
	}
	return out
}

func TestJudgeContainer(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerRead))
	spec := privilegedAsInspected()
	tc.fake.InspectContainerFunc = func(_ context.Context, id string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{ID: id, Spec: spec}, nil
	}
	d, err := tc.JudgeContainer(ctxFor(t), "abc")
	if err != nil {
		t.Fatalf("a denied container is a judgement, not an error: %v", err)
	}
	if d.Allowed || !slices.Equal(findingChecks(d.Findings), []string{"privileged"}) || d.Level != policy.LevelBaseline {
		t.Errorf("decision = %+v, want a denial by the privileged check only", d)
	}
	// One decision event admitting the read, one result event with the judgement.
	ev := tc.audit.events(t)
	if len(ev) != 2 || ev[0]["event"] != "decision" || ev[0]["verdict"] != "allow" || ev[0]["op"] != "container.judge" {
		t.Fatalf("audit events = %v", ev)
	}
	res := ev[1]
	if res["event"] != "result" || res["outcome"] != "ok" || res["judgement"] != "deny" ||
		fmt.Sprint(res["checks"]) != "[privileged]" || res["findings"] != float64(1) || res["policy"] != "baseline" {
		t.Errorf("result event = %v", res)
	}

	// A hardened container passes; tightened, it does not.
	spec = policy.Container{Image: "alpine:3", CgroupnsMode: hostNS, MaskedPaths: []string{"/proc/kcore"}}
	if d, err := tc.JudgeContainer(ctxFor(t), "abc"); err != nil || !d.Allowed {
		t.Errorf("benign container: %+v, %v", d, err)
	}
	if e := tc.audit.events(t); e[len(e)-1]["judgement"] != "allow" || e[len(e)-1]["checks"] != nil {
		t.Errorf("result event = %v", e[len(e)-1])
	}
	if d, err := tc.JudgeContainer(ctxFor(t), "abc", Tighten(policy.RaiseLevel(policy.LevelRestricted))); err != nil || d.Allowed || d.Level != policy.LevelRestricted {
		t.Errorf("tightened: %+v, %v", d, err)
	}
	if _, err := tc.JudgeContainer(ctxFor(t), "abc", Tighten(policy.RaiseLevel(policy.LevelPrivileged))); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("loosening: %v, want ErrInvalidInput", err)
	}
	// The daemon information is read once, and only the inspect otherwise.
	if m := strings.Join(tc.fake.Methods(), ","); m != "InspectContainer,Info,InspectContainer,InspectContainer" {
		t.Errorf("engine calls = %s", m)
	}

	tc.fake.InspectContainerFunc = func(context.Context, string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{}, fmt.Errorf("%w: gone", engine.ErrNotFound)
	}
	if _, err := tc.JudgeContainer(ctxFor(t), "abc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing container: %v, want ErrNotFound", err)
	}
	if _, err := tc.JudgeContainer(ctxFor(t), "../x"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("bad id: %v, want ErrInvalidInput", err)
	}
}

func TestJudgeContainerNeedsContainerRead(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapContainerStart))
	tc.fake.Forbid()
	if _, err := tc.JudgeContainer(ctxFor(t), "abc"); !errors.Is(err, ErrCapabilityDenied) {
		t.Fatalf("err = %v, want ErrCapabilityDenied", err)
	}
}

// On a cgroup v2 host the daemon's default is a private cgroup namespace, so
// "host" was asked for and is judged; on cgroup v1 it is the default.
func TestJudgeContainerCgroupVersion(t *testing.T) {
	for _, tt := range []struct {
		version string
		allowed bool
	}{{"1", true}, {"", true}, {"2", false}} {
		tc := newTestClient(t, WithCapabilities(CapContainerRead, CapContainerStart))
		tc.fake.InfoFunc = func(context.Context) (engine.DaemonInfo, error) {
			return engine.DaemonInfo{CgroupVersion: tt.version}, nil
		}
		tc.fake.InspectContainerFunc = func(_ context.Context, id string) (engine.ContainerInfo, error) {
			return engine.ContainerInfo{ID: id, Spec: policy.Container{Image: "alpine:3", CgroupnsMode: hostNS}}, nil
		}
		d, err := tc.JudgeContainer(ctxFor(t), "abc")
		if err != nil || d.Allowed != tt.allowed {
			t.Errorf("cgroup %q: %+v, %v; want allowed=%t", tt.version, d, err, tt.allowed)
		}
		// StartContainer judges alike (and reuses the cached version).
		err = tc.StartContainer(ctxFor(t), "abc")
		if (err == nil) != tt.allowed {
			t.Errorf("cgroup %q: start: %v", tt.version, err)
		}
	}
	// A daemon that cannot say fails the judgement closed.
	tc := newTestClient(t, WithCapabilities(CapContainerRead, CapContainerStart))
	tc.fake.InfoFunc = func(context.Context) (engine.DaemonInfo, error) {
		return engine.DaemonInfo{}, fmt.Errorf("%w: down", engine.ErrUnavailable)
	}
	tc.fake.InspectContainerFunc = func(_ context.Context, id string) (engine.ContainerInfo, error) {
		return engine.ContainerInfo{ID: id, Spec: policy.Container{Image: "alpine:3", CgroupnsMode: hostNS}}, nil
	}
	tc.fake.StartContainerFunc = func(context.Context, string) error {
		t.Error("started without knowing the cgroup version")
		return nil
	}
	if _, err := tc.JudgeContainer(ctxFor(t), "abc"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("judge without daemon info: %v", err)
	}
	if err := tc.StartContainer(ctxFor(t), "abc"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("start without daemon info: %v", err)
	}
}

// TestDaemonView: the daemon's create-time defaults are undone, explicit
// choices are kept.
func TestDaemonView(t *testing.T) {
	ev := mustPolicy(t)
	judge := func(c policy.Container) policy.Decision { return ev.Container(&c) }
	filled := policy.Container{Image: "x", CgroupnsMode: hostNS, MaskedPaths: []string{"/proc/kcore"}, ReadonlyPaths: []string{"/proc/sys"}}
	if d := judge(daemonView(filled, true)); d.Err() != nil {
		t.Errorf("cgroup v1 daemon defaults reported: %v", d.Findings)
	}
	if d := judge(daemonView(filled, false)); d.Err() == nil || d.Findings[0].Field != "HostConfig.CgroupnsMode" {
		t.Errorf("host cgroupns on cgroup v2 not reported: %v", d.Findings)
	}
	if d := judge(daemonView(policy.Container{Image: "x", MaskedPaths: []string{}}, true)); d.Err() == nil {
		t.Error("an explicitly empty masked-path list (unmask everything) was not reported")
	}

	// label=disable with its cause: only the cause is reported.
	priv := privilegedAsInspected()
	view := daemonView(priv, true)
	if got := findingChecks(judge(view).Findings); !slices.Equal(got, []string{"privileged"}) {
		t.Errorf("privileged with label=disable: checks %v, want [privileged]", got)
	}
	if _, ok := view.Security.Fields["label"]; ok || priv.Security.Fields["label"] == "" {
		t.Error("the label field was not dropped from the view, or the input was changed")
	}
	for name, c := range map[string]policy.Container{
		"host pid": {Image: "x", PIDMode: hostNS, Security: priv.Security},
		"host ipc": {Image: "x", IPCMode: hostNS, Security: priv.Security},
	} {
		if got := findingChecks(judge(daemonView(c, true)).Findings); len(got) != 1 || got[0] == "selinux" {
			t.Errorf("%s with label=disable: checks %v, want the namespace check only", name, got)
		}
	}
	// Without a cause, or with other label fields, label=disable is judged.
	alone := policy.Container{Image: "x", Security: priv.Security}
	if got := findingChecks(judge(daemonView(alone, true)).Findings); !slices.Contains(got, "selinux") {
		t.Errorf("label=disable alone: checks %v, want selinux", got)
	}
	mixed := privilegedAsInspected()
	mixed.Security.Label.Type = "spc_t"
	if got := findingChecks(judge(daemonView(mixed, true)).Findings); !slices.Contains(got, "selinux") {
		t.Errorf("label=disable with a label type: checks %v, want selinux too", got)
	}
}
