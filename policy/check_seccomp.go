package policy

import "encoding/json"

// seccomp (baseline): "seccomp=unconfined" (or "seccomp:unconfined") removes
// the syscall filter. An inline profile (the CLI reads the file and sends its
// JSON) is decoded with encoding/json into the fields the daemon reads, with
// the same case-insensitive, last-duplicate-wins semantics, and denied when:
// it does not parse or is larger than 1 MiB; its defaultAction (missing with
// no rules, "{}", makes the daemon disable seccomp altogether) is not one of
// the blocking actions (SCMP_ACT_ERRNO, KILL, KILL_PROCESS, KILL_THREAD, TRAP);
// or a rule whose action lets a syscall run (ALLOW, LOG, TRACE, NOTIFY, or an
// unknown action) names a syscall that Docker's default profile blocks for
// this container. A rule gated on capabilities ("includes.caps") counts only
// when the container may hold all of them (Docker's defaults plus CapAdd);
// clone counts unless its arguments forbid every namespace flag (conditions on
// a repeated argument index are ORed by runc; the flags argument is the first,
// the second on s390x), personality unless it is limited to the values
// Docker's profile allows. "builtin" and
// no option (the daemon's default profile) are allowed.

func init() { register(checkSeccomp()) }

func checkSeccomp() Check {
	return Check{
		ID:     "seccomp",
		Level:  LevelBaseline,
		Title:  "Seccomp unconfined, or an inline profile that allows by default or allows syscalls Docker's default profile blocks",
		Fields: []string{"HostConfig.SecurityOpt seccomp"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      seccompV1,
		}},
	}
}

// maxSeccompProfile bounds the inline profile size judged.
const maxSeccompProfile = 1 << 20

// seccompBlocked lists dangerous syscalls Docker's default profile (moby
// profiles/seccomp/default.json) does not allow, with the capabilities that
// make the default profile allow them (any one suffices); no capability means
// never allowed. Syscalls it allows unconditionally on current kernels
// (ptrace, process_vm_readv/writev, name_to_handle_at, adjtimex...) are not
// listed.
var seccompBlocked = map[string][]string{
	"acct": {"SYS_PACCT"}, "add_key": nil, "bpf": {"SYS_ADMIN", "BPF"},
	"clock_settime": {"SYS_TIME"}, "clock_settime64": {"SYS_TIME"},
	"clone": {"SYS_ADMIN"}, "clone3": {"SYS_ADMIN"},
	"create_module": nil, "delete_module": {"SYS_MODULE"},
	"fanotify_init": {"SYS_ADMIN"}, "finit_module": {"SYS_MODULE"},
	"fsconfig": {"SYS_ADMIN"}, "fsmount": {"SYS_ADMIN"}, "fsopen": {"SYS_ADMIN"},
	"fspick": {"SYS_ADMIN"}, "get_kernel_syms": nil,
	"get_mempolicy": {"SYS_NICE"}, "init_module": {"SYS_MODULE"},
	"io_uring_enter": nil, "io_uring_register": nil, "io_uring_setup": nil,
	"ioperm": {"SYS_RAWIO"}, "iopl": {"SYS_RAWIO"},
	"kcmp": {"SYS_PTRACE"}, "kexec_file_load": nil, "kexec_load": nil,
	"keyctl": nil, "lookup_dcookie": {"SYS_ADMIN"},
	"lsm_set_self_attr": {"SYS_ADMIN"}, "mbind": {"SYS_NICE"},
	"migrate_pages": nil, "mount": {"SYS_ADMIN"}, "mount_setattr": {"SYS_ADMIN"},
	"move_mount": {"SYS_ADMIN"}, "move_pages": nil, "nfsservctl": nil,
	"open_by_handle_at": {"DAC_READ_SEARCH"}, "open_tree": {"SYS_ADMIN"},
	"perf_event_open": {"SYS_ADMIN", "PERFMON"}, "personality": nil,
	"pidfd_getfd": {"SYS_PTRACE"}, "pivot_root": nil,
	"process_madvise": {"SYS_PTRACE"}, "query_module": nil,
	"quotactl": {"SYS_ADMIN"}, "quotactl_fd": {"SYS_ADMIN"},
	"reboot": {"SYS_BOOT"}, "request_key": nil,
	"set_mempolicy": {"SYS_NICE"}, "set_mempolicy_home_node": {"SYS_NICE"},
	"setdomainname": {"SYS_ADMIN"}, "sethostname": {"SYS_ADMIN"},
	"setns": {"SYS_ADMIN"}, "settimeofday": {"SYS_TIME"}, "stime": {"SYS_TIME"},
	"swapoff": nil, "swapon": nil, "syslog": {"SYS_ADMIN", "SYSLOG"},
	"umount": {"SYS_ADMIN"}, "umount2": {"SYS_ADMIN"}, "unshare": {"SYS_ADMIN"},
	"uselib": nil, "userfaultfd": nil, "vhangup": {"SYS_TTY_CONFIG"},
	"vm86": nil, "vm86old": nil,
}

