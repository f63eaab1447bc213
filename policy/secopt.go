package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// SecurityOptions is the parsed form of HostConfig.SecurityOpt. The zero value is
// "no security options": the daemon's defaults apply.
type SecurityOptions struct {
	// NoNewPrivileges is nil when unset (the daemon default applies), else the
	// requested value. Field is the entry that set it.
	NoNewPrivileges *bool
	// WritableCgroups is nil when unset, else the requested value.
	WritableCgroups *bool
	// Seccomp is the seccomp profile.
	Seccomp SeccompProfile
	// AppArmor is the AppArmor profile.
	AppArmor AppArmorProfile
	// Label is the SELinux label configuration.
	Label SELinuxLabel
	// Fields maps each option name ("no-new-privileges", "writable-cgroups",
	// "seccomp", "apparmor", "label") to the request field of the entry that set
	// it, e.g. "HostConfig.SecurityOpt[2]", for findings.
	Fields map[string]string
}

// SeccompMode says which seccomp profile applies.
type SeccompMode uint8

// The seccomp modes.
const (
	// SeccompDefault: no seccomp option was given; the daemon's profile applies.
	SeccompDefault SeccompMode = iota
	// SeccompBuiltin: "builtin", Docker's default profile.
	SeccompBuiltin
	// SeccompUnconfined: "unconfined", no seccomp filtering at all.
	SeccompUnconfined
	// SeccompCustom: an inline JSON profile (the CLI reads the file and sends its content).
	SeccompCustom
)

// SeccompProfile is a parsed seccomp option.
type SeccompProfile struct {
	Mode SeccompMode
	// JSON is the inline profile when Mode is SeccompCustom.
	JSON string
}

// AppArmorMode says which AppArmor profile applies.
type AppArmorMode uint8

// The AppArmor modes.
const (
	// AppArmorDefault: no option; the daemon's docker-default profile applies.
	AppArmorDefault AppArmorMode = iota
	// AppArmorUnconfined: "unconfined", no AppArmor confinement.
	AppArmorUnconfined
	// AppArmorNamed: a named profile loaded on the host.
	AppArmorNamed
)

// AppArmorProfile is a parsed apparmor option.
type AppArmorProfile struct {
	Mode AppArmorMode
	// Name is the profile name when Mode is AppArmorNamed.
	Name string
}

// SELinuxLabel is the parsed set of label options.
type SELinuxLabel struct {
	// Disable is true for "label=disable" or the bare "disable".
	Disable bool
	// User, Role, Type, Level and FileType are the label components given.
	User, Role, Type, Level, FileType string
}

// SecurityOptError reports a HostConfig.SecurityOpt entry the daemon would not
// accept or that this package cannot model.
type SecurityOptError struct {
	// Index is the entry's index in SecurityOpt.
	Index int
	// Value is the entry.
	Value string
	// Reason says what is wrong.
	Reason string
}

func (e *SecurityOptError) Error() string {
	return fmt.Sprintf("policy: security option %d %q: %s", e.Index, truncate(e.Value, 64), e.Reason)
}

// ParseSecurityOpts parses HostConfig.SecurityOpt as the daemon does: bare
// "no-new-privileges", "writable-cgroups" and "disable" (a label option); otherwise
// "key=value", or the deprecated "key:value" when the entry has no "="; keys are
// case-sensitive and unknown keys are errors. Later entries override earlier ones,
// as in the daemon. fieldPrefix names the request field, e.g.
// "HostConfig.SecurityOpt". Every entry that cannot be parsed is returned as an
// error; the result still holds everything that could be parsed.
func ParseSecurityOpts(fieldPrefix string, opts []string) (SecurityOptions, []*SecurityOptError) {
	var so SecurityOptions
	var errs []*SecurityOptError
	set := func(name string, i int) {
		if so.Fields == nil {
			so.Fields = make(map[string]string, 4)
		}
		so.Fields[name] = fmt.Sprintf("%s[%d]", fieldPrefix, i)
	}
	fail := func(i int, opt, reason string) {
		errs = append(errs, &SecurityOptError{Index: i, Value: opt, Reason: reason})
	}
	for i, opt := range opts {
		switch opt {
		case "no-new-privileges":
			t := true
			so.NoNewPrivileges = &t
			set("no-new-privileges", i)
			continue
		case "writable-cgroups":
			t := true
			so.WritableCgroups = &t
			set("writable-cgroups", i)
			continue
		case "disable":
			so.Label.Disable = true
			set("label", i)
			continue
		}
		var k, v string
		var ok bool
		if strings.Contains(opt, "=") {
			k, v, ok = strings.Cut(opt, "=")
		} else if strings.Contains(opt, ":") {
			k, v, ok = strings.Cut(opt, ":")
		}
		if !ok {
			fail(i, opt, "not of the form key=value")
			continue
		}
		switch k {
		case "label":
			if err := so.Label.add(v); err != "" {
				fail(i, opt, err)
				continue
			}
			set("label", i)
		case "apparmor":
			switch v {
			case "":
				so.AppArmor = AppArmorProfile{}
			case "unconfined":
				so.AppArmor = AppArmorProfile{Mode: AppArmorUnconfined}
			default:
				so.AppArmor = AppArmorProfile{Mode: AppArmorNamed, Name: v}
			}
			set("apparmor", i)
		case "seccomp":
			switch v {
			case "":
				so.Seccomp = SeccompProfile{}
			case "unconfined":
				so.Seccomp = SeccompProfile{Mode: SeccompUnconfined}
			case "builtin":
				so.Seccomp = SeccompProfile{Mode: SeccompBuiltin}
			default:
				so.Seccomp = SeccompProfile{Mode: SeccompCustom, JSON: v}
			}
			set("seccomp", i)
		case "no-new-privileges", "writable-cgroups":
			b, err := strconv.ParseBool(v)
			if err != nil {
				fail(i, opt, "value is not a boolean")
				continue
			}
			if k == "no-new-privileges" {
				so.NoNewPrivileges = &b
			} else {
				so.WritableCgroups = &b
			}
			set(k, i)
		default:
			fail(i, opt, "unknown security option "+strconv.Quote(truncate(k, 32)))
		}
	}
	return so, errs
}

// add applies one label option ("disable" or "component:value") as the SELinux
// label library does; it returns a reason when the option is invalid.
func (l *SELinuxLabel) add(opt string) string {
	if opt == "disable" {
		l.Disable = true
		return ""
	}
	k, v, ok := strings.Cut(opt, ":")
	if !ok {
		return "label option must be disable or user:, role:, type:, level:, filetype: followed by a value"
	}
	switch k {
	case "user":
		l.User = v
	case "role":
		l.Role = v
	case "type":
		l.Type = v
	case "level":
		l.Level = v
	case "filetype":
		l.FileType = v
	default:
		return "unknown label component " + strconv.Quote(truncate(k, 32))
	}
	return ""
}

// truncate bounds s to n bytes for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
