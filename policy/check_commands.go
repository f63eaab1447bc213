package policy

import (
	"errors"
	"path"

	"github.com/safedocker/safedocker/validate"
)

// commands (baseline): every program a container or exec would run goes
// through Settings.Commands (the validate package's list-command validator
// by default; nil skips the check):
//   - Config.Entrypoint followed by Config.Cmd as one argv (Entrypoint [""]
//     resets the image's entrypoint, as in the daemon, so Cmd alone runs);
//   - Healthcheck ["CMD", args...] as an argv;
//   - Healthcheck ["CMD-SHELL", script] as a script run by Config.Shell; when
//     Shell is set to anything but a known shell with -c, Shell followed by
//     the script is judged as an argv;
//   - exec Cmd as an argv.
// When both Entrypoint and Cmd are nil the image's command runs, which cannot
// be judged without the image. Findings name the argument the validator
// blamed (via ArgIndexer), e.g. Config.Cmd[2], and the program it blamed as
// the value, never the argument or script text.

func init() { register(checkCommands()) }

func checkCommands() Check {
	return Check{
		ID:     "commands",
		Level:  LevelBaseline,
		Title:  "Commands that run denied programs (host-escape and kernel tools, also inside sh -c scripts)",
		Fields: []string{"Config.Entrypoint", "Config.Cmd", "Config.Healthcheck.Test", "Config.Shell", "exec Cmd"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      commandsV1,
			Exec:           commandsExecV1,
		}},
	}
}

const commandRemedy = "run a different program, or change the command validator's configuration"

func commandsV1(c *Container, s *Settings, r *Report) {
	v := s.Commands
	if v == nil {
		return
	}
	ep := c.Entrypoint
	if len(ep) == 1 && ep[0] == "" {
		ep = nil
	}
	switch {
	case len(ep) == 0 && len(c.Cmd) == 0:
		// The image's command runs; it cannot be judged here.
	case len(ep) == 0:
		argvFinding(r, v.ValidateArgv(c.Cmd), c.Cmd, "Config.Cmd", nil, "", 0)
	case len(c.Cmd) == 0:
		argvFinding(r, v.ValidateArgv(ep), ep, "Config.Entrypoint", nil, "", 0)
	default:
		argv := append(append(r.argv[:0], ep...), c.Cmd...)
		r.argv = argv
		argvFinding(r, v.ValidateArgv(argv), argv, "Config.Entrypoint", ep, "Config.Cmd", 0)
	}
	if c.Healthcheck != nil {
		healthcheck(c, v, r)
	}
}

func healthcheck(c *Container, v CommandValidator, r *Report) {
	t := c.Healthcheck.Test
	if len(t) == 0 {
		return
	}
	const field = "Config.Healthcheck.Test"
	switch t[0] {
	case "NONE":
	case "CMD":
		argvFinding(r, v.ValidateArgv(t[1:]), t[1:], field, nil, "", 1)
	case "CMD-SHELL":
		if len(t) < 2 {
			r.Deny(field, "CMD-SHELL", "CMD-SHELL needs a script", "give the script as the second element")
			return
		}
		if knownShellC(c.Shell) {
			if err := v.ValidateScript(t[1]); err != nil {
				commandFinding(r, indexField(field, 1), "", err)
			}
			return
		}
		// The daemon runs Shell followed by the rest of Test.
		argv := append(append(r.argv[:0], c.Shell...), t[1:]...)
		r.argv = argv
		argvFinding(r, v.ValidateArgv(argv), argv, "Config.Shell", c.Shell, field, 1)
	default:
		r.Deny(indexField(field, 0), truncate(t[0], 32), "unknown healthcheck type", "use NONE, CMD or CMD-SHELL")
	}
}

// knownShellC reports whether shell is empty (the daemon default /bin/sh -c)
// or a known shell followed by exactly -c.
func knownShellC(shell []string) bool {
	if len(shell) == 0 {
		return true
	}
	if len(shell) != 2 || shell[1] != "-c" {
		return false
	}
	switch path.Base(shell[0]) {
	case "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh":
		return path.IsAbs(shell[0])
	}
	return false
}

func commandsExecV1(x *Exec, s *Settings, r *Report) {
	if s.Commands == nil {
		return
	}
	argvFinding(r, s.Commands.ValidateArgv(x.Cmd), x.Cmd, "Cmd", nil, "", 0)
}

// argvFinding reports err for an argv made of first (named firstField)
// followed by the rest (named restField). When first is nil the whole argv is
// firstField. off shifts the index within the rest field (1 for
// healthcheck tests, whose element 0 is the type).
func argvFinding(r *Report, err error, argv []string, firstField string, first []string, restField string, off int) {
	if err == nil {
		return
	}
	var ai ArgIndexer
	if !errors.As(err, &ai) || ai.ArgIndex() < 0 || ai.ArgIndex() >= len(argv) {
		commandFinding(r, firstField, programOf(argv, 0), err)
		return
	}
	i := ai.ArgIndex()
	var field string
	switch {
	case first == nil:
		field = indexField(firstField, i+off)
	case i < len(first):
		field = indexField(firstField, i)
	default:
		field = indexField(restField, i-len(first)+off)
	}
	commandFinding(r, field, programOf(argv, i), err)
}

// programOf returns the base name of argv[i] when i is 0 (the program), and
// "" otherwise: other arguments, scripts in particular, may hold secrets.
func programOf(argv []string, i int) string {
	if i != 0 || len(argv) == 0 || argv[0] == "" {
		return ""
	}
	return path.Base(argv[0])
}

// commandFinding reports a command error. The value is the program the
// validator blamed (a *validate.CommandError names it), else fallback; never
// the argument or script text, which may carry secrets.
func commandFinding(r *Report, field, fallback string, err error) {
	value := fallback
	var ce *validate.CommandError
	if errors.As(err, &ce) && ce.Program != "" {
		value = ce.Program
	}
	r.Deny(field, truncate(value, 64), err.Error(), commandRemedy)
}
