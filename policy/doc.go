// Package policy judges Docker container-create, exec-create and
// volume-create requests before they reach the daemon.
//
// It works on its own model of a request ([Container], [Exec],
// [VolumeCreate]), never on Docker SDK types, and does no I/O apart from the
// optional [PathResolver] and whatever the [CommandValidator] does. The
// safedocker create builder and the raw Engine API request decoder both
// produce the model; anything they cannot model is recorded as an
// [InvalidValue] and denied, so the checker fails closed.
//
// # Usage
//
//	e, err := policy.New(policy.Config{})            // Baseline, latest checks
//	d := e.Container(&policy.Container{Image: "alpine:3.20", Privileged: true})
//	if err := d.Err(); err != nil {                 // errors.Is(err, policy.ErrDenied)
//		for _, f := range d.Findings { fmt.Println(f) }
//	}
//
// An [Evaluator] is immutable and safe for concurrent use. Evaluation is pure:
// no context and no error; a denial is data ([Decision]), and [Decision.Err]
// turns it into a [*DeniedError]. Every finding is returned, not the first,
// ordered by check ID and then by field. On the allow path evaluation does not
// allocate (beyond what the command validator does).
//
// # Levels
//
//   - [LevelBaseline] (the default) denies every known host escape.
//   - [LevelRestricted] adds hardening: a numeric non-root user, all
//     capabilities dropped (NET_BIND_SERVICE may be added back),
//     no-new-privileges, a read-only root filesystem, memory and PIDs limits,
//     loopback-only ports, no custom parent cgroup, and a numeric non-root
//     user for exec.
//   - [LevelPrivileged] runs no checks at all. [NewEvaluator] accepts it only
//     with Config.Acknowledge set to [AcknowledgeNoChecks], a constant that can
//     only be written in code (it cannot come from a flag or a file).
//
// [Evaluator.Tighten] derives a stricter evaluator for one call or caller
// (raise the level, drop or narrow exceptions, require digests); an option
// that would loosen the policy is an error matching [ErrWouldLoosen].
//
// # Exceptions
//
// [Exceptions] are explicit and narrow: allowed bind roots (read-only unless
// marked writable; sensitive paths stay denied under a root unless the root
// names them exactly), device paths (exactly), capabilities (any spelling),
// sysctls (dotted or slashed), OCI runtimes, annotation keys or prefixes,
// AppArmor profiles and device-request drivers. NewEvaluator validates them
// (absolute bind roots, known capability names, no ALL...).
//
// # Findings
//
// A [Finding] carries the check ID, the Engine API field path
// ("HostConfig.CapAdd[1]", "HostConfig.SecurityOpt[0]",
// "HostConfig.Sysctls[net.ipv4.ip_forward]", "Config.Cmd[2]"; exec fields
// have no prefix: "Cmd[2]", "User"), the offending value, a reason and a
// remediation. Values are never secrets: environment findings carry keys
// only.
//
// # Checks and versions
//
// Each check lives in its own file, check_<id>.go, with a comment stating the
// fields it governs and the values it allows. [DefaultChecks] returns them
// sorted by ID; custom sets go to [NewEvaluator]. A behaviour change is a new
// [VersionedCheck] appended to a check; pin Config.Version (for example [V1])
// to keep a check set's behaviour across library upgrades.
//
// Normalisation mirrors the daemon: capability names go through
// strings.ToUpper and lose an optional CAP_ prefix (so cap_sys_admin and
// Unicode case tricks are caught), security options are parsed with both "="
// and the deprecated ":" separators and the bare "disable", sysctl keys are
// converted from slash form as runc converts them, inline seccomp profiles are
// decoded with encoding/json like the daemon decodes them, and paths are
// cleaned before they are compared component by component.
//
// # Composition rules
//
// Settings that are dangerous only together are covered as follows:
//   - SYS_PTRACE with a host or container: PID namespace, NET_ADMIN or
//     NET_RAW with a host or container: network namespace, a host cgroup
//     namespace or writable cgroups with SYS_ADMIN or AppArmor unconfined,
//     device cgroup rules with the default MKNOD, and seccomp or AppArmor
//     unconfined at create followed by a privileged exec are all redundant:
//     one half of each pair is denied on its own, with no exception able to
//     allow it (namespace modes, writable cgroups, device cgroup rules,
//     unconfined profiles and privileged exec have no exceptions).
//   - net.* sysctls with a shared network namespace (and IPC or UTS sysctls
//     with a shared IPC or UTS namespace) are denied by the sysctls check even
//     when the key is allowed or excepted.
//   - A root user with a writable host bind, and binds planted through another
//     writable bind, are judged by the mount checks.
//
// # Allowed on purpose at Baseline
//
// Not escapes on their own, so not denied at Baseline: supplementary groups
// (GroupAdd), resource settings and OOM tuning, published ports on any
// address, a custom parent cgroup (denied at Restricted), IpcMode shareable,
// exec as root (denied at Restricted), labels, DNS and extra hosts.
//
// # What cannot be checked
//
// The checker sees the request, not the image or the host: the image's
// default user, entrypoint and command, symlinks inside the image (for
// WorkingDir), what a named user maps to, the daemon's own defaults (a
// daemon-wide seccomp or no-new-privileges setting) and, for a remote daemon,
// symlinks on the host (set Config.Paths only when the daemon runs on this
// host). A donor container named in a container: mode or in VolumesFrom is
// resolved by the daemon at start. These limits are why such settings are
// denied rather than inspected.
package policy
