package policy

import "testing"

func TestPrivilegedV1(t *testing.T) {
	ckWant(t, "default", ckRun(privilegedV1, &Container{}, nil))
	ckWant(t, "privileged", ckRun(privilegedV1, &Container{Privileged: true}, nil), "HostConfig.Privileged=true")
	ckWant(t, "exec default", ckRunExec(privilegedExecV1, &Exec{Cmd: []string{"ls"}}, nil))
	ckWant(t, "exec privileged", ckRunExec(privilegedExecV1, &Exec{Privileged: true}, nil), "Privileged=true")
}
