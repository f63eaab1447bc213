package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

type outLine struct {
	ID          any    `json:"id"`
	Allowed     bool   `json:"allowed"`
	Unsupported bool   `json:"unsupported"`
	Error       string `json:"error"`
	Findings    []struct {
		Check, Field, Message string
	} `json:"findings"`
}

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func parseOut(t *testing.T, s string) []outLine {
	t.Helper()
	var res []outLine
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if l == "" {
			continue
		}
		var o outLine
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("output line is not JSON: %q: %v", l, err)
		}
		if o.Findings == nil {
			t.Fatalf("output line without a findings array: %q", l)
		}
		res = append(res, o)
	}
	return res
}

// TestGoldenFixtures judges the request fixtures: every ordinary request
// (mostly recorded from docker CLI 28.2.2) must be allowed, every escape
// denied by the check named in its "expect" field, and the output must match
// the golden file (go test -update rewrites it).
func TestGoldenFixtures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wantCode int
	}{{"allow", exitAllowed}, {"deny", exitDenied}} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join("testdata", tc.name+".jsonl")
			code, out, stderr := runCLI(t, "", "--allow-bind", "/srv/data", in)
			if code != tc.wantCode {
				t.Errorf("exit %d; want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var envs []struct {
				ID     string `json:"id"`
				Expect string `json:"expect"`
			}
			for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
				var e struct {
					ID     string `json:"id"`
					Expect string `json:"expect"`
				}
				if err := json.Unmarshal([]byte(l), &e); err != nil {
					t.Fatalf("fixture line: %v", err)
				}
				envs = append(envs, e)
			}
			res := parseOut(t, out)
			if len(res) != len(envs) {
				t.Fatalf("%d output lines for %d inputs", len(res), len(envs))
			}
			for i, r := range res {
				if r.ID != envs[i].ID {
					t.Errorf("line %d: id %v; want %s", i+1, r.ID, envs[i].ID)
				}
				if r.Error != "" {
					t.Errorf("%s: error %s", envs[i].ID, r.Error)
				}
				var checks []string
				for _, f := range r.Findings {
					checks = append(checks, f.Check)
				}
				if tc.name == "allow" && !r.Allowed {
					t.Errorf("%s: ordinary request denied: %+v", envs[i].ID, r.Findings)
				}
				if tc.name == "deny" && (r.Allowed || !slices.Contains(checks, envs[i].Expect)) {
					t.Errorf("%s: allowed=%v checks %v; want a denial by %q", envs[i].ID, r.Allowed, checks, envs[i].Expect)
				}
			}
			// The golden file pins the verdict, check IDs and fields (not the
			// wording of messages, which belongs to the checks).
			var sum strings.Builder
			for _, r := range res {
				fmt.Fprintf(&sum, "%v allowed=%v", r.ID, r.Allowed)
				for _, f := range r.Findings {
					fmt.Fprintf(&sum, " %s@%s", f.Check, f.Field)
				}
				sum.WriteByte('\n')
			}
			got := sum.String()
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("verdicts differ from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
	if len(mustGlob(t, "testdata/*.golden")) != 2 {
		t.Error("stale or missing golden files in testdata")
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMalformedLineIsReportedAndRestJudged(t *testing.T) {
	in := `{"id":"a","method":"POST","path":"/containers/create","body":{"Image":"alpine"}}
not json at all

{"id":"b","method":"POST","path":"/containers/create","body":{"Image":"alpine","HostConfig":{"Privileged":true}}}
{"id":"c","path":"/containers/create"}
{"id":{"n":1},"method":"POST","path":"/volumes/create","extra":"ignored","body":{"Name":"vol"}}
`
	code, out, _ := runCLI(t, in)
	res := parseOut(t, out)
	if code != exitUnreadable {
		t.Errorf("exit %d; want %d for a malformed line", code, exitUnreadable)
	}
	if len(res) != 5 {
		t.Fatalf("%d output lines; want 5 (blank lines skipped): %s", len(res), out)
	}
	if !res[0].Allowed || res[1].Error == "" || res[1].Allowed || res[2].Allowed || res[3].Error == "" || !res[4].Allowed {
		t.Errorf("results: %+v", res)
	}
	if !strings.Contains(res[1].Error, "stdin:2") {
		t.Errorf("error line does not name the line: %q", res[1].Error)
	}
	if m, ok := res[4].ID.(map[string]any); !ok || m["n"] != float64(1) {
		t.Errorf("id not echoed as given: %#v", res[4].ID)
	}
}

func TestExitCodesAndFlags(t *testing.T) {
	allowed := `{"id":"ok","method":"POST","path":"/v1.41/containers/create","body":{"Image":"alpine"}}` + "\n"
	writable := `{"id":"w","method":"POST","path":"/v1.41/containers/create","body":{"Image":"alpine","User":"1000","HostConfig":{"Binds":["/srv/data/x:/x"]}}}` + "\n"
	unsupported := `{"id":"u","method":"GET","path":"/containers/json"}` + "\n"
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"allowed", allowed, nil, exitAllowed},
		{"empty input", "", nil, exitAllowed},
		{"restricted denies a default container", allowed, []string{"--level", "restricted"}, exitDenied},
		{"RESTRICTED spelled in capitals", allowed, []string{"--level=RESTRICTED"}, exitDenied},
		{"unknown level", allowed, []string{"--level", "privileged"}, exitUnreadable},
		{"unknown format", allowed, []string{"--format", "xml"}, exitUnreadable},
		{"relative bind root", allowed, []string{"--allow-bind", "srv"}, exitUnreadable},
		{"writable bind under read-only root", writable, []string{"--allow-bind", "/srv/data"}, exitDenied},
		{"writable bind under writable root", writable, []string{"--allow-bind", "/srv/data:rw"}, exitAllowed},
		{"unsupported endpoint", unsupported, nil, exitDenied},
		{"missing file", "", []string{"testdata/does-not-exist.jsonl"}, exitUnreadable},
		{"help", "", []string{"-h"}, exitAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d; want %d (out %q, stderr %q)", code, tc.code, out, stderr)
			}
		})
	}
	code, out, _ := runCLI(t, unsupported)
	res := parseOut(t, out)
	if code != exitDenied || len(res) != 1 || !res[0].Unsupported || res[0].Allowed || res[0].Findings[0].Check != "unsupported" {
		t.Errorf("unsupported endpoint: %s", out)
	}
}

