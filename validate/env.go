package validate

import (
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// Limits for environment variables.
const (
	// MaxEnvKeyLength is the longest environment key accepted: 256 bytes.
	MaxEnvKeyLength = 256
	// MaxEnvValueLength is the longest environment value accepted: 32 KiB.
	MaxEnvValueLength = 32 << 10
)

// EnvVar is one environment variable whose value never reaches a log: its
// String, GoString, Format (every verb) and LogValue methods print only the
// key. Read the value with [EnvVar.Value] and the daemon's "KEY=VALUE" form
// with [EnvVar.Pair].
//
// The key follows the POSIX grammar [A-Za-z_][A-Za-z0-9_]* (at most 256
// bytes); the value is valid UTF-8 without NUL, at most 32 KiB. Newlines in
// values are allowed (certificates). Values come from [ParseEnvVar],
// [NewEnvVar] or [ParseEnv].
type EnvVar struct {
	key, value string
}

// NewEnvVar builds an EnvVar from a key and a value. Errors name the key,
// never the value.
func NewEnvVar(key, value string) (EnvVar, error) {
	if err := checkEnvKey(key); err != nil {
		return EnvVar{}, err
	}
	switch {
	case len(value) > MaxEnvValueLength:
		return EnvVar{}, newError("env", key, "value longer than 32 KiB")
	case strings.IndexByte(value, 0) >= 0:
		return EnvVar{}, newError("env", key, "value holds NUL")
	case !utf8.ValidString(value):
		return EnvVar{}, newError("env", key, "value is not valid UTF-8")
	}
	return EnvVar{key: key, value: value}, nil
}

// ParseEnvVar parses "KEY=VALUE". An entry without '=' is rejected (the
// daemon would not set it); the error then carries no part of the input,
// which may be a misplaced secret.
func ParseEnvVar(s string) (EnvVar, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return EnvVar{}, &Error{Field: "env", Reason: "entry has no '=' (value redacted)"}
	}
	return NewEnvVar(key, value)
}

// ParseEnv parses a list of "KEY=VALUE" entries, as Config.Env holds them.
// A key given twice is rejected: which value wins would be ambiguous to a
// reviewer.
func ParseEnv(list []string) ([]EnvVar, error) {
	out := make([]EnvVar, 0, len(list))
	seen := make(map[string]struct{}, len(list))
	for _, s := range list {
		e, err := ParseEnvVar(s)
		if err != nil {
			return nil, err
		}
		if _, dup := seen[e.key]; dup {
			return nil, newError("env", e.key, "key given twice")
		}
		seen[e.key] = struct{}{}
		out = append(out, e)
	}
	return out, nil
}

func checkEnvKey(key string) error {
	switch {
	case key == "":
		return newError("env", "", "empty key")
	case len(key) > MaxEnvKeyLength:
		return newError("env", "", "key longer than 256 bytes (key redacted)")
	case key[0] >= '0' && key[0] <= '9':
		return newError("env", "", "key must not start with a digit (key redacted)")
	}
	for i := 0; i < len(key); i++ {
		if b := key[i]; !isAlnum(b) && b != '_' {
			return newError("env", "", "key must match [A-Za-z_][A-Za-z0-9_]* (key redacted)")
		}
	}
	return nil
}

// Key returns the key.
func (e EnvVar) Key() string { return e.key }

// Value returns the value. Do not log it.
func (e EnvVar) Value() string { return e.value }

// Pair returns "KEY=VALUE", the form the daemon takes. Do not log it.
func (e EnvVar) Pair() string { return e.key + "=" + e.value }

// IsZero reports whether e is the zero value.
func (e EnvVar) IsZero() bool { return e.key == "" }

// LoadsCode reports whether the variable makes programs load code:
// LD_PRELOAD, LD_AUDIT, BASH_ENV, ENV, exported bash functions (BASH_FUNC_*
// or a value starting "() {"), or a prompt (PS0, PS1, PS2, PS4,
// PROMPT_COMMAND) holding command substitution. The command validator
// refuses such assignments inside commands; the policy's codeLoadingEnv check
// refuses them in Config.Env and exec Env.
func (e EnvVar) LoadsCode() bool { return envLoadsCode(e.key, e.value) }

// EnvLoadsCode is [EnvVar.LoadsCode] for a key and value that have not been
// through [NewEnvVar] (a policy judging a raw request, say): it applies the
// same rule to any strings, valid or not.
func EnvLoadsCode(key, value string) bool { return envLoadsCode(key, value) }

// String returns the key only.
func (e EnvVar) String() string { return e.key }

// GoString returns a Go-syntax form holding the key only.
func (e EnvVar) GoString() string { return fmt.Sprintf("validate.EnvVar{Key: %q}", e.key) }

// Format prints the key only, whatever the verb: %v, %s, %+v, %#v and %q
// never show the value.
func (e EnvVar) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", e.key)
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, e.GoString())
			return
		}
		fmt.Fprint(f, e.key)
	default:
		fmt.Fprint(f, e.key)
	}
}

// LogValue implements [slog.LogValuer]: logs show the key only.
func (e EnvVar) LogValue() slog.Value { return slog.StringValue(e.key) }
