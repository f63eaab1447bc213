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
	dir := t.TempDir()
	fake := filepath.Join(dir, "bin")
	if err := os.Mkdir(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(dir, "ran")
	if err := os.WriteFile(filepath.Join(fake, "nsenter"), []byte("#!/bin/sh\n: > \"$MARK\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
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
