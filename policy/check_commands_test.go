package policy

import (
	"strings"
	"testing"
)

func TestCommandsV1(t *testing.T) {
	s := &Settings{Commands: fakeValidator{}}
	tests := []struct {
		name string
		c    Container
		want []string
	}{
		{"image command", Container{}, nil},
		{"harmless cmd", Container{Cmd: []string{"nginx", "-g", "daemon off;"}}, nil},
		{"denied program in cmd", Container{Cmd: []string{"/usr/bin/nsenter", "-t", "1"}}, []string{"Config.Cmd[0]=nsenter"}},
		{"sh -c in cmd names the script", Container{Cmd: []string{"sh", "-c", "nsenter -t 1 -m sh"}}, []string{"Config.Cmd[2]=nsenter"}},
		{"entrypoint plus cmd", Container{Entrypoint: []string{"/bin/sh", "-c"}, Cmd: []string{"mount /dev/sda1 /mnt"}}, []string{"Config.Cmd[0]=mount"}},
		{"entrypoint only", Container{Entrypoint: []string{"nsenter"}}, []string{"Config.Entrypoint[0]=nsenter"}},
		{"entrypoint reset", Container{Entrypoint: []string{""}, Cmd: []string{"sh", "-c", "mount x"}}, []string{"Config.Cmd[2]=mount"}},
		{"empty program", Container{Cmd: []string{""}}, []string{"Config.Cmd="}},
		{"healthcheck CMD", Container{Healthcheck: &Healthcheck{Test: []string{"CMD", "nsenter", "x"}}}, []string{"Config.Healthcheck.Test[1]=nsenter"}},
		{"healthcheck CMD-SHELL", Container{Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL", "curl -f localhost || mount x"}}}, []string{"Config.Healthcheck.Test[1]=mount"}},
		{"healthcheck CMD-SHELL ok", Container{Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL", "curl -f localhost"}}}, nil},
		{"healthcheck NONE and inherit", Container{Healthcheck: &Healthcheck{Test: []string{"NONE"}}}, nil},
		{"healthcheck unknown type", Container{Healthcheck: &Healthcheck{Test: []string{"RUN", "x"}}}, []string{"Config.Healthcheck.Test[0]=RUN"}},
		{"healthcheck CMD-SHELL without script", Container{Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL"}}}, []string{"Config.Healthcheck.Test=CMD-SHELL"}},
		{"custom shell program is judged", Container{Shell: []string{"/usr/bin/nsenter", "-t", "1", "sh", "-c"}, Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL", "true"}}}, []string{"Config.Shell[0]=nsenter"}},
		{"custom shell script index", Container{Shell: []string{"bash", "-c"}, Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL", "nsenter -t 1"}}}, []string{"Config.Healthcheck.Test[1]=nsenter"}},
		{"known shell", Container{Shell: []string{"/bin/bash", "-c"}, Healthcheck: &Healthcheck{Test: []string{"CMD-SHELL", "mount x"}}}, []string{"Config.Healthcheck.Test[1]=mount"}},
	}
	for _, tt := range tests {
		ckWant(t, tt.name, ckRun(commandsV1, &tt.c, s), tt.want...)
	}
	// No validator: commands are not judged.
	ckWant(t, "nil validator", ckRun(commandsV1, &Container{Cmd: []string{"nsenter"}}, &Settings{}))
}

func TestCommandsExecV1(t *testing.T) {
	s := &Settings{Commands: fakeValidator{}}
	ckWant(t, "ok", ckRunExec(commandsExecV1, &Exec{Cmd: []string{"ls", "-l"}}, s))
	ckWant(t, "denied", ckRunExec(commandsExecV1, &Exec{Cmd: []string{"bash", "-c", "nsenter -t 1"}}, s), "Cmd[2]=nsenter")
	ckWant(t, "empty", ckRunExec(commandsExecV1, &Exec{}, s), "Cmd=")
	for _, f := range ckRunExec(commandsExecV1, &Exec{Cmd: []string{"nsenter"}}, s) {
		if !strings.Contains(f.Reason, "nsenter") {
			t.Errorf("reason %q does not carry the validator's message", f.Reason)
		}
	}
	// Script text never becomes a finding value: it may hold secrets.
	for _, f := range ckRun(commandsV1, &Container{Cmd: []string{"sh", "-c", "curl -H 'Authorization: s3cr3t' x; nsenter -t 1"}}, s) {
		if strings.Contains(f.Value+f.Reason, "s3cr3t") {
			t.Errorf("finding leaks the script: %v", f)
		}
	}
}
