package policy

import (
	"strings"
	"testing"
)

func TestEnv(t *testing.T) {
	fn := checkEnv().Versions[0]
	const secret = "s3cr3t-value"
	env := []EnvVar{
		{Key: "PATH", Value: "/bin", HasValue: true},
		{Key: "app.profile", Value: "x", HasValue: true},
		{Key: "", Value: secret, HasValue: true},
		{Key: "BAD KEY", Value: secret, HasValue: true},
		{Key: "NUL", Value: secret + "\x00", HasValue: true},
		{Key: "CTRL\n", Value: secret, HasValue: true},
		{Key: "UNSET"},
	}
	got := ckRun(fn.Container, &Container{Env: env}, nil)
	ckWant(t, "container", got, "Config.Env[2]=", "Config.Env[3]=BAD KEY", "Config.Env[4]=NUL", "Config.Env[5]=CTRL?")
	gotExec := ckRunExec(fn.Exec, &Exec{Env: env}, nil)
	ckWant(t, "exec", gotExec, "Env[2]=", "Env[3]=BAD KEY", "Env[4]=NUL", "Env[5]=CTRL?")
	for _, f := range append(got, gotExec...) {
		if strings.Contains(f.String(), secret) || strings.Contains(f.Reason+f.Remediation, secret) {
			t.Errorf("finding leaks an env value: %v", f)
		}
	}
}
