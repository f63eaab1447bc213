package engine

import (
	"errors"
	"strconv"

	"github.com/safedocker/safedocker/policy"
)

// errUnknownMode reports a security option mode the daemon syntax has no
// spelling for.
var errUnknownMode = errors.New("unknown mode")

// SecurityOptStrings renders parsed security options in the daemon's syntax
// (HostConfig.SecurityOpt), the inverse of policy.ParseSecurityOpts. A seccomp
// or AppArmor mode it does not know is an error naming the option; the caller
// must not send the request.
func SecurityOptStrings(so policy.SecurityOptions) ([]string, error) {
	var out []string
	if so.NoNewPrivileges != nil {
		out = append(out, "no-new-privileges="+strconv.FormatBool(*so.NoNewPrivileges))
	}
	if so.WritableCgroups != nil {
		out = append(out, "writable-cgroups="+strconv.FormatBool(*so.WritableCgroups))
	}
	switch so.Seccomp.Mode {
	case policy.SeccompDefault:
	case policy.SeccompBuiltin:
		out = append(out, "seccomp=builtin")
	case policy.SeccompUnconfined:
		out = append(out, "seccomp=unconfined")
	case policy.SeccompCustom:
		out = append(out, "seccomp="+so.Seccomp.JSON)
	default:
		return nil, &SecurityOptError{Option: "seccomp", Err: errUnknownMode}
	}
	switch so.AppArmor.Mode {
	case policy.AppArmorDefault:
	case policy.AppArmorUnconfined:
		out = append(out, "apparmor=unconfined")
	case policy.AppArmorNamed:
		out = append(out, "apparmor="+so.AppArmor.Name)
	default:
		return nil, &SecurityOptError{Option: "apparmor", Err: errUnknownMode}
	}
	l := so.Label
	if l.Disable {
		out = append(out, "label=disable")
	}
	for _, kv := range [...][2]string{{"user", l.User}, {"role", l.Role}, {"type", l.Type}, {"level", l.Level}, {"filetype", l.FileType}} {
		if kv[1] != "" {
			out = append(out, "label="+kv[0]+":"+kv[1])
		}
	}
	return out, nil
}

// SecurityOptError reports a security option SecurityOptStrings cannot render.
type SecurityOptError struct {
	// Option is the option name, e.g. "seccomp".
	Option string
	Err    error
}

// Error returns "<option>: <problem>".
func (e *SecurityOptError) Error() string { return e.Option + ": " + e.Err.Error() }

// Unwrap returns the problem.
func (e *SecurityOptError) Unwrap() error { return e.Err }
