package policy

import "github.com/safedocker/safedocker/validate"

// codeLoadingEnv (baseline): while commands are judged (Settings.Commands is
// set), environment variables that make the judged program load other code
// are denied in Config.Env and exec Env, because they would run code the
// command validator never saw: the dynamic loader's LD_PRELOAD and LD_AUDIT,
// the shell startup files BASH_ENV and ENV, exported bash functions
// (BASH_FUNC_* keys or a value starting "() {"), and prompt variables (PS0,
// PS1, PS2, PS4, PROMPT_COMMAND) holding command substitution. This is the
// rule the validator applies to assignments inside commands
// (validate.EnvVar.LoadsCode). Findings name the key, never the value.

func init() { register(checkCodeLoadingEnv()) }

func checkCodeLoadingEnv() Check {
	return Check{
		ID:     "codeLoadingEnv",
		Level:  LevelBaseline,
		Title:  "Environment variables that load code the command check never saw (LD_PRELOAD, BASH_ENV, ...)",
		Fields: []string{"Config.Env", "exec Env"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container: func(c *Container, s *Settings, r *Report) {
				if s.Commands != nil {
					codeLoadingEnv(r, "Config.Env", c.Env)
				}
			},
			Exec: func(x *Exec, s *Settings, r *Report) {
				if s.Commands != nil {
					codeLoadingEnv(r, "Env", x.Env)
				}
			},
		}},
	}
}

func codeLoadingEnv(r *Report, field string, env []EnvVar) {
	for i, e := range env {
		if !e.HasValue {
			continue // "KEY" alone unsets; it loads nothing
		}
		if validate.EnvLoadsCode(e.Key, e.Value) {
			r.Deny(indexField(field, i), e.Key, "the variable makes programs load code the command check never saw",
				"remove the variable; put the code in the image or the judged command instead")
		}
	}
}
