package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
)

func TestMain(m *testing.M) { dockertest.Main(m) }

// daemon creates containers directly with the Engine API, bypassing
// safedocker, as any other tool would.
type daemon struct {
	t    *testing.T
	sock string
	http *http.Client
}

func (d daemon) do(method, path string, body any) []byte {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var rd *bytes.Reader
	ct := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			d.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(b), "application/json"
	}
	var status int
	var out []byte
	var err error
	if rd != nil {
		status, out, err = dockertest.Do(ctx, d.http, method, path, ct, rd)
	} else {
		status, out, err = dockertest.Do(ctx, d.http, method, path, "", nil)
	}
	if err != nil || status >= 300 {
		d.t.Fatalf("%s %s: status %d, %v: %s", method, path, status, err, out)
	}
	return out
}

// create makes a container named name from spec (an Engine API create body),
// starts it unless stopped is true, and removes it in t.Cleanup.
func (d daemon) create(name string, spec map[string]any, start bool) string {
	d.t.Helper()
	out := d.do(http.MethodPost, "/containers/create?name="+url.QueryEscape(name), spec)
	var r struct{ Id string }
	if err := json.Unmarshal(out, &r); err != nil || r.Id == "" {
		d.t.Fatalf("create %s: %s", name, out)
	}
	d.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		dockertest.Do(ctx, d.http, http.MethodDelete, "/containers/"+r.Id+"?force=1&v=1", "", nil)
	})
	if start {
		d.do(http.MethodPost, "/containers/"+r.Id+"/start", nil)
	}
	return r.Id
}

type fixture struct {
	sock, run             string
	good, bad, stopped    string
	goodID, badID, stopID string
}

// setup creates, for one run label: a hardened running container, a running
// container with SYS_ADMIN and a bind of /var/run, and a stopped privileged
// container.
func setup(t *testing.T) fixture {
	sock := dockertest.RequireDaemon(t)
	image := dockertest.TinyImage(t)
	d := daemon{t: t, sock: sock, http: dockertest.UnixHTTPClient(sock)}
	f := fixture{sock: sock, run: dockertest.Name(t, "run"),
		good: dockertest.Name(t, "good"), bad: dockertest.Name(t, "bad"), stopped: dockertest.Name(t, "stopped")}
	labels := func(role string) map[string]string {
		return map[string]string{"safedocker.test.run": f.run, "safedocker.test.role": role}
	}
	f.goodID = d.create(f.good, map[string]any{
		"Image": image, "Cmd": []string{"sleep", "120s"}, "User": "65534:65534", "Labels": labels("good"),
		"HostConfig": map[string]any{
			"CapDrop": []string{"ALL"}, "ReadonlyRootfs": true, "SecurityOpt": []string{"no-new-privileges:true"},
			"Memory": 64 << 20, "PidsLimit": 64, "Init": true,
		},
	}, true)
	f.badID = d.create(f.bad, map[string]any{
		"Image": image, "Cmd": []string{"sleep", "120s"}, "Labels": labels("bad"),
		"HostConfig": map[string]any{"CapAdd": []string{"SYS_ADMIN"}, "Binds": []string{"/var/run:/host-run:ro"}},
	}, true)
	f.stopID = d.create(f.stopped, map[string]any{
		"Image": image, "Cmd": []string{"sleep", "120s"}, "Labels": labels("stopped"),
		"HostConfig": map[string]any{"Privileged": true},
	}, false)
	return f
}

func runAudit(t *testing.T, sock string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append([]string{"-host", "unix://" + sock}, args...)
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func decode(t *testing.T, out string) report {
	t.Helper()
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, out)
	}
	return r
}

func byName(r report) map[string]containerReport {
	m := map[string]containerReport{}
	for _, c := range r.Containers {
		m[c.Name] = c
	}
	return m
}

func hasFinding(c containerReport, check, fieldPrefix string) bool {
	for _, f := range c.Findings {
		if f.Check == check && strings.HasPrefix(f.Field, fieldPrefix) && f.Reason != "" && f.Remediation != "" {
			return true
		}
	}
	return false
}