// seccompProfile holds the fields of a Docker seccomp profile that decide
// what runs. Field names and tags follow the daemon's decoder.
type seccompProfile struct {
	DefaultAction string        `json:"defaultAction"`
	Syscalls      []seccompRule `json:"syscalls"`
}

type seccompRule struct {
	Name     string        `json:"name"`
	Names    []string      `json:"names"`
	Action   string        `json:"action"`
	Args     []seccompArg  `json:"args"`
	Includes seccompFilter `json:"includes"`
	Excludes seccompFilter `json:"excludes"`
}

type seccompArg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo"`
	Op       string `json:"op"`
}

type seccompFilter struct {
	Caps   []string `json:"caps"`
	Arches []string `json:"arches"`
}

// seccompActionBlocks reports whether a known action stops the syscall from
// running; known reports whether the action is known at all.
func seccompActionBlocks(a string) (blocks, known bool) {
	switch a {
	case "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO":
		return true, true
	case "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY":
		return false, true
	}
	return false, false
}

const seccompRemedy = "remove the seccomp option to use Docker's default profile, or use a profile that only blocks more"

func seccompV1(c *Container, _ *Settings, r *Report) {
	sp := c.Security.Seccomp
	field := secOptField(&c.Security, "seccomp")
	switch sp.Mode {
	case SeccompDefault, SeccompBuiltin:
		return
	case SeccompUnconfined:
		r.Deny(field, "seccomp=unconfined", "seccomp unconfined re-enables every syscall the default profile blocks (mount, unshare, bpf, keyctl...)", seccompRemedy)
		return
	case SeccompCustom:
	default:
		r.Deny(field, "", "unknown seccomp mode", seccompRemedy)
		return
	}
	if len(sp.JSON) > maxSeccompProfile {
		r.Deny(field, "inline profile", "the inline seccomp profile is larger than 1 MiB", seccompRemedy)
		return
	}
	var p seccompProfile
	if err := json.Unmarshal([]byte(sp.JSON), &p); err != nil {
		r.Deny(field, "inline profile", "the inline seccomp profile does not parse: "+truncate(err.Error(), 80), seccompRemedy)
		return
	}
	if blocks, known := seccompActionBlocks(p.DefaultAction); !blocks {
		reason := "the profile's defaultAction " + p.DefaultAction + " lets every unlisted syscall run"
		switch {
		case p.DefaultAction == "" && len(p.Syscalls) == 0:
			reason = "a profile with no defaultAction and no rules disables seccomp in the daemon"
		case !known:
			reason = "unknown or missing seccomp defaultAction"
		}
		r.Deny(field, "defaultAction "+truncate(p.DefaultAction, 32), reason, seccompRemedy)
	}
	caps := grantedCaps(c)
	for _, rule := range p.Syscalls {
		if blocks, _ := seccompActionBlocks(rule.Action); blocks {
			continue
		}
		if !rule.active(caps) {
			continue
		}
		names := rule.Names
		if rule.Name != "" {
			names = append(names[:len(names):len(names)], rule.Name)
		}
		for _, n := range names {
			unlock, listed := seccompBlocked[n]
			if !listed || anyCap(caps, unlock) || rule.narrowEnough(n) {
				continue
			}
			r.Deny(field, n+" "+truncate(rule.Action, 32),
				"the profile lets "+n+" run, which Docker's default profile blocks for this container", seccompRemedy)
		}
	}
}

