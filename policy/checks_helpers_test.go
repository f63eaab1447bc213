package policy

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/validate"
)

// ckRun runs one container check function and returns its findings.
func ckRun(fn func(*Container, *Settings, *Report), c *Container, s *Settings) []Finding {
	if s == nil {
		s = &Settings{}
	}
	var r Report
	fn(c, s, &r)
	return r.findings
}

// ckRunExec runs one exec check function and returns its findings.
func ckRunExec(fn func(*Exec, *Settings, *Report), x *Exec, s *Settings) []Finding {
	if s == nil {
		s = &Settings{}
	}
	var r Report
	fn(x, s, &r)
	return r.findings
}

// ckFields returns "field=value" for each finding, for compact comparisons.
func ckFields(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field+"="+f.Value)
	}
	return out
}

// ckWant compares findings' fields and values with want, reporting reasons on failure.
func ckWant(t *testing.T, name string, got []Finding, want ...string) {
	t.Helper()
	g := ckFields(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: findings\n got  %q\n want %q", name, g, want)
	}
	for _, f := range got {
		if f.Reason == "" || f.Remediation == "" {
			t.Errorf("%s: finding %v lacks a reason or remediation", name, f)
		}
	}
}

// ckSecOpts builds SecurityOptions from SecurityOpt strings; the test fails on
// a parse error.
func ckSecOpts(t testing.TB, opts ...string) SecurityOptions {
	t.Helper()
	so, errs := ParseSecurityOpts("HostConfig.SecurityOpt", opts)
	if len(errs) > 0 {
		t.Fatalf("ParseSecurityOpts(%q): %v", opts, errs[0])
	}
	return so
}

func fakeDeny(index int, program string) *validate.CommandError {
	return &validate.CommandError{Rule: validate.RuleDeniedProgram, Program: program, Index: index, Reason: "program " + program + " is denied"}
}

// fakeValidator denies argv whose program (argv[0] base name, or a "-c"
// script of a shell) is nsenter or mount; scripts are denied when any word is
// nsenter or mount. It stands in for the validate package.
type fakeValidator struct{}

func fakeDenied(word string) bool {
	switch path.Base(word) {
	case "nsenter", "mount":
		return true
	}
	return false
}

func (fakeValidator) ValidateArgv(argv []string) error {
	if len(argv) == 0 || argv[0] == "" {
		return errors.New("empty command")
	}
	if fakeDenied(argv[0]) {
		return fakeDeny(0, path.Base(argv[0]))
	}
	if b := path.Base(argv[0]); (b == "sh" || b == "bash") && len(argv) >= 3 && argv[1] == "-c" {
		if err := (fakeValidator{}).ValidateScript(argv[2]); err != nil {
			return fakeDeny(2, err.(*validate.CommandError).Program)
		}
	}
	return nil
}

func (fakeValidator) ValidateScript(script string) error {
	for _, w := range strings.Fields(script) {
		if fakeDenied(w) {
			return fakeDeny(-1, w)
		}
	}
	return nil
}