func TestMissingFileDoesNotStopOthers(t *testing.T) {
	code, out, stderr := runCLI(t, "", "testdata/does-not-exist.jsonl", "testdata/allow.jsonl")
	if code != exitUnreadable || !strings.Contains(stderr, "does-not-exist") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if n := len(parseOut(t, out)); n < 10 {
		t.Errorf("only %d lines judged after a missing file", n)
	}
}

func TestTextFormat(t *testing.T) {
	in := `{"id":"p","method":"POST","path":"/containers/create","body":{"Image":"alpine","HostConfig":{"Privileged":true}}}
{"id":"ok","method":"POST","path":"/containers/create","body":{"Image":"alpine"}}
{"id":"u","method":"DELETE","path":"/containers/x"}
bad
`
	code, out, _ := runCLI(t, in, "--format", "text")
	if code != exitUnreadable {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"p: DENIED", "[privileged] HostConfig.Privileged", "why: ", "fix: ", "ok: allowed", "u: NOT JUDGED", "ERROR stdin:4"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestLongLine(t *testing.T) {
	long := `{"id":"big","method":"POST","path":"/containers/create","body":{"Image":"` + strings.Repeat("a", maxLine) + `"}}`
	in := long + "\n" + `{"id":"ok","method":"POST","path":"/containers/create","body":{"Image":"alpine"}}` + "\n"
	code, out, _ := runCLI(t, in)
	res := parseOut(t, out)
	if code != exitUnreadable || len(res) != 2 || res[0].Error == "" || !res[1].Allowed {
		t.Errorf("exit %d, results %+v", code, res)
	}
}

// TestBinary builds the command and runs it as a process.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "policycheck")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--allow-bind", "/srv/data")
	cmd.Stdin = strings.NewReader(`{"id":"x","method":"POST","path":"/v1.41/containers/create","body":{"Image":"alpine","HostConfig":{"Binds":["/var/run/docker.sock:/s"]}}}` + "\n")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitDenied {
		t.Fatalf("exit: %v; want status %d", err, exitDenied)
	}
	res := parseOut(t, string(out))
	if len(res) != 1 || res[0].Allowed || res[0].ID != "x" {
		t.Errorf("binary output: %s", out)
	}
}
