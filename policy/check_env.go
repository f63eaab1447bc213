package policy

import "strings"

// env (baseline): environment keys the daemon and runtime cannot pass through
// faithfully are denied: an empty key (an entry "=value"), a key with '=',
// NUL, whitespace or other control characters, or longer than 1024 bytes; and
// a value containing NUL, which the runtime truncates. Findings name the key
// only, never a value.

func init() { register(checkEnv()) }

func checkEnv() Check {
	return Check{
		ID:     "env",
		Level:  LevelBaseline,
		Title:  "Environment variables with invalid keys or NUL in the value (findings name keys only)",
		Fields: []string{"Config.Env", "exec Env"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      func(c *Container, _ *Settings, r *Report) { envCheck(r, "Config.Env", c.Env) },
			Exec:           func(x *Exec, _ *Settings, r *Report) { envCheck(r, "Env", x.Env) },
		}},
	}
}

func envCheck(r *Report, field string, env []EnvVar) {
	for i, e := range env {
		if !validEnvKey(e.Key) {
			r.Deny(indexField(field, i), printableKey(e.Key), "invalid environment variable name",
				"use a name of letters, digits and '_' (no '=', spaces or control characters)")
			continue
		}
		if strings.IndexByte(e.Value, 0) >= 0 {
			r.Deny(indexField(field, i), e.Key, "the value contains a NUL byte", "remove the NUL byte from the value")
		}
	}
}

func validEnvKey(k string) bool {
	if k == "" || len(k) > 1024 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c == 0x7f || c == '=' {
			return false
		}
	}
	return true
}

// printableKey bounds an invalid key and escapes control characters for the
// finding (the key, never the value).
func printableKey(k string) string {
	k = truncate(k, 64)
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, k)
}
