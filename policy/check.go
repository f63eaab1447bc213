package policy

import (
	"fmt"
	"strings"
)

// Level is a policy level. The zero value is LevelBaseline, the default.
type Level uint8

// The levels, from the default upwards in strictness, plus the no-checks level.
const (
	// LevelBaseline denies every known host escape. It is the default.
	LevelBaseline Level = iota
	// LevelRestricted is Baseline plus hardening: non-root user, all capabilities
	// dropped (NET_BIND_SERVICE may be added back), no-new-privileges, read-only
	// root filesystem, memory and pids limits, loopback-only ports.
	LevelRestricted
	// LevelPrivileged runs no checks. It is accepted only together with
	// AcknowledgeNoChecks in Config.
	LevelPrivileged
)

// String returns the level's name: "baseline", "restricted" or "privileged".
func (l Level) String() string {
	switch l {
	case LevelBaseline:
		return "baseline"
	case LevelRestricted:
		return "restricted"
	case LevelPrivileged:
		return "privileged"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// ParseLevel parses "baseline", "restricted" or "privileged" (case-insensitive).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(s) {
	case "baseline":
		return LevelBaseline, nil
	case "restricted":
		return LevelRestricted, nil
	case "privileged":
		return LevelPrivileged, nil
	}
	return 0, &ModeError{What: "level", Value: s}
}

// Version is a version of the check set. Pin a version (for example V1) to keep
// the behaviour of every check across library upgrades; the zero value means the
// latest version.
type Version uint16

// The check-set versions.
const (
	// VersionLatest selects the newest behaviour of every check.
	VersionLatest Version = 0
	// V1 is the first version of the check set.
	V1 Version = 1
)

// CheckID is a check's stable identifier, e.g. "privileged".
type CheckID string

// Check is one policy check. Each check lives in its own file, check_<id>.go,
// and governs a small set of request fields.
//
// A behaviour change is made by appending a VersionedCheck with a higher
// MinimumVersion, never by editing an existing one, so a pinned Version keeps
// its behaviour.
type Check struct {
	// ID is unique within an evaluator.
	ID CheckID
	// Level is the lowest level at which the check runs: LevelBaseline checks
	// also run at LevelRestricted.
	Level Level
	// Title is a one-line description of what the check denies, for the rules table.
	Title string
	// Fields lists the request fields the check reads, for documentation.
	Fields []string
	// Versions are ordered by increasing MinimumVersion; the first must be V1.
	Versions []VersionedCheck
}

// VersionedCheck is one version of a check's behaviour. Each function may be nil
// when the check does not apply to that kind of request. The functions are pure:
// they report findings into r and must not retain c, x, v or r.
type VersionedCheck struct {
	MinimumVersion Version
	Container      func(c *Container, s *Settings, r *Report)
	Exec           func(x *Exec, s *Settings, r *Report)
	Volume         func(v *VolumeCreate, s *Settings, r *Report)
}

// Settings is what a check may consult besides the request: the evaluator's
// level, exceptions and pluggable helpers. Checks must treat it as read-only.
type Settings struct {
	Level      Level
	Exceptions Exceptions
	// Commands judges commands; nil means commands are not checked.
	Commands CommandValidator
	// Paths resolves host paths; nil means symlinks are not resolved.
	Paths PathResolver
	// RequireDigest requires digest-pinned images.
	RequireDigest bool

	// compiled holds the normalised exceptions, built once by NewEvaluator. It
	// is nil in a Settings built by hand; the helpers then compile on demand.
	compiled *compiledExceptions
}

