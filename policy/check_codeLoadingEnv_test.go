package policy

import (
	"strings"
	"testing"
)

func TestCodeLoadingEnv(t *testing.T) {
	fn := checkCodeLoadingEnv().Versions[0]
	const secret = "/s3cr3t/lib.so"
	env := []EnvVar{
		{Key: "PATH", Value: "/usr/bin:/bin", HasValue: true},
		{Key: "LD_PRELOAD", Value: secret, HasValue: true},
		{Key: "LD_AUDIT", Value: secret, HasValue: true},
		{Key: "BASH_ENV", Value: secret, HasValue: true},
		{Key: "ENV", Value: secret, HasValue: true},
		{Key: "BASH_FUNC_ls%%", Value: "() { " + secret + "; }", HasValue: true},
		{Key: "GREETING", Value: "() { evil; }", HasValue: true},
		{Key: "PS1", Value: "$(" + secret + ")", HasValue: true},
		{Key: "PS1", Value: `\u@\h:\w\$ `, HasValue: true},
		{Key: "LD_PRELOAD"}, // "KEY" alone unsets: allowed
		{Key: "LD_PRELOAD", Value: secret + "\xff", HasValue: true},
	}
	s := &Settings{Commands: fakeValidator{}}
	want := []string{"[1]=LD_PRELOAD", "[2]=LD_AUDIT", "[3]=BASH_ENV", "[4]=ENV", "[5]=BASH_FUNC_ls%%",
		"[6]=GREETING", "[7]=PS1", "[10]=LD_PRELOAD"}
	prefixed := func(p string) []string {
		out := make([]string, len(want))
		for i, w := range want {
			out[i] = p + w
		}
		return out
	}
	got := ckRun(fn.Container, &Container{Env: env}, s)
	ckWant(t, "container", got, prefixed("Config.Env")...)
	gotExec := ckRunExec(fn.Exec, &Exec{Env: env}, s)
	ckWant(t, "exec", gotExec, prefixed("Env")...)
	for _, f := range append(got, gotExec...) {
		if strings.Contains(f.String(), "s3cr3t") || strings.Contains(f.Reason+f.Remediation, "s3cr3t") {
			t.Errorf("finding leaks an env value: %v", f)
		}
	}
	// Without a command validator there is nothing to bypass.
	ckWant(t, "no validator", ckRun(fn.Container, &Container{Env: env}, &Settings{}))
	ckWant(t, "no validator, exec", ckRunExec(fn.Exec, &Exec{Env: env}, &Settings{}))
}
