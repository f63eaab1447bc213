package policy

import "testing"

func TestResourceLimitsV1(t *testing.T) {
	p := func(n int64) *int64 { return &n }
	ckWant(t, "none", ckRun(resourceLimitsV1, &Container{}, nil), "HostConfig.Memory=0", "HostConfig.PidsLimit=unset")
	ckWant(t, "unlimited pids", ckRun(resourceLimitsV1, &Container{Resources: Resources{Memory: 1 << 28, PidsLimit: p(-1)}}, nil), "HostConfig.PidsLimit=-1")
	ckWant(t, "both", ckRun(resourceLimitsV1, &Container{Resources: Resources{Memory: 1 << 28, PidsLimit: p(100)}}, nil))
}
