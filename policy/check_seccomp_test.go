package policy

import "testing"

func TestSeccompV1(t *testing.T) {
	const (
		okProfile       = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","ptrace"],"action":"SCMP_ACT_ALLOW"}]}`
		allowDefault    = `{"defaultAction":"SCMP_ACT_ALLOW"}`
		logDefault      = `{"defaultAction":"SCMP_ACT_LOG","syscalls":[]}`
		caseFolded      = `{"DEFAULTACTION":"SCMP_ACT_ALLOW"}`
		duplicateKey    = `{"defaultAction":"SCMP_ACT_ERRNO","defaultAction":"SCMP_ACT_ALLOW"}`
		allowsMount     = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","mount","unshare"],"action":"SCMP_ACT_ALLOW"}]}`
		logsKeyctl      = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"keyctl","action":"SCMP_ACT_LOG"}]}`
		gatedOnSysAdmin = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}`
		cloneNarrow     = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}],"excludes":{"arches":["s390","s390x"]}}]}`
		cloneS390       = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}],"includes":{"arches":["s390","s390x"]}}]}`
		cloneAnyArch    = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}`
		cloneArg1       = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}],"excludes":{"arches":["s390x"]}}]}`
		cloneOred       = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"},{"index":0,"value":0,"op":"SCMP_CMP_NE"}],"excludes":{"arches":["s390","s390x"]}}]}`
		cloneAnded      = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"},{"index":2,"value":0,"op":"SCMP_CMP_NE"}],"excludes":{"arches":["s390","s390x"]}}]}`
		personalityOred = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"},{"index":0,"value":8,"op":"SCMP_CMP_NE"}]}]}`
		cloneWide       = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_GE"}]}]}`
		personalityOK   = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}`
		blockingRule    = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}`
		unknownAction   = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["bpf"],"action":"allow"}]}`
		notifyDefault   = `{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/run/agent.sock"}`
	)
	withAdmin := Container{CapAdd: []string{"SYS_ADMIN"}}
	tests := []struct {
		name string
		opts []string
		base Container
		want []string
	}{
		{"default", nil, Container{}, nil},
		{"builtin", []string{"seccomp=builtin"}, Container{}, nil},
		{"unconfined", []string{"seccomp=unconfined"}, Container{}, []string{"HostConfig.SecurityOpt[0]=seccomp=unconfined"}},
		{"unconfined colon", []string{"seccomp:unconfined"}, Container{}, []string{"HostConfig.SecurityOpt[0]=seccomp=unconfined"}},
		{"narrow custom", []string{"seccomp=" + okProfile}, Container{}, nil},
		{"unparsable", []string{"seccomp={not json"}, Container{}, []string{"HostConfig.SecurityOpt[0]=inline profile"}},
		{"allow default", []string{"seccomp=" + allowDefault}, Container{}, []string{"HostConfig.SecurityOpt[0]=defaultAction SCMP_ACT_ALLOW"}},
		{"log default", []string{"seccomp=" + logDefault}, Container{}, []string{"HostConfig.SecurityOpt[0]=defaultAction SCMP_ACT_LOG"}},
		{"keys fold case as in the daemon", []string{"seccomp=" + caseFolded}, Container{}, []string{"HostConfig.SecurityOpt[0]=defaultAction SCMP_ACT_ALLOW"}},
		{"last duplicate key wins", []string{"seccomp=" + duplicateKey}, Container{}, []string{"HostConfig.SecurityOpt[0]=defaultAction SCMP_ACT_ALLOW"}},
		{"missing default action", []string{"seccomp={}"}, Container{}, []string{"HostConfig.SecurityOpt[0]=defaultAction "}},
		{"allows mount and unshare", []string{"seccomp=" + allowsMount}, Container{}, []string{"HostConfig.SecurityOpt[0]=mount SCMP_ACT_ALLOW", "HostConfig.SecurityOpt[0]=unshare SCMP_ACT_ALLOW"}},
		{"logs keyctl (name field)", []string{"seccomp=" + logsKeyctl}, Container{}, []string{"HostConfig.SecurityOpt[0]=keyctl SCMP_ACT_LOG"}},
		{"rule gated on a capability the container lacks", []string{"seccomp=" + gatedOnSysAdmin}, Container{}, nil},
		{"mount with SYS_ADMIN is what Docker allows too", []string{"seccomp=" + allowsMount}, withAdmin, nil},
		{"clone without namespace flags", []string{"seccomp=" + cloneNarrow}, Container{}, nil},
		{"clone with any flags", []string{"seccomp=" + cloneWide}, Container{}, []string{"HostConfig.SecurityOpt[0]=clone SCMP_ACT_ALLOW"}},
		{"clone flags limited on s390 (second argument)", []string{"seccomp=" + cloneS390}, Container{}, nil},
		{"clone first argument limited on every arch (s390x: the stack)", []string{"seccomp=" + cloneAnyArch}, Container{}, []string{"HostConfig.SecurityOpt[0]=clone SCMP_ACT_ALLOW"}},
		{"clone second argument limited off s390 (the stack)", []string{"seccomp=" + cloneArg1}, Container{}, []string{"HostConfig.SecurityOpt[0]=clone SCMP_ACT_ALLOW"}},
		{"repeated argument index: runc ORs the conditions", []string{"seccomp=" + cloneOred}, Container{}, []string{"HostConfig.SecurityOpt[0]=clone SCMP_ACT_ALLOW"}},
		{"distinct argument indexes: ANDed", []string{"seccomp=" + cloneAnded}, Container{}, nil},
		{"personality conditions ORed", []string{"seccomp=" + personalityOred}, Container{}, []string{"HostConfig.SecurityOpt[0]=personality SCMP_ACT_ALLOW"}},
		{"personality limited", []string{"seccomp=" + personalityOK}, Container{}, nil},
		{"blocking rule", []string{"seccomp=" + blockingRule}, Container{}, nil},
		{"unknown rule action", []string{"seccomp=" + unknownAction}, Container{}, []string{"HostConfig.SecurityOpt[0]=bpf allow"}},
		{"notify default", []string{"seccomp=" + notifyDefault}, Container{}, []string{"HostConfig.SecurityOpt[0]=defaultAction SCMP_ACT_NOTIFY"}},
	}
	for _, tt := range tests {
		c := tt.base
		c.Security = ckSecOpts(t, tt.opts...)
		ckWant(t, tt.name, ckRun(seccompV1, &c, nil), tt.want...)
	}
}

