package policy

import (
	"errors"
	"strconv"
	"strings"
)

// ErrDenied is matched (with errors.Is) by every error that reports a policy
// denial, in particular *DeniedError as returned by Decision.Err. It is never
// returned for a malformed configuration: see ErrInvalidConfig.
var ErrDenied = errors.New("policy: denied")

// ErrInvalidConfig is matched by every *ConfigError: NewEvaluator, New and
// Tighten return it when the configuration or the check set is malformed. It is
// never returned for a request; requests are judged, not rejected as errors.
var ErrInvalidConfig = errors.New("policy: invalid configuration")

// ErrWouldLoosen is matched by the *ConfigError that Evaluator.Tighten returns
// when an option would make the evaluator less strict (a lower level, an
// exception the evaluator does not already have). Such an error also matches
// ErrInvalidConfig.
var ErrWouldLoosen = errors.New("policy: tightening would loosen the policy")

// DeniedError reports a denied request with every finding. It matches
// ErrDenied. Findings never carry secret values (env findings name keys only),
// so the error is safe to log.
type DeniedError struct {
	Findings []Finding
}

// maxFindingsInMessage bounds how many findings Error spells out.
const maxFindingsInMessage = 5

// Error lists up to five findings on one line.
func (e *DeniedError) Error() string {
	var b strings.Builder
	b.WriteString("policy: denied")
	if len(e.Findings) == 0 {
		return b.String()
	}
	b.WriteString(": ")
	for i, f := range e.Findings {
		if i == maxFindingsInMessage {
			b.WriteString("; and ")
			b.WriteString(strconv.Itoa(len(e.Findings) - i))
			b.WriteString(" more")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Is reports whether target is ErrDenied.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// ConfigError reports a malformed evaluator configuration or check set. It
// matches ErrInvalidConfig, and also ErrWouldLoosen when it comes from a
// Tighten option that would loosen the policy.
type ConfigError struct {
	// Field names the offending configuration field, e.g.
	// "Exceptions.BindRoots[0].Path" or "checks[3].ID".
	Field string
	// Value is the offending value, truncated.
	Value string
	// Reason says what is wrong.
	Reason string

	loosen bool
}

// Error formats the error on one line.
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("policy: invalid configuration: ")
	b.WriteString(e.Field)
	if e.Value != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(truncate(e.Value, 64)))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is ErrInvalidConfig, or ErrWouldLoosen for a
// loosening Tighten option.
func (e *ConfigError) Is(target error) bool {
	return target == ErrInvalidConfig || (e.loosen && target == ErrWouldLoosen)
}

func configErr(field, value, reason string) *ConfigError {
	return &ConfigError{Field: field, Value: value, Reason: reason}
}

func loosenErr(field, value, reason string) *ConfigError {
	return &ConfigError{Field: field, Value: value, Reason: reason, loosen: true}
}