// Exceptions are explicit, narrow allowances. The zero value allows nothing
// beyond the level's defaults.
type Exceptions struct {
	// BindRoots are host directories under which bind mounts are allowed.
	// Sensitive paths stay denied under an allowed root unless a root names
	// that exact path.
	BindRoots []BindRoot
	// Devices are host device paths that may be passed through, exactly.
	Devices []string
	// Capabilities may be added beyond Docker's default set (any spelling; they
	// are normalised).
	Capabilities []string
	// Sysctls are extra sysctl keys allowed beyond the Pod Security baseline list.
	Sysctls []string
	// Runtimes are OCI runtime names allowed besides the daemon default.
	Runtimes []string
	// Annotations are annotation keys allowed; an entry ending in "*" allows a prefix.
	Annotations []string
	// AppArmorProfiles are AppArmor profile names allowed besides the daemon's
	// "docker-default". "unconfined" is never allowed.
	AppArmorProfiles []string
	// DeviceRequests are HostConfig.DeviceRequests driver names allowed (e.g.
	// "nvidia", "cdi"). A request with an empty Driver (what `docker run --gpus`
	// sends) lets the daemon pick any registered driver by capability, so it is
	// allowed only by the entry "*", which allows every driver.
	DeviceRequests []string
	// VolumeDrivers are volume driver plugin names allowed besides the built-in
	// "local" driver, compared exactly. Plugins run with host privileges, so the
	// options passed to an allowed plugin are not checked.
	VolumeDrivers []string
}

// BindRoot is an allowed host directory for bind mounts.
type BindRoot struct {
	// Path is an absolute host path; it is cleaned before use.
	Path string
	// Writable allows read-write binds under Path; otherwise only read-only binds
	// are allowed.
	Writable bool
}

// CommandValidator judges the programs a container or exec would run. The
// validate package provides the default implementation. Implementations must be
// safe for concurrent use and must not retain or modify argv: the evaluator may
// pass a reused buffer.
type CommandValidator interface {
	// ValidateArgv judges an exec-form command; argv[0] is the program.
	ValidateArgv(argv []string) error
	// ValidateScript judges a script that a shell runs with -c.
	ValidateScript(script string) error
}

// ArgIndexer is implemented by command errors that know which argv element was at
// fault; the check uses it to name the exact field.
type ArgIndexer interface {
	ArgIndex() int
}

// PathResolver resolves a host path for the symlink-aware bind checks: it
// follows symlinks, including in a missing tail under a symlinked parent, and
// returns the resolved absolute path. It is only meaningful when the daemon runs
// on this host. Implementations must be safe for concurrent use.
type PathResolver interface {
	ResolveHostPath(p string) (string, error)
}

// PathStatter is implemented by a [PathResolver] that can also tell whether a
// host path exists. With one in Settings.Paths, the hostMounts check denies a
// HostConfig.Binds source that does not exist under a read-only bind root: the
// daemon would create it on the host, as root. The local resolver
// (safedocker.LocalPathResolver) implements it.
type PathStatter interface {
	// HostPathExists reports whether p exists once symlinks are followed.
	// An error means the answer is unknown (the check then denies).
	HostPathExists(p string) (bool, error)
}

// Finding is one reason a request is denied.
type Finding struct {
	// Check is the ID of the check that found it.
	Check CheckID
	// Field is the request field, e.g. "HostConfig.Binds[1]".
	Field string
	// Value is the offending value. It is never a secret: env findings carry keys,
	// never values.
	Value string
	// Reason says what is wrong, in a short stable sentence.
	Reason string
	// Remediation says how to fix it.
	Remediation string
}

// String formats the finding on one line.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s %q: %s", f.Check, f.Field, f.Value, f.Reason)
}

// Report collects findings while an evaluator runs checks. Checks call Deny.
type Report struct {
	check    CheckID
	findings []Finding
	// argv is a scratch buffer the commands check reuses to join Entrypoint and
	// Cmd without allocating; it is reset between evaluations.
	argv []string
}

// Deny records a finding for the check that is running.
func (r *Report) Deny(field, value, reason, remediation string) {
	r.findings = append(r.findings, Finding{
		Check:       r.check,
		Field:       field,
		Value:       value,
		Reason:      reason,
		Remediation: remediation,
	})
}
