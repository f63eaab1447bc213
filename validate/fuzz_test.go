package validate

import (
	"errors"
	"strings"
	"testing"
)

// wrapperForms are prefixes that run the rest of argv as a command; a
// command denied alone must stay denied behind each of them.
var wrapperForms = [][]string{
	{"env"}, {"env", "-i", "A=1"}, {"env", "--"}, {"/usr/bin/env", "-u", "HOME"},
	{"timeout", "5"}, {"timeout", "-s", "KILL", "5"}, {"timeout", "-k", "1", "2.5s"},
	{"nice"}, {"nice", "-n", "5"}, {"nice", "-5"}, {"nohup"}, {"setsid"}, {"setsid", "-f"},
	{"stdbuf", "-oL"}, {"chrt", "-f", "1"}, {"chrt", "--rr", "5"}, {"taskset", "-c", "0"},
	{"taskset", "0x1"}, {"ionice", "-c2"}, {"ionice", "-c", "2", "-n", "7"}, {"time"}, {"time", "-p"},
	{"xargs"}, {"xargs", "-0", "-n", "1"}, {"exec"}, {"command"}, {"sudo"}, {"sudo", "-u", "x"},
	{"sudo", "-E", "--"}, {"doas"}, {"doas", "-u", "root"}, {"busybox"}, {"toybox"}, {"setpriv", "--nnp"},
	{"runuser", "-u", "app", "--"}, {"sudo", "-u", "x", "env", "A=1", "timeout", "5", "nice"},
	{"tini", "--"}, {"dumb-init"}, {"gosu", "app"}, {"su-exec", "app"}, {"watch", "-x"},
	{"flock", "/tmp/lock"}, {"chpst", "-u", "app"},
}

// acceptsDoubleDash reports whether a wrapper form ends options with "--"
// before the command (env, sudo and the getopt-style wrappers do; env's
// assignments, timeout's duration and chrt's priority come before it in the
// form already).
func acceptsDoubleDash(w []string) bool {
	switch baseName(w[0]) {
	case "busybox", "toybox", "command", "exec", "gosu", "su-exec", "flock":
		return false
	}
	last := w[len(w)-1]
	return !strings.Contains(last, "=") && !isDigits(last) && !isDurationWord(last) && last != "0x1" && last != "--"
}

