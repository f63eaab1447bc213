package policy

import "testing"

func TestCgroupParent(t *testing.T) {
	fn := checkCgroupParent().Versions[0].Container
	ckWant(t, "empty", ckRun(fn, &Container{}, nil))
	ckWant(t, "set", ckRun(fn, &Container{CgroupParent: "/system.slice"}, nil), "HostConfig.CgroupParent=/system.slice")
}
