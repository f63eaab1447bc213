package policy

import "testing"

func TestReadOnlyRootfs(t *testing.T) {
	fn := checkReadOnlyRootfs().Versions[0].Container
	ckWant(t, "writable", ckRun(fn, &Container{}, nil), "HostConfig.ReadonlyRootfs=false")
	ckWant(t, "read-only", ckRun(fn, &Container{ReadonlyRootfs: true}, nil))
}