// active reports whether the rule applies to a container holding caps: a rule
// that includes capabilities applies only when all of them are held.
func (rule *seccompRule) active(caps uint64) bool {
	for _, c := range rule.Includes.Caps {
		n, ok := normalizeCap(c)
		if !ok || n == "ALL" {
			continue // the daemon would not match it; treat as no condition
		}
		if caps&(1<<allCaps[n]) == 0 {
			return false
		}
	}
	return true
}

// anyCap reports whether caps holds any of names.
func anyCap(caps uint64, names []string) bool {
	for _, n := range names {
		if caps&(1<<allCaps[n]) != 0 {
			return true
		}
	}
	return false
}

// cloneNamespaceFlags are CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET.
const cloneNamespaceFlags = 0x7E020000

// narrowEnough reports whether argument conditions limit syscall n to what
// Docker's default profile allows: clone without namespace flags, personality
// with the values the default profile lists.
//
// Conditions combine as runc adds them: when no argument index repeats they
// form one rule and are ANDed, so one sufficient condition is enough; when an
// index repeats, runc adds each condition as a rule of its own (ORed), so
// every condition must be sufficient.
//
// The flags are clone's first argument except on s390x, where they are the
// second and the first is the stack pointer. The daemon's architecture is not
// known here, so a condition on argument 0 counts only when the rule excludes
// s390x, and one on argument 1 only when the rule is limited to s390/s390x, as
// in Docker's default profile.
func (rule *seccompRule) narrowEnough(n string) bool {
	if len(rule.Args) == 0 {
		return false
	}
	var count [6]int
	repeated := false
	for _, a := range rule.Args {
		if a.Index >= uint(len(count)) {
			return false // runc refuses the profile; judge it as not limited
		}
		count[a.Index]++
		repeated = repeated || count[a.Index] > 1
	}
	for _, a := range rule.Args {
		ok := rule.narrowingArg(n, a)
		if ok && !repeated {
			return true
		}
		if !ok && repeated {
			return false
		}
	}
	return repeated
}

// narrowingArg reports whether condition a alone limits syscall n to what
// Docker's default profile allows.
func (rule *seccompRule) narrowingArg(n string, a seccompArg) bool {
	switch n {
	case "clone":
		flagsArg := uint(0)
		switch {
		case rule.onlyS390():
			flagsArg = 1
		case !rule.excludesS390x():
			return false
		}
		return a.Index == flagsArg && a.Op == "SCMP_CMP_MASKED_EQ" &&
			a.Value&cloneNamespaceFlags == cloneNamespaceFlags && a.ValueTwo&cloneNamespaceFlags == 0
	case "personality":
		if a.Index == 0 && a.Op == "SCMP_CMP_EQ" {
			switch a.Value {
			case 0x0, 0x8, 0x20000, 0x20008, 0xffffffff:
				return true
			}
		}
	}
	return false
}

// onlyS390 reports whether the rule applies only on s390 or s390x.
func (rule *seccompRule) onlyS390() bool {
	if len(rule.Includes.Arches) == 0 {
		return false
	}
	for _, a := range rule.Includes.Arches {
		if a != "s390" && a != "s390x" {
			return false
		}
	}
	return true
}

// excludesS390x reports whether the rule never applies on s390x (the daemon
// compares the arches with its GOARCH).
func (rule *seccompRule) excludesS390x() bool {
	for _, a := range rule.Excludes.Arches {
		if a == "s390x" {
			return true
		}
	}
	if len(rule.Includes.Arches) == 0 {
		return false
	}
	for _, a := range rule.Includes.Arches {
		if a == "s390x" {
			return false
		}
	}
	return true
}