// assigns reports whether a wrapper form ends in a program that takes
// NAME=VALUE assignments before the command.
func assigns(w []string) bool {
	for _, a := range w {
		if b := baseName(a); b == "env" || b == "sudo" {
			return true
		}
	}
	return false
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// shellForms wrap argv in a shell or a script construct.
func shellForms(argv []string) [][]string {
	s := quoteArgv(argv)
	return [][]string{
		{"sh", "-c", s},
		{"bash", "-c", s},
		{"/bin/dash", "-ec", s},
		{"ash", "-c", "true; " + s},
		{"busybox", "sh", "-c", s},
		{"sh", "-c", "x=1; " + s + " | cat"},
		{"sh", "-c", "echo $(" + s + ")"},
		{"sh", "-c", "(" + s + ")"},
		{"sh", "-c", "f() { " + s + "; }; f"},
		{"sh", "-c", "eval " + shellQuote(s)},
		{"bash", "-c", "trap " + shellQuote(s) + " EXIT"},
		{"su", "-c", s, "root"},
		{"sh", "-c", "timeout 5 " + s},
		{"sh", "-c", "sh -c " + shellQuote(s)},
	}
}

func splitArgv(data string) []string {
	if data == "" {
		return nil
	}
	return strings.Split(data, "\x1f")
}

// FuzzValidateArgv checks that the validator never panics, that an accepted
// argv never names a denied program as argv[0], and that an argv denied for a
// denied program stays rejected behind every wrapper and inside every shell
// form.
func FuzzValidateArgv(f *testing.F) {
	seeds := []string{
		"nsenter\x1f-t\x1f1", "/usr/bin/nsenter", "echo\x1fhi", "sh\x1f-c\x1fnsenter -t 1",
		"sh\x1f-c\x1fecho nsenter", "env\x1fA=1\x1fmount\x1f/dev/sda", "timeout\x1f5\x1fdocker\x1fps",
		"bash\x1f-c\x1fecho x | base64 -d | sh", "find\x1f.\x1f-exec\x1fkubectl\x1f{}\x1f;",
		"xargs\x1f-I{}\x1fsh\x1f-c\x1fecho {}", "sudo\x1f-u\x1fx\x1fchroot\x1f/", "su\x1f-c\x1fcapsh\x1froot",
		"sh\x1f-c\x1f$X", "busybox\x1funshare\x1f-r", "echo\x1fhello; rm -rf /", "sh\x1f-c\x1f((nsenter))",
		"bash\x1f-c\x1f$'\\x6esenter'", "env\x1f-S\x1fnsenter -t 1", "sh\x1f-c\x1fcat <<EOF\n$(runc)\nEOF",
		"sh\x1f-c\x1f'ns'\"en\"ter", "sh\x1f-c\x1fa\\\nb", "sh\x1f-c\x1feval 'eval \"podman ps\"'",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	v := mustValidator(f)
	deny := DefaultDenyList()
	f.Fuzz(func(t *testing.T, data string) {
		argv := splitArgv(data)
		err := v.ValidateArgv(argv)
		if err == nil {
			if len(argv) == 0 {
				t.Fatal("empty argv accepted")
			}
			for _, d := range deny {
				if baseName(argv[0]) == d {
					t.Fatalf("%q accepted with denied program %s", argv, d)
				}
			}
			return
		}
		var ce *CommandError
		if !errors.As(err, &ce) {
			t.Fatalf("%q: error %v is not a *CommandError", argv, err)
		}
		if ce.Rule != RuleDeniedProgram {
			return
		}
		// A wrapper reads a leading "-x" as its own option and "A=b" as an
		// assignment; callers write "--" first, and so do we.
		sep := []string(nil)
		if strings.HasPrefix(argv[0], "-") || strings.Contains(argv[0], "=") {
			sep = []string{"--"}
		}
		for _, w := range wrapperForms {
			if sep != nil && !acceptsDoubleDash(w) {
				continue
			}
			if strings.Contains(argv[0], "=") && assigns(w) {
				continue // env and sudo read NAME=VALUE as an assignment, even after --
			}
			wrapped := append(append(append([]string(nil), w...), sep...), argv...)
			if v.ValidateArgv(wrapped) == nil {
				t.Fatalf("%q is denied but %q is accepted", argv, wrapped)
			}
		}
		for _, wrapped := range shellForms(argv) {
			if v.ValidateArgv(wrapped) == nil {
				t.Fatalf("%q is denied but %q is accepted", argv, wrapped)
			}
		}
	})
}

// FuzzValidateScript checks that scripts never panic the validator, that
// ValidateScript agrees with sh -c, and that a denied command followed by
// any script is rejected.
func FuzzValidateScript(f *testing.F) {
	for _, s := range []string{
		bench200, "nsenter -t 1", "echo $(id)", "a | b && c || d; (e) & { f; }", "eval 'x'",
		"case $x in a) b;; esac", "cat <<'E'\n$(x)\nE\n", "for i in 1 2; do :; done", "((x++))",
		"f() { g; }", "trap 'x' EXIT", "x=$'\\x41'", "sudo -u \"$U\" ls", "find . -exec rm {} +",
	} {
		f.Add(s)
	}
	v := mustValidator(f)
	f.Fuzz(func(t *testing.T, script string) {
		err := v.ValidateScript(script)
		err2 := v.ValidateArgv([]string{"sh", "-c", script})
		if (err == nil) != (err2 == nil) {
			t.Fatalf("%q: ValidateScript %v but sh -c %v", script, err, err2)
		}
		if v.ValidateScript("nsenter\n"+script) == nil {
			t.Fatalf("nsenter followed by %q accepted", script)
		}
	})
}

// FuzzImageRef checks that an accepted reference round-trips through
// String and Familiar, with every accessor unchanged.
func FuzzImageRef(f *testing.F) {
	for _, s := range []string{
		"nginx:1.25", "ghcr.io/acme/api:v1", "localhost:5000/x:y", "busybox@" + dig,
		"busybox:1.36@" + dig, "index.docker.io/library/busybox:1", "[::1]:5000/x:y", "a/b/c/d:e",
		"UPPER:1", "nginx", "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseImageRef(s, DefaultTagLatest())
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: error %v does not match ErrInvalid", s, err)
			}
			return
		}
		for _, form := range []string{r.String(), r.Familiar()} {
			again, err := ParseImageRef(form)
			if err != nil {
				t.Fatalf("%q: %q does not parse again: %v", s, form, err)
			}
			if again.String() != r.String() || again.Name() != r.Name() || again.Tag() != r.Tag() ||
				again.Digest() != r.Digest() || again.Domain() != r.Domain() || again.Path() != r.Path() {
				t.Fatalf("%q: round trip through %q changed %q into %q", s, form, r, again)
			}
		}
		if r.Tag() == "" && r.Digest() == "" {
			t.Fatalf("%q: no tag or digest after DefaultTagLatest", s)
		}
	})
}

// FuzzParsePortSpec checks that accepted port specs round-trip through
// String.
func FuzzParsePortSpec(f *testing.F) {
	for _, s := range []string{"8080", "127.0.0.1:8080:80/tcp", "[::1]::53/udp", "8000-8009:80-89", "1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePortSpec(s)
		if err != nil {
			return
		}
		again, err := ParsePortSpec(p.String())
		if err != nil || again != p {
			t.Fatalf("%q: round trip through %q gave %+v, %v", s, p.String(), again, err)
		}
		if p.ContainerPort == 0 || p.ContainerPortEnd < p.ContainerPort || p.HostPortEnd < p.HostPort {
			t.Fatalf("%q: bad ranges %+v", s, p)
		}
	})
}
