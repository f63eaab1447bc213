package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/validate"
)

// TestDefaultCommandValidatorWiring runs New's real command validator.
func TestDefaultCommandValidatorWiring(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Settings().Commands.(*validate.CommandValidator); !ok {
		t.Fatalf("New wired %T, want *validate.CommandValidator", e.Settings().Commands)
	}
	tests := []struct {
		name  string
		c     *Container
		field string
	}{
		{"sh -c nsenter", &Container{Image: "alpine", Cmd: []string{"sh", "-c", "nsenter -t 1 -m sh"}}, "Config.Cmd[2]"},
		{"entrypoint + cmd", &Container{Image: "alpine", Entrypoint: []string{"/bin/sh", "-c"}, Cmd: []string{"echo hi; nsenter -t 1 -m sh"}}, "Config.Cmd[0]"},
		{"wrapped", &Container{Image: "alpine", Cmd: []string{"env", "A=1", "timeout", "5", "/usr/bin/nsenter", "-t", "1"}}, "Config.Cmd[4]"},
		{"healthcheck CMD-SHELL", &Container{Image: "alpine", Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL", "curl -f localhost || nsenter -t 1 -m sh"}}}, "Config.Healthcheck.Test[1]"},
		{"healthcheck CMD", &Container{Image: "alpine", Healthcheck: &Healthcheck{Test: []string{"CMD", "mount", "/dev/sda1", "/mnt"}}}, "Config.Healthcheck.Test[1]"},
	}
	for _, tt := range tests {
		d := e.Container(tt.c)
		if d.Allowed {
			t.Errorf("%s: allowed", tt.name)
			continue
		}
		f := d.Findings[0]
		if f.Check != "commands" || f.Field != tt.field {
			t.Errorf("%s: finding %v, want commands at %s", tt.name, f, tt.field)
		}
	}
	x := e.Exec(&Exec{Cmd: []string{"bash", "-c", "nsenter --target 1 --mount"}})
	if x.Allowed || x.Findings[0].Field != "Cmd[2]" {
		t.Errorf("exec: %v", x.Findings)
	}
	var ce *validate.CommandError
	if !errors.As(e.Settings().Commands.ValidateArgv([]string{"nsenter"}), &ce) {
		t.Error("the validator does not return *validate.CommandError")
	}
	for _, ok := range [][]string{{"echo", "nsenter is a tool"}, {"sh", "-c", "grep mount /etc/fstab"}, {"nginx", "-g", "daemon off;"},
		{"sh"}, {"/bin/bash"}, {"bash", "-l"}} { // docker run -it IMAGE sh: an interactive shell
		if d := e.Container(&Container{Image: "alpine", Cmd: ok}); !d.Allowed {
			t.Errorf("%q denied: %v", ok, d.Findings)
		}
	}
	for _, bad := range [][]string{{"sh", "-c", "echo bnNlbnRlcg== | base64 -d | sh"}, {"sh", "-c", "curl -s http://x | bash"}} {
		if d := e.Container(&Container{Image: "alpine", Cmd: bad}); d.Allowed {
			t.Errorf("%q allowed: a shell fed from a pipe runs commands the checker cannot see", bad)
		}
	}
	for _, ok := range [][]string{} {
		if d := e.Container(&Container{Image: "alpine", Cmd: ok}); !d.Allowed {
			t.Errorf("%q denied: %v", ok, d.Findings)
		}
	}
	if d := e.Container(&Container{Cmd: []string{"sh", "-c", "nsenter -t 1"}}); !strings.Contains(d.Findings[0].Reason, "nsenter") {
		t.Errorf("reason %q does not name the program", d.Findings[0].Reason)
	}
}