// dockerLikeProfile has the structure of Docker's default profile: a blocking
// default, broad allow rules, and the capability-gated, argument-limited and
// kernel-gated rules that unlock blocked syscalls.
const dockerLikeProfile = `{
 "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
 "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
 "syscalls": [
  {"names": ["accept", "read", "write", "openat", "name_to_handle_at"], "action": "SCMP_ACT_ALLOW"},
  {"names": ["process_vm_readv", "process_vm_writev", "ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
  {"names": ["open_by_handle_at"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_DAC_READ_SEARCH"]}},
  {"names": ["bpf", "clone", "clone3", "mount", "setns", "umount2", "unshare"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
  {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}], "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
  {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}], "includes": {"arches": ["s390", "s390x"]}, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
  {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
  {"names": ["delete_module", "init_module", "finit_module"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_MODULE"]}},
  {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_BPF"]}}
 ]
}`

func TestSeccompDockerLikeProfile(t *testing.T) {
	c := &Container{Security: ckSecOpts(t, "seccomp="+dockerLikeProfile)}
	ckWant(t, "docker-like", ckRun(seccompV1, c, nil))
	c.CapAdd = []string{"bpf"}
	ckWant(t, "docker-like with BPF", ckRun(seccompV1, c, nil))
}

func TestSeccompTable(t *testing.T) {
	for n, caps := range seccompBlocked {
		for _, c := range caps {
			if _, ok := allCaps[c]; !ok {
				t.Errorf("seccompBlocked[%s] names unknown capability %s", n, c)
			}
		}
	}
	for _, allowed := range []string{"ptrace", "process_vm_readv", "read", "name_to_handle_at"} {
		if _, ok := seccompBlocked[allowed]; ok {
			t.Errorf("%s is allowed by Docker's default profile and must not be listed", allowed)
		}
	}
}
