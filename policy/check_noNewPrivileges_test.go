package policy

import "testing"

func TestNoNewPrivileges(t *testing.T) {
	fn := checkNoNewPrivileges().Versions[0].Container
	ckWant(t, "unset", ckRun(fn, &Container{}, nil), "HostConfig.SecurityOpt=unset")
	ckWant(t, "false", ckRun(fn, &Container{Security: ckSecOpts(t, "no-new-privileges=false")}, nil), "HostConfig.SecurityOpt[0]=no-new-privileges=false")
	ckWant(t, "bare", ckRun(fn, &Container{Security: ckSecOpts(t, "no-new-privileges")}, nil))
	ckWant(t, "colon true", ckRun(fn, &Container{Security: ckSecOpts(t, "no-new-privileges:true")}, nil))
}
