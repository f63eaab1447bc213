package validate

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// fakeNsenter makes a temporary directory holding bin/nsenter, a script that
// creates the file mark (through $MARK) when it runs. Put fake first on PATH
// and MARK=mark in the environment.
func fakeNsenter(t *testing.T) (dir, fake, mark string) {
	t.Helper()
	dir = t.TempDir()
	fake = filepath.Join(dir, "bin")
	if err := os.Mkdir(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	mark = filepath.Join(dir, "ran")
	if err := os.WriteFile(filepath.Join(fake, "nsenter"), []byte("#!/bin/sh\n: > \"$MARK\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, fake, mark
}

// TestRealShellsAgree runs scripts in the real dash and bash with a fake
// nsenter first on PATH. Scripts the validator accepts must not run it;
// scripts it denies for nsenter must run it in at least one shell, so the
// rules are not vacuous.
func TestRealShellsAgree(t *testing.T) {
	var shells []string
	for _, sh := range []string{"dash", "bash"} {
		if p, err := exec.LookPath(sh); err == nil {
			shells = append(shells, p)
		}
	}
	if len(shells) == 0 {
		t.Skip("neither dash nor bash is installed")
	}
	dir, fake, mark := fakeNsenter(t)
	ran := func(shell, script string) bool {
		t.Helper()
		_ = os.Remove(mark)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, shell, "-c", script)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + fake + ":/usr/bin:/bin", "MARK=" + mark, "FAKE=" + fake}
		_ = cmd.Run() // scripts may fail; only the mark matters
		_, err := os.Stat(mark)
		return err == nil
	}
	v := mustValidator(t)
	accepted := []string{
		"echo nsenter",
		"echo 'nsenter is a tool'; printf '%s\\n' nsenter",
		"cat <<'EOF'\nnsenter\nEOF",
		"grep -c nsenter /dev/null || true",
		"command -v nsenter >/dev/null || true",
		"x=1; ((x++)); echo $x",
		"test -n nsenter && [ nsenter = x ] || echo no",
		"echo \"$(echo nsenter)\"",
		"set -- nsenter; echo \"$1\"",
		"case nsenter in nsenter) echo matched;; esac",
	}
	for _, s := range accepted {
		if err := v.ValidateScript(s); err != nil {
			t.Errorf("%q: validator refuses it: %v", s, err)
			continue
		}
		for _, sh := range shells {
			if ran(sh, s) {
				t.Errorf("%q: accepted, but %s ran nsenter", s, sh)
			}
		}
	}
	denied := []string{
		"nsenter",
		"echo x | nsenter",
		"n\\senter",
		"ns\"ent\"'er'",
		"eval 'nsenter'",
		"trap nsenter EXIT",
		"f() { nsenter; }; f",
		"cat <<EOF\n$(nsenter)\nEOF",
		"env A=1 nsenter",
		"timeout 5 nsenter",
		"sh -c 'nice -n 1 nsenter'",
		"((nsenter))",                        // dash: two subshells
		"$'\\x6e\\x73enter'",                 // bash: ANSI-C quoting
		"x='a[$(nsenter)]'; echo $((x))",     // bash: arithmetic evaluates the literal
		"hash -p \"$FAKE/nsenter\" ls; ls",   // bash: hash -p
		"PS4='$(nsenter)'; set -x; true",     // bash: PS4 is expanded
		"echo bnNlbnRlcgo= | base64 -d | sh", // stdin shell
	}
	for _, s := range denied {
		err := v.ValidateScript(s)
		if !errors.Is(err, ErrCommandDenied) {
			t.Errorf("%q: validator does not deny it: %v", s, err)
		}
		any := false
		for _, sh := range shells {
			any = any || ran(sh, s)
		}
		if !any && len(shells) == 2 {
			t.Errorf("%q: denied, but no real shell ran nsenter (rule may be vacuous)", s)
		}
	}
}

// TestRealWrappersAgree runs exec-form wrapper commands with the real
// coreutils, util-linux and findutils binaries and a fake nsenter first on
// PATH: what the validator denies for nsenter really runs it, and what it
// accepts does not.
func TestRealWrappersAgree(t *testing.T) {
	dir, fake, mark := fakeNsenter(t)
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := fake + ":/usr/bin:/bin"
	ran := func(argv []string) (bool, bool) {
		t.Helper()
		bin, err := exec.LookPath(argv[0])
		if err != nil {
			return false, false
		}
		_ = os.Remove(mark)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, argv[1:]...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + path, "MARK=" + mark}
		_ = cmd.Run()
		_, err = os.Stat(mark)
		return err == nil, true
	}
	v := mustValidator(t)
	denied := [][]string{
		{"env", "nsenter"}, {"env", "-i", "MARK=" + mark, "PATH=" + path, "nsenter"},
		{"env", "-u", "HOME", "-C", "/", "nsenter"}, {"env", "-S", "nsenter -t 1"},
		{"env", "--split-string=-i MARK=" + mark + " PATH=" + path + " nsenter"},
		{"timeout", "5", "nsenter"}, {"timeout", "-s", "KILL", "5", "nsenter"},
		{"timeout", "-k", "1", "--preserve-status", "2.5", "nsenter"}, {"timeout", "--sig=TERM", "5s", "nsenter"},
		{"nice", "nsenter"}, {"nice", "-n", "5", "nsenter"}, {"nice", "-5", "nsenter"}, {"nice", "--adj=3", "nsenter"},
		{"nohup", "nsenter"}, {"setsid", "-w", "nsenter"}, {"stdbuf", "-oL", "-e", "0", "nsenter"},
		{"taskset", "-c", "0", "nsenter"}, {"taskset", "0x1", "nsenter"}, {"ionice", "-c2", "-n", "7", "nsenter"},
		{"ionice", "-c", "3", "nsenter"}, {"xargs", "nsenter"}, {"xargs", "-0", "-n", "1", "nsenter"},
		{"flock", "lock", "nsenter"}, {"flock", "-w", "5", "lock", "-c", "nsenter"},
		{"find", ".", "-name", "file", "-exec", "nsenter", "{}", ";"}, {"find", ".", "-execdir", "nsenter", "{}", "+"},
		{"env", "timeout", "5", "nice", "-n", "1", "nohup", "stdbuf", "-o0", "taskset", "-c", "0", "sh", "-c", "ionice -c2 nsenter"},
	}
	for _, argv := range denied {
		err := v.ValidateArgv(argv)
		var ce *CommandError
		if !errors.As(err, &ce) || ce.Rule != RuleDeniedProgram || ce.Program != "nsenter" {
			t.Errorf("%q: validator gives %v, want nsenter denied", argv, err)
		}
		if r, ok := ran(argv); ok && !r {
			t.Errorf("%q: denied, but the real %s did not run nsenter (rule may be vacuous)", argv, argv[0])
		}
	}
	accepted := [][]string{
		{"env", "-u", "nsenter", "true"}, {"timeout", "5", "echo", "nsenter"}, {"nice", "-n", "1", "echo", "nsenter"},
		{"xargs", "echo", "nsenter"}, {"find", ".", "-name", "nsenter"}, {"flock", "lock", "echo", "nsenter"},
		{"env", "A=nsenter", "true"}, {"taskset", "-p", "1"}, {"ionice", "-p", "1"}, {"chrt", "-p", "1"},
	}
	for _, argv := range accepted {
		if err := v.ValidateArgv(argv); err != nil {
			t.Errorf("%q: validator refuses it: %v", argv, err)
		}
		if r, _ := ran(argv); r {
			t.Errorf("%q: accepted, but the real %s ran nsenter", argv, argv[0])
		}
	}
}
