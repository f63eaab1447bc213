package policy

import "testing"

func TestUnrecognised(t *testing.T) {
	fn := checkUnrecognisedValues().Versions[0]
	iv := []InvalidValue{{Field: "HostConfig.PidMode", Value: "hots", Reason: "unknown PidMode"}, {Field: "X", Value: "y"}}
	ckWant(t, "container", ckRun(fn.Container, &Container{Invalid: iv}, nil), "HostConfig.PidMode=hots", "X=y")
	ckWant(t, "clean container", ckRun(fn.Container, &Container{Isolation: "default"}, nil))
	ckWant(t, "isolation", ckRun(fn.Container, &Container{Isolation: "weird"}, nil), "HostConfig.Isolation=weird")
	ckWant(t, "exec", ckRunExec(fn.Exec, &Exec{Invalid: iv[:1]}, nil), "HostConfig.PidMode=hots")
	var r Report
	fn.Volume(&VolumeCreate{Invalid: iv[1:]}, &Settings{}, &r)
	ckWant(t, "volume", r.findings, "X=y")
}