func TestAuditDaemonContainers(t *testing.T) {
	f := setup(t)
	runLabel := "safedocker.test.run=" + f.run

	// Running containers only: the hardened one passes, the SYS_ADMIN one with
	// the /var/run bind fails with both findings, the stopped one is not audited.
	code, out, errOut := runAudit(t, f.sock, "-format", "json", "-label", runLabel)
	if code != exitViolation {
		t.Fatalf("exit %d, want %d; stderr: %s\n%s", code, exitViolation, errOut, out)
	}
	r := decode(t, out)
	cs := byName(r)
	if r.Audited != 2 || r.Violating != 1 || len(cs) != 2 || r.Level != "baseline" || len(r.Errors) != 0 {
		t.Fatalf("report %+v", r)
	}
	if good := cs[f.good]; !good.Allowed || len(good.Findings) != 0 || good.ID != f.goodID || good.State != "running" {
		t.Errorf("hardened container: %+v", good)
	}
	bad := cs[f.bad]
	if bad.Allowed || bad.ID != f.badID {
		t.Fatalf("SYS_ADMIN container allowed: %+v", bad)
	}
	if !hasFinding(bad, "capabilities", "HostConfig.CapAdd[0]") {
		t.Errorf("no capabilities finding on HostConfig.CapAdd[0]: %+v", bad.Findings)
	}
	if !hasFinding(bad, "sensitivePaths", "HostConfig.Binds[0]") && !hasFinding(bad, "hostMounts", "HostConfig.Binds[0]") {
		t.Errorf("no mount finding on HostConfig.Binds[0]: %+v", bad.Findings)
	}
	if _, ok := cs[f.stopped]; ok {
		t.Error("stopped container audited without -all")
	}

	// -all adds the stopped privileged container.
	code, out, _ = runAudit(t, f.sock, "-format", "json", "-all", "-label", runLabel)
	r = decode(t, out)
	if code != exitViolation || r.Audited != 3 || r.Violating != 2 {
		t.Fatalf("-all: exit %d, report %+v", code, r)
	}
	if st := byName(r)[f.stopped]; st.Allowed || !hasFinding(st, "privileged", "HostConfig.Privileged") || st.State != "created" {
		t.Errorf("stopped privileged container: %+v", st)
	}

	// Only the hardened container: exit 0, at both levels.
	for _, level := range []string{"baseline", "restricted"} {
		code, out, errOut = runAudit(t, f.sock, "-level", level, "-label", runLabel, "-label", "safedocker.test.role=good")
		if code != exitClean || !strings.Contains(out, "ALLOW  "+f.good) || !strings.Contains(out, "audited 1 running containers at "+level+": 0 violate") {
			t.Errorf("hardened only at %s: exit %d\n%s\n%s", level, code, out, errOut)
		}
	}

	// Text output names the container, the check, the field and the fix.
	code, out, _ = runAudit(t, f.sock, "-label", runLabel)
	for _, want := range []string{"DENY   " + f.bad, "[capabilities] HostConfig.CapAdd[0]", "fix: ", "1 violate the policy"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if code != exitViolation {
		t.Errorf("text: exit %d", code)
	}
}

func TestAuditErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-format", "xml"},
		{"-level", "privileged"},
		{"-level", "nonsense"},
		{"extra"},
		{"-no-such-flag"},
		{"-host", "tcp://127.0.0.1:2375"}, // plain TCP is refused by the endpoint rules
		{"-host", "unix://" + filepath.Join(t.TempDir(), "missing.sock")},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != exitError {
			t.Errorf("%q: exit %d, want %d (stderr %s)", args, code, exitError, stderr.String())
		}
	}
}

// TestWriteText checks the text layout of a report without a daemon.
func TestWriteText(t *testing.T) {
	rep := report{Level: "baseline", Audited: 1, Violating: 1, Errors: []string{"inspecting x: boom"},
		Containers: []containerReport{{ID: strings.Repeat("a", 64), Name: "web", Image: "nginx", State: "running",
			Findings: []finding{{Check: "privileged", Field: "HostConfig.Privileged", Value: "true", Reason: "r", Remediation: "m"}}}}}
	var b bytes.Buffer
	if err := write(&b, "text", rep); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("DENY   web (%s) image nginx, running\n", strings.Repeat("a", 12)) +
		"       [privileged] HostConfig.Privileged = \"true\": r\n" +
		"         fix: m\n" +
		"audited 1 running containers at baseline: 1 violate the policy, 1 error(s): the audit is incomplete\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
