package validate

import (
	"errors"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// word is one argument as the checker sees it: an argv element (always static)
// or a shell word, whose value is known only when it is static.
type word struct {
	s      string // the value; meaningful only when static
	static bool   // the value is known before run time
	single bool   // the word expands to exactly one field
	idx    int    // argv index reported in errors
	node   *syntax.Word
}

// scriptCtx describes the script a command comes from.
type scriptCtx struct {
	langs langSet
}

// checker carries the state of one validation. It is not shared.
type checker struct {
	v          *CommandValidator
	depth      int
	scriptArgs []int          // argv indices consumed as scripts
	skip       []*syntax.Word // script words parsed separately
	arena      []word         // words of script commands being checked
	arith      bool           // the script being walked has an arithmetic command
	err        error
}

func (c *checker) fail(rule string, w word, prog, format string, args ...any) *CommandError {
	return &CommandError{Rule: rule, Index: w.idx, Program: truncate(prog, 64), Reason: fmt.Sprintf(format, args...)}
}

func (c *checker) unverifiable(w word, prog, format string, args ...any) *CommandError {
	return c.fail(RuleUnverifiableCommand, w, prog, format, args...)
}

// markScript records that w is parsed as a script.
func (c *checker) markScript(w word) {
	if w.node != nil {
		c.skip = append(c.skip, w.node)
	} else {
		c.scriptArgs = append(c.scriptArgs, w.idx)
	}
}

// judge applies the deny- and allow-lists to a program base name. builtin
// is true when the name is the first word of a shell command, where shell
// builtins need not be allow-listed.
func (c *checker) judge(base string, w word, builtin bool) error {
	if _, ok := c.v.deny[base]; ok {
		return c.fail(RuleDeniedProgram, w, base, "program is on the deny-list")
	}
	if c.v.allow != nil {
		if _, ok := c.v.allow[base]; !ok && !(builtin && isShellBuiltin(base)) {
			return c.fail(RuleProgramNotAllowed, w, base, "program is not on the allow-list")
		}
	}
	return nil
}

// nest enters one nesting level.
func (c *checker) nest(w word, prog string) error {
	if c.depth >= c.v.maxNesting {
		return c.fail(RuleNestingTooDeep, w, prog, "nesting deeper than %d", c.v.maxNesting)
	}
	c.depth++
	return nil
}

// command judges one command: ws[0] is the program. tail means more
// arguments are appended at run time (xargs). sc is the script the command
// comes from, nil for exec form.
func (c *checker) command(ws []word, tail bool, sc *scriptCtx) error {
	saved := c.depth
	defer func() { c.depth = saved }()
	builtin := sc != nil
	for steps := 0; ; steps++ {
		if len(ws) == 0 {
			return nil
		}
		if steps > maxUnwrapSteps {
			return c.fail(RuleNestingTooDeep, ws[0], "", "too many wrappers")
		}
		w := ws[0]
		if !w.static {
			return c.unverifiable(w, "", "program name is not a static word")
		}
		if w.s == "" {
			return c.fail(RuleEmptyProgram, w, "", "program name is empty")
		}
		if rule, off := scanText(w.s, false); rule != "" || off >= 0 {
			return c.fail(RuleControlCharacter, w, "", "control character in program name")
		}
		base := baseName(w.s)
		if err := c.judge(base, w, builtin); err != nil {
			return err
		}
		r, err := c.unwrap(base, w, ws[1:], tail, sc)
		if err != nil || !r.next {
			return err
		}
		if len(r.ws) == 0 {
			if r.tail {
				return c.unverifiable(w, base, "the command would come from standard input")
			}
			return nil
		}
		ws, tail, builtin = r.ws, r.tail, r.builtin
	}
}

// unwrapResult is what a wrapper runs next.
type unwrapResult struct {
	next    bool   // a further command runs
	ws      []word // the command (may be empty: then nothing runs unless tail)
	tail    bool
	builtin bool // the next program may be a shell builtin
}

func runs(ws []word, tail bool) (unwrapResult, error) {
	return unwrapResult{next: true, ws: ws, tail: tail}, nil
}

// unwrap dispatches on the program's base name.
func (c *checker) unwrap(base string, w word, args []word, tail bool, sc *scriptCtx) (unwrapResult, error) {
	if !isSpecial(base) {
		return unwrapResult{}, nil
	}
	if k := shellOf(base); k != notShell {
		return unwrapResult{}, c.shell(k, base, w, args, tail)
	}
	switch base {
	case "env":
		return c.env(base, w, args, tail)
	case "timeout":
		return c.timeout(base, w, args, tail)
	case "nice":
		return c.simpleWrapper(base, args, tail, &niceSpec)
	case "nohup":
		return c.simpleWrapper(base, args, tail, &nohupSpec)
	case "setsid":
		return c.simpleWrapper(base, args, tail, &setsidSpec)
	case "stdbuf":
		return c.simpleWrapper(base, args, tail, &stdbufSpec)
	case "setpriv":
		return c.simpleWrapper(base, args, tail, &setprivSpec)
	case "time":
		return c.simpleWrapper(base, args, tail, &timeSpec)
	case "tini", "tini-static":
		return c.simpleWrapper(base, args, tail, &tiniSpec)
	case "dumb-init":
		return c.simpleWrapper(base, args, tail, &dumbInitSpec)
	case "chpst":
		return c.simpleWrapper(base, args, tail, &chpstSpec)
	case "gosu", "su-exec", "s6-setuidgid":
		return c.userThenCommand(base, args, tail)
	case "watch":
		return unwrapResult{}, c.watch(base, w, args, tail)
	case "flock":
		return c.flock(base, w, args, tail)
	case "chrt":
		return c.chrt(base, args, tail)
	case "taskset":
		return c.taskset(base, args, tail)
	case "ionice":
		return c.ionice(base, args, tail)
	case "xargs":
		return c.xargs(base, w, args)
	case "find":
		return unwrapResult{}, c.find(base, w, args)
	case "sudo":
		return c.sudo(base, w, args, tail)
	case "su", "runuser":
		return unwrapResult{}, c.su(base, w, args, tail)
	case "doas":
		return c.doas(base, w, args, tail)
	case "busybox", "toybox":
		return c.multicall(base, w, args, tail)
	case "exec":
		r, err := c.simpleWrapper(base, args, tail, &execSpec)
		return r, err
	case "command":
		return c.commandBuiltin(base, args, tail)
	case "builtin":
		return unwrapResult{next: true, ws: args, tail: tail, builtin: true}, nil
	case "eval":
		return unwrapResult{}, c.eval(base, w, args, sc)
	case "trap":
		return unwrapResult{}, c.trap(base, w, args, sc)
	case ".", "source":
		return unwrapResult{}, c.source(base, args)
	case "alias":
		for _, a := range args {
			if !a.static || strings.ContainsRune(a.s, '=') {
				return unwrapResult{}, c.unverifiable(a, base, "alias definitions cannot be verified")
			}
		}
		return unwrapResult{}, nil
	case "enable":
		for _, a := range args {
			if !a.static || (strings.HasPrefix(a.s, "-") && strings.ContainsRune(a.s, 'f')) {
				return unwrapResult{}, c.unverifiable(a, base, "enable -f loads code from a shared object")
			}
		}
		return unwrapResult{}, nil
	case "hash":
		return unwrapResult{}, c.hash(base, args)
	case "export", "readonly", "declare", "typeset", "local":
		for _, a := range args {
			if !a.static {
				continue
			}
			if name, val, ok := strings.Cut(a.s, "="); ok && envLoadsCode(name, val) {
				return unwrapResult{}, c.fail(RuleEnvironmentCode, a, base, "assignment to %s loads code", truncate(name, 64))
			}
		}
		return unwrapResult{}, nil
	}
	return unwrapResult{}, nil
}

// isSpecial reports programs that unwrap handles: shells, wrappers and the
// shell builtins that run or define commands. Every other program is judged
// by its name alone. (unwrap consults it first, so a name missing here
// disables its handler and the wrapper tests fail.)
func isSpecial(base string) bool {
	if shellOf(base) != notShell {
		return true
	}
	switch base {
	case "env", "timeout", "nice", "nohup", "setsid", "stdbuf", "setpriv", "time",
		"tini", "tini-static", "dumb-init", "chpst", "gosu", "su-exec", "s6-setuidgid",
		"watch", "flock", "chrt", "taskset", "ionice", "xargs", "find", "sudo", "su",
		"runuser", "doas", "busybox", "toybox", "exec", "command", "builtin", "eval",
		"trap", ".", "source", "alias", "enable", "hash", "export", "readonly",
		"declare", "typeset", "local":
		return true
	}
	return false
}

// shellKind classifies shells by the dialect their scripts are parsed in.
type shellKind uint8

const (
	notShell    shellKind = iota
	shellSh               // /bin/sh: dash, ash or bash; both readings
	shellBash             // bash
	shellPOSIX            // dash, ash, busybox hush
	shellKorn             // ksh, mksh
	shellZsh              // zsh
	shellOpaque           // a shell whose scripts cannot be parsed
)

func shellOf(base string) shellKind {
	switch base {
	case "sh":
		return shellSh
	case "bash", "rbash":
		return shellBash
	case "dash", "ash", "hush", "posh", "yash":
		return shellPOSIX
	case "ksh", "mksh", "lksh", "pdksh", "oksh", "ksh93", "rksh":
		return shellKorn
	case "zsh":
		return shellZsh
	case "fish", "csh", "tcsh", "rc", "es", "nu", "elvish", "xonsh", "pwsh", "powershell":
		return shellOpaque
	}
	return notShell
}

func (k shellKind) langs() langSet {
	switch k {
	case shellBash:
		return langBash
	case shellPOSIX:
		return langPOSIX
	case shellKorn:
		return langKorn
	case shellZsh:
		return langZsh
	}
	return langSh
}

// shell judges a shell's arguments: -c SCRIPT is parsed and checked, a script
// file is judged as a program, and a shell reading standard input is refused.
func (c *checker) shell(k shellKind, prog string, w word, ws []word, tail bool) error {
	if k == shellOpaque {
		if len(ws) == 0 && !tail {
			return c.stdinShell(w, prog)
		}
		return c.unverifiable(w, prog, "scripts for this shell cannot be parsed")
	}
	var cFlag, sFlag bool
	i := 0
options:
	for i < len(ws) {
		a := ws[i]
		if !a.static || !a.single {
			return c.unverifiable(a, prog, "shell argument is not a static word")
		}
		s := a.s
		if s == "--" || s == "-" {
			i++
			break
		}
		if len(s) < 2 || (s[0] != '-' && s[0] != '+') {
			break
		}
		if strings.HasPrefix(s, "--") {
			switch s {
			case "--rcfile", "--init-file":
				i += 2
				continue options
			case "--norc", "--noprofile", "--posix", "--login", "--restricted",
				"--verbose", "--version", "--help", "--noediting", "--debugger",
				"--dump-strings", "--dump-po-strings", "--wordexp", "--protected":
				i++
				continue options
			}
			return c.unverifiable(a, prog, "unknown shell option %s", truncate(s, 32))
		}
		for j := 1; j < len(s); j++ {
			ch := s[j]
			switch {
			case ch == 'c':
				if s[0] == '+' {
					return c.unverifiable(a, prog, "unknown shell option")
				}
				cFlag = true
			case ch == 's':
				if s[0] == '-' {
					sFlag = true
				}
			case k == shellKorn && (ch == 'T' || ch == 'R'):
				// mksh -T TTY and ksh93 -R FILE take an argument in some
				// Korn shells and not in others.
				return c.unverifiable(a, prog, "option -%c differs between Korn shells", ch)
			case ch == 'o' || ch == 'O':
				if j != len(s)-1 {
					return c.unverifiable(a, prog, "option -%c must end its group", ch)
				}
				i++
				if i >= len(ws) {
					return c.unverifiable(a, prog, "option -%c needs an argument", ch)
				}
				if !ws[i].single {
					return c.unverifiable(ws[i], prog, "shell argument is not a static word")
				}
			case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
			default:
				return c.unverifiable(a, prog, "unknown shell option")
			}
		}
		i++
	}
	var operands []word
	if i < len(ws) {
		operands = ws[i:]
	}
	if cFlag {
		if len(operands) == 0 {
			return c.unverifiable(w, prog, "-c without a script")
		}
		sw := operands[0]
		if !sw.static {
			return c.unverifiable(sw, prog, "script is not a static word")
		}
		c.markScript(sw)
		return c.script(sw.s, k.langs(), sw.idx)
	}
	if len(operands) == 0 || sFlag {
		if tail {
			return c.unverifiable(w, prog, "the script would come from standard input")
		}
		return c.stdinShell(w, prog)
	}
	f := operands[0]
	if !f.static {
		return c.unverifiable(f, prog, "script file is not a static word")
	}
	if f.s == "" {
		return c.fail(RuleEmptyProgram, f, prog, "empty script file name")
	}
	return c.scriptFile(prog, f, tail)
}

// scriptFile judges a script file by its base name. A file under /dev or
// /proc (/dev/stdin, /dev/fd/0, /proc/self/fd/0) is standard input or
// another stream in disguise.
func (c *checker) scriptFile(prog string, f word, tail bool) error {
	if strings.HasPrefix(f.s, "/dev/") || strings.HasPrefix(f.s, "/proc/") {
		if tail {
			return c.unverifiable(f, prog, "the script would come from a stream")
		}
		return c.stdinShell(f, prog)
	}
	return c.judge(baseName(f.s), f, false)
}

func (c *checker) stdinShell(w word, prog string) error {
	// AllowStdinShell covers a terminal attached to the top-level command only;
	// inside a script, standard input is whatever the script pipes in.
	if c.v.allowStdin && c.depth == 0 {
		return nil
	}
	return c.fail(RuleShellStdin, w, prog, "shell would read its script from standard input")
}

// optSpec describes a wrapper's options in getopt terms.
type optSpec struct {
	flags       string   // short options without an argument
	args        string   // short options with a required argument
	optArgs     string   // short options whose argument must be attached
	longFlags   []string // long options without an argument
	longArgs    []string // long options with a required argument
	longOptArgs []string // long options whose argument needs '='
	numeric     bool     // -N and --N are accepted (nice)
}

const (
	optUnknown = iota
	optFlag
	optArg
	optOptArg
)

// lookupLong resolves a long option by exact name or unique prefix, as
// getopt_long does.
func (sp *optSpec) lookupLong(name string) (string, int) {
	found, kind, n := "", optUnknown, 0
	for k, list := range [3][]string{sp.longFlags, sp.longArgs, sp.longOptArgs} {
		for _, l := range list {
			if l == name {
				return l, k + 1
			}
			if strings.HasPrefix(l, name) && name != "" {
				found, kind, n = l, k+1, n+1
			}
		}
	}
	if n != 1 {
		return "", optUnknown
	}
	return found, kind
}

// parseOptions consumes leading options of a wrapper and reports each to fn
// (short options by their letter, long ones by their full name). It returns
// the index of the first operand. Every word in the option zone must be a
// static single field; option arguments may be any single field.
func (c *checker) parseOptions(prog string, ws []word, sp *optSpec, fn func(opt string, arg word) error) (int, error) {
	i := 0
	for i < len(ws) {
		a := ws[i]
		if !a.static || !a.single {
			return 0, c.unverifiable(a, prog, "wrapper argument is not a static word")
		}
		s := a.s
		if s == "--" {
			return i + 1, nil
		}
		if len(s) < 2 || s[0] != '-' {
			return i, nil
		}
		if sp.numeric && (isDigits(s[1:]) || (s[1] == '-' && isDigits(s[2:]))) {
			if err := fn("n", a); err != nil {
				return stopAt(i, err)
			}
			i++
			continue
		}
		if s[1] == '-' {
			name, val, hasEq := strings.Cut(s[2:], "=")
			full, kind := sp.lookupLong(name)
			var arg word
			switch kind {
			case optUnknown:
				return 0, c.unverifiable(a, prog, "unknown option --%s", truncate(name, 32))
			case optFlag:
				if hasEq {
					return 0, c.unverifiable(a, prog, "option --%s takes no argument", full)
				}
			case optArg:
				if hasEq {
					arg = word{s: val, static: true, single: true, idx: a.idx}
				} else {
					i++
					if i >= len(ws) {
						return 0, c.unverifiable(a, prog, "option --%s needs an argument", full)
					}
					arg = ws[i]
					if !arg.single {
						return 0, c.unverifiable(arg, prog, "option argument is not a single word")
					}
				}
			case optOptArg:
				if hasEq {
					arg = word{s: val, static: true, single: true, idx: a.idx}
				}
			}
			if err := fn(full, arg); err != nil {
				return stopAt(i, err)
			}
			i++
			continue
		}
		for j := 1; j < len(s); j++ {
			ch := s[j]
			opt := s[j : j+1]
			switch {
			case strings.IndexByte(sp.flags, ch) >= 0:
				if err := fn(opt, word{}); err != nil {
					return stopAt(i, err)
				}
			case strings.IndexByte(sp.args, ch) >= 0:
				var arg word
				if j+1 < len(s) {
					arg = word{s: s[j+1:], static: true, single: true, idx: a.idx}
				} else {
					i++
					if i >= len(ws) {
						return 0, c.unverifiable(a, prog, "option -%s needs an argument", opt)
					}
					arg = ws[i]
					if !arg.single {
						return 0, c.unverifiable(arg, prog, "option argument is not a single word")
					}
				}
				if err := fn(opt, arg); err != nil {
					return stopAt(i, err)
				}
				j = len(s)
			case strings.IndexByte(sp.optArgs, ch) >= 0:
				arg := word{s: s[j+1:], static: true, single: true, idx: a.idx}
				if err := fn(opt, arg); err != nil {
					return stopAt(i, err)
				}
				j = len(s)
			default:
				return 0, c.unverifiable(a, prog, "unknown option -%c", ch)
			}
		}
		i++
	}
	return i, nil
}

// errStopOptions, returned by a parseOptions callback, stops option parsing
// after the current option; parseOptions then returns it with the index of the
// next word.
var errStopOptions = errors.New("stop options")

func stopAt(i int, err error) (int, error) {
	if err == errStopOptions {
		return i + 1, err
	}
	return 0, err
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func ignoreOpt(string, word) error { return nil }

var (
	niceSpec = optSpec{args: "n", longArgs: []string{"adjustment"},
		longFlags: []string{"help", "version"}, numeric: true}
	nohupSpec  = optSpec{longFlags: []string{"help", "version"}}
	setsidSpec = optSpec{flags: "cfw", longFlags: []string{"ctty", "fork", "wait", "help", "version"}}
	stdbufSpec = optSpec{args: "ioe", longArgs: []string{"input", "output", "error"},
		longFlags: []string{"help", "version"}}
	setprivSpec = optSpec{flags: "dhV",
		longFlags: []string{"clear-groups", "init-groups", "keep-groups", "nnp", "no-new-privs",
			"reset-env", "dump", "help", "version"},
		longArgs: []string{"reuid", "regid", "ruid", "rgid", "euid", "egid", "groups", "inh-caps",
			"ambient-caps", "bounding-set", "securebits", "pdeathsig", "selinux-label",
			"apparmor-profile", "landlock-access", "landlock-rule", "seccomp-filter"}}
	timeSpec = optSpec{flags: "pavq", args: "fo",
		longFlags: []string{"portability", "append", "verbose", "quiet", "help", "version"},
		longArgs:  []string{"format", "output"}}
	execSpec = optSpec{flags: "cl", args: "a"}
)

var (
	tiniSpec     = optSpec{flags: "hsvwgl", args: "pe", longFlags: []string{"version"}}
	dumbInitSpec = optSpec{flags: "cvVh", args: "r",
		longFlags: []string{"single-child", "verbose", "version", "help"}, longArgs: []string{"rewrite"}}
	chpstSpec = optSpec{flags: "vP012", args: "uUbe/nlLmdopfcrt"}
	watchSpec = optSpec{flags: "bcCdegptwxh", args: "nq",
		longFlags: []string{"beep", "color", "no-color", "errexit", "chgexit", "precise", "no-title",
			"no-wrap", "no-linewrap", "exec", "help", "version"},
		longArgs:    []string{"interval", "equexit"},
		longOptArgs: []string{"differences"}}
	flockSpec = optSpec{flags: "sexunoFhV", args: "wEc",
		longFlags: []string{"shared", "exclusive", "unlock", "nonblock", "nb", "no-fork", "close",
			"verbose", "help", "version"},
		longArgs: []string{"timeout", "wait", "conflict-exit-code", "command"}}
)

// userThenCommand handles gosu, su-exec and s6-setuidgid: USER command args.
func (c *checker) userThenCommand(prog string, ws []word, tail bool) (unwrapResult, error) {
	if len(ws) == 0 {
		return unwrapResult{}, nil
	}
	u := ws[0]
	if !u.static || !u.single {
		return unwrapResult{}, c.unverifiable(u, prog, "user is not a static word")
	}
	if strings.HasPrefix(u.s, "-") {
		return unwrapResult{}, nil // --help, --version
	}
	return runs(ws[1:], tail)
}

// watch handles watch [options] command...: the words are joined and run by
// sh -c, unless -x runs them directly.
func (c *checker) watch(prog string, w word, ws []word, tail bool) error {
	direct := false
	i, err := c.parseOptions(prog, ws, &watchSpec, func(opt string, _ word) error {
		if opt == "x" || opt == "exec" {
			direct = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	ops := ws[i:]
	if tail {
		return c.unverifiable(w, prog, "the command would come from standard input")
	}
	if direct {
		return c.command(ops, false, nil)
	}
	if len(ops) == 0 {
		return nil
	}
	parts := make([]string, 0, len(ops))
	for _, a := range ops {
		if !a.static {
			return c.unverifiable(a, prog, "watch runs its words as a script; this one is not static")
		}
		c.markScript(a)
		parts = append(parts, a.s)
	}
	return c.script(strings.Join(parts, " "), langSh, ops[0].idx)
}

// flock handles flock [options] FILE command args, flock [options] FILE -c
// SCRIPT and flock [options] FD.
func (c *checker) flock(prog string, w word, ws []word, tail bool) (unwrapResult, error) {
	var script *word
	i, err := c.parseOptions(prog, ws, &flockSpec, func(opt string, arg word) error {
		if opt == "c" || opt == "command" {
			a := arg
			script = &a
		}
		return nil
	})
	if err != nil {
		return unwrapResult{}, err
	}
	ops := ws[i:]
	if len(ops) > 1 && ops[1].static && (ops[1].s == "-c" || ops[1].s == "--command") {
		if len(ops) < 3 {
			return unwrapResult{}, c.unverifiable(ops[1], prog, "-c without a script")
		}
		s := ops[2]
		script = &s
	}
	if script != nil {
		if !script.static {
			return unwrapResult{}, c.unverifiable(*script, prog, "script is not a static word")
		}
		c.markScript(*script)
		return unwrapResult{}, c.script(script.s, langSh, script.idx)
	}
	if len(ops) == 0 {
		return unwrapResult{}, nil
	}
	return runs(ops[1:], tail)
}

// simpleWrapper handles wrappers of the form: wrapper [options] command args.
func (c *checker) simpleWrapper(prog string, ws []word, tail bool, sp *optSpec) (unwrapResult, error) {
	i, err := c.parseOptions(prog, ws, sp, ignoreOpt)
	if err != nil {
		return unwrapResult{}, err
	}
	return runs(ws[i:], tail)
}

// envLoadsCode reports environment assignments that make a program or shell
// load code: the dynamic loader's preload and audit hooks, shell startup files,
// exported bash functions, and prompt strings holding command substitution.
func envLoadsCode(name, value string) bool {
	switch name {
	case "LD_PRELOAD", "LD_AUDIT", "BASH_ENV", "ENV":
		return true
	case "PS0", "PS1", "PS2", "PS4", "PROMPT_COMMAND":
		return hasSubstitution(value)
	}
	return strings.HasPrefix(name, "BASH_FUNC_") || strings.HasPrefix(value, "() {")
}

var envSpec = optSpec{flags: "i0v", args: "uCS",
	longFlags:   []string{"ignore-environment", "null", "debug", "help", "version", "list-signal-handling"},
	longArgs:    []string{"unset", "chdir", "split-string"},
	longOptArgs: []string{"block-signal", "default-signal", "ignore-signal"}}

// env handles env [options] [-] [NAME=VALUE]... [command [args]], including
// -S STRING, whose words are spliced back into the arguments.
func (c *checker) env(prog string, w word, ws []word, tail bool) (unwrapResult, error) {
	for splits := 0; ; splits++ {
		var split *word
		i, err := c.parseOptions(prog, ws, &envSpec, func(opt string, arg word) error {
			if opt == "S" || opt == "split-string" {
				if split != nil {
					return c.unverifiable(arg, prog, "-S given twice")
				}
				a := arg
				split = &a
				return errStopOptions
			}
			return nil
		})
		if err != nil && err != errStopOptions {
			return unwrapResult{}, err
		}
		if split != nil {
			if splits > 8 || !split.static {
				return unwrapResult{}, c.unverifiable(*split, prog, "env -S string cannot be verified")
			}
			if strings.ContainsAny(split.s, "'\"\\$#") {
				return unwrapResult{}, c.unverifiable(*split, prog, "env -S string with quotes, escapes or variables")
			}
			// Splice: the split words replace the options consumed so far.
			var nws []word
			for _, f := range strings.Fields(split.s) {
				nws = append(nws, word{s: f, static: true, single: true, idx: split.idx})
			}
			ws = append(nws, ws[i:]...)
			continue
		}
		ws = ws[i:]
		break
	}
	if len(ws) > 0 && ws[0].static && ws[0].s == "-" {
		ws = ws[1:]
	}
	for len(ws) > 0 {
		a := ws[0]
		if !a.static || !a.single {
			return unwrapResult{}, c.unverifiable(a, prog, "env argument is not a static word")
		}
		name, val, ok := strings.Cut(a.s, "=")
		if !ok {
			break
		}
		if envLoadsCode(name, val) {
			return unwrapResult{}, c.fail(RuleEnvironmentCode, a, prog, "assignment to %s loads code", truncate(name, 64))
		}
		ws = ws[1:]
	}
	return runs(ws, tail)
}

var timeoutSpec = optSpec{flags: "v", args: "skt",
	longFlags: []string{"preserve-status", "foreground", "verbose", "help", "version"},
	longArgs:  []string{"signal", "kill-after"}}

// timeout handles timeout [options] DURATION command (GNU, busybox) and the
// older busybox timeout [-t SECS] command.
func (c *checker) timeout(prog string, w word, ws []word, tail bool) (unwrapResult, error) {
	legacy := false
	i, err := c.parseOptions(prog, ws, &timeoutSpec, func(opt string, arg word) error {
		if opt == "t" {
			legacy = true
		}
		return nil
	})
	if err != nil {
		return unwrapResult{}, err
	}
	ws = ws[i:]
	if !legacy {
		if len(ws) == 0 {
			return unwrapResult{}, nil
		}
		d := ws[0]
		if !d.static || !isDurationWord(d.s) {
			return unwrapResult{}, c.unverifiable(d, prog, "timeout duration is not a plain number")
		}
		ws = ws[1:]
	}
	return runs(ws, tail)
}

// isDurationWord accepts NUMBER[.FRACTION][smhd].
func isDurationWord(s string) bool {
	if s != "" {
		switch s[len(s)-1] {
		case 's', 'm', 'h', 'd':
			s = s[:len(s)-1]
		}
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if hasDot {
		return (whole == "" || isDigits(whole)) && isDigits(frac)
	}
	return isDigits(whole)
}

var chrtSpec = optSpec{flags: "abdfiormRpv", args: "TPD",
	longFlags: []string{"all-tasks", "batch", "deadline", "fifo", "idle", "other", "rr",
		"reset-on-fork", "max", "pid", "verbose", "help", "version"},
	longArgs: []string{"sched-runtime", "sched-period", "sched-deadline"}}

// chrt handles chrt [options] [priority] command; with -p or -m it runs
// nothing.
func (c *checker) chrt(prog string, ws []word, tail bool) (unwrapResult, error) {
	noRun := false
	i, err := c.parseOptions(prog, ws, &chrtSpec, func(opt string, _ word) error {
		switch opt {
		case "p", "pid", "m", "max", "help", "version":
			noRun = true
		}
		return nil
	})
	if err != nil || noRun {
		return unwrapResult{}, err
	}
	ws = ws[i:]
	if len(ws) > 0 && ws[0].static && isDigits(ws[0].s) {
		ws = ws[1:]
	}
	return runs(ws, tail)
}

var tasksetSpec = optSpec{flags: "pac", longFlags: []string{"pid", "all-tasks", "cpu-list", "help", "version"}}

// taskset handles taskset [options] mask command; with -p it runs nothing.
func (c *checker) taskset(prog string, ws []word, tail bool) (unwrapResult, error) {
	noRun := false
	i, err := c.parseOptions(prog, ws, &tasksetSpec, func(opt string, _ word) error {
		switch opt {
		case "p", "pid", "help", "version":
			noRun = true
		}
		return nil
	})
	if err != nil || noRun {
		return unwrapResult{}, err
	}
	ws = ws[i:]
	if len(ws) == 0 {
		return unwrapResult{}, nil
	}
	return runs(ws[1:], tail)
}

var ioniceSpec = optSpec{flags: "t", args: "cnpPu",
	longFlags: []string{"ignore", "help", "version"},
	longArgs:  []string{"class", "classdata", "pid", "pgid", "uid"}}

// ionice handles ionice [options] command; with -p, -P or -u it runs nothing.
func (c *checker) ionice(prog string, ws []word, tail bool) (unwrapResult, error) {
	noRun := false
	i, err := c.parseOptions(prog, ws, &ioniceSpec, func(opt string, _ word) error {
		switch opt {
		case "p", "P", "u", "pid", "pgid", "uid", "help", "version":
			noRun = true
		}
		return nil
	})
	if err != nil || noRun {
		return unwrapResult{}, err
	}
	return runs(ws[i:], tail)
}

var xargsSpec = optSpec{flags: "0prtxo", args: "aEIdLnPs", optArgs: "eil",
	longFlags: []string{"null", "interactive", "verbose", "no-run-if-empty", "exit",
		"open-tty", "show-limits", "help", "version"},
	longArgs:    []string{"arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"},
	longOptArgs: []string{"eof", "replace", "max-lines"}}

// xargs handles xargs [options] [command [initial-args]]: the command gets
// more arguments from standard input, and a replacement string (-I) makes the
// words holding it unknown.
func (c *checker) xargs(prog string, w word, ws []word) (unwrapResult, error) {
	var repl []string
	i, err := c.parseOptions(prog, ws, &xargsSpec, func(opt string, arg word) error {
		switch opt {
		case "I", "i", "replace":
			r := arg.s
			if !arg.static {
				return c.unverifiable(arg, prog, "replacement string is not a static word")
			}
			if r == "" && opt != "I" {
				r = "{}"
			}
			if r == "" {
				return c.unverifiable(arg, prog, "empty replacement string")
			}
			repl = append(repl, r)
		}
		return nil
	})
	if err != nil {
		return unwrapResult{}, err
	}
	cmd := ws[i:]
	if len(cmd) == 0 {
		cmd = []word{{s: "echo", static: true, single: true, idx: w.idx}}
	}
	cmd = markPlaceholders(cmd, repl)
	if err := c.nest(cmd[0], prog); err != nil {
		return unwrapResult{}, err
	}
	return runs(cmd, true)
}

// markPlaceholders returns ws with every word holding one of ph made
// non-static: its value is filled in at run time.
func markPlaceholders(ws []word, ph []string) []word {
	if len(ph) == 0 {
		return ws
	}
	out := make([]word, len(ws))
	copy(out, ws)
	for i := range out {
		for _, p := range ph {
			if strings.Contains(out[i].s, p) {
				out[i].static = false
			}
		}
	}
	return out
}

// find checks the commands of -exec, -execdir, -ok and -okdir.
func (c *checker) find(prog string, w word, ws []word) error {
	for i := 0; i < len(ws); i++ {
		a := ws[i]
		if !a.static || !a.single {
			return c.unverifiable(a, prog, "find argument is not a static word")
		}
		switch a.s {
		case "-exec", "-execdir", "-ok", "-okdir":
		default:
			continue
		}
		j := i + 1
		for j < len(ws) {
			if !ws[j].static || !ws[j].single {
				return c.unverifiable(ws[j], prog, "find argument is not a static word")
			}
			if ws[j].s == ";" || (ws[j].s == "+" && ws[j-1].s == "{}") {
				break
			}
			j++
		}
		seg := markPlaceholders(ws[i+1:j], []string{"{}"})
		if len(seg) == 0 {
			return c.unverifiable(a, prog, "%s without a command", a.s)
		}
		saved := c.depth
		if err := c.nest(seg[0], prog); err != nil {
			return err
		}
		err := c.command(seg, false, nil)
		c.depth = saved
		if err != nil {
			return err
		}
		i = j
	}
	return nil
}

var sudoSpec = optSpec{flags: "ABbEeHhiKklNnPSsVv", args: "CDgpRrTtUu",
	longFlags: []string{"askpass", "background", "bell", "preserve-groups", "edit", "help",
		"set-home", "login", "remove-timestamp", "reset-timestamp", "list", "non-interactive",
		"shell", "stdin", "version", "validate"},
	longArgs: []string{"close-from", "chdir", "group", "prompt", "chroot", "role", "type",
		"command-timeout", "other-user", "user", "host"},
	longOptArgs: []string{"preserve-env"}}

// sudo handles sudo [options] [VAR=value]... command.
func (c *checker) sudo(prog string, w word, ws []word, tail bool) (unwrapResult, error) {
	noRun, shell := false, false
	i, err := c.parseOptions(prog, ws, &sudoSpec, func(opt string, _ word) error {
		switch opt {
		case "e", "edit", "l", "list", "v", "validate", "V", "version", "K", "remove-timestamp":
			noRun = true
		case "i", "login", "s", "shell":
			shell = true
		}
		return nil
	})
	if err != nil || noRun {
		return unwrapResult{}, err
	}
	ws = ws[i:]
	for len(ws) > 0 {
		a := ws[0]
		if !a.static || !a.single {
			return unwrapResult{}, c.unverifiable(a, prog, "sudo argument is not a static word")
		}
		name, val, ok := strings.Cut(a.s, "=")
		if !ok {
			break
		}
		if envLoadsCode(name, val) {
			return unwrapResult{}, c.fail(RuleEnvironmentCode, a, prog, "assignment to %s loads code", truncate(name, 64))
		}
		ws = ws[1:]
	}
	if len(ws) == 0 && shell && !tail {
		return unwrapResult{}, c.stdinShell(w, prog)
	}
	return runs(ws, tail)
}

var (
	suSpec = optSpec{flags: "lmpfPhV", args: "cgGsw",
		longFlags: []string{"login", "preserve-environment", "fast", "pty", "help", "version"},
		longArgs:  []string{"command", "session-command", "group", "supp-group", "shell", "whitelist-environment"}}
	runuserSpec = optSpec{flags: "lmpfPhV", args: "cgGswu",
		longFlags: []string{"login", "preserve-environment", "fast", "pty", "help", "version"},
		longArgs: []string{"command", "session-command", "group", "supp-group", "shell",
			"whitelist-environment", "user"}}
)

// su handles su and runuser: -c SCRIPT runs SCRIPT in the target user's
// shell (or the -s shell); arguments after the user go to that shell; runuser
// -u USER runs a command directly.
func (c *checker) su(prog string, w word, ws []word, tail bool) error {
	sp := &suSpec
	if prog == "runuser" {
		sp = &runuserSpec
	}
	var script, shellW *word
	direct := false
	i, err := c.parseOptions(prog, ws, sp, func(opt string, arg word) error {
		a := arg
		switch opt {
		case "c", "command", "session-command":
			script = &a
		case "s", "shell":
			shellW = &a
		case "u", "user":
			direct = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	ops := ws[i:]
	for len(ops) > 0 && ops[0].static && ops[0].s == "-" {
		ops = ops[1:]
	}
	kind := shellSh
	shellName := "sh"
	if shellW != nil {
		if !shellW.static {
			return c.unverifiable(*shellW, prog, "shell is not a static word")
		}
		shellName = baseName(shellW.s)
		if err := c.judge(shellName, *shellW, false); err != nil {
			return err
		}
		if kind = shellOf(shellName); kind == notShell {
			return c.unverifiable(*shellW, prog, "not a known shell")
		}
	}
	if direct {
		if script != nil {
			return c.unverifiable(*script, prog, "both -u and -c")
		}
		if err := c.nest(w, prog); err != nil {
			return err
		}
		return c.command(ops, tail, nil)
	}
	if script != nil {
		if !script.static {
			return c.unverifiable(*script, prog, "script is not a static word")
		}
		c.markScript(*script)
		return c.script(script.s, kind.langs(), script.idx)
	}
	var rest []word
	if len(ops) > 1 {
		rest = ops[1:]
	}
	if len(rest) == 0 {
		if tail {
			return c.unverifiable(w, prog, "arguments would come from standard input")
		}
		return c.stdinShell(w, prog)
	}
	return c.shell(kind, shellName, w, rest, tail)
}

var doasSpec = optSpec{flags: "Lns", args: "aCu"}

// doas handles doas [options] command; -s with no command is a shell on
// standard input.
func (c *checker) doas(prog string, w word, ws []word, tail bool) (unwrapResult, error) {
	noRun, shell := false, false
	i, err := c.parseOptions(prog, ws, &doasSpec, func(opt string, _ word) error {
		switch opt {
		case "C", "L":
			noRun = true
		case "s":
			shell = true
		}
		return nil
	})
	if err != nil || noRun {
		return unwrapResult{}, err
	}
	ws = ws[i:]
	if len(ws) == 0 && shell && !tail {
		return unwrapResult{}, c.stdinShell(w, prog)
	}
	return runs(ws, tail)
}

// multicall handles busybox APPLET args and toybox APPLET args.
func (c *checker) multicall(prog string, w word, ws []word, tail bool) (unwrapResult, error) {
	if len(ws) == 0 {
		return runs(nil, tail)
	}
	a := ws[0]
	if !a.static || !a.single {
		return unwrapResult{}, c.unverifiable(a, prog, "applet is not a static word")
	}
	switch a.s {
	case "--install":
		return unwrapResult{}, c.fail(RuleDeniedProgram, a, prog, "--install creates links for every applet")
	case "--list", "--list-full", "--help", "--version":
		return unwrapResult{}, nil
	}
	if strings.HasPrefix(a.s, "-") {
		return unwrapResult{}, c.unverifiable(a, prog, "unknown option %s", truncate(a.s, 32))
	}
	return runs(ws, tail)
}

// commandBuiltin handles command [-p] [-v|-V] name args.
func (c *checker) commandBuiltin(prog string, ws []word, tail bool) (unwrapResult, error) {
	noRun := false
	i, err := c.parseOptions(prog, ws, &optSpec{flags: "pvV"}, func(opt string, _ word) error {
		if opt != "p" {
			noRun = true
		}
		return nil
	})
	if err != nil || noRun {
		return unwrapResult{}, err
	}
	return unwrapResult{next: true, ws: ws[i:], tail: tail, builtin: true}, nil
}

// eval parses and checks the joined literal arguments.
func (c *checker) eval(prog string, w word, ws []word, sc *scriptCtx) error {
	if len(ws) == 0 {
		return nil
	}
	parts := make([]string, 0, len(ws))
	for _, a := range ws {
		if !a.static {
			return c.unverifiable(a, prog, "eval of a word that is not a literal")
		}
		c.markScript(a)
		parts = append(parts, a.s)
	}
	return c.script(strings.Join(parts, " "), sc.langSet(), ws[0].idx)
}

func (sc *scriptCtx) langSet() langSet {
	if sc == nil {
		return langSh
	}
	return sc.langs
}

// trap checks the action of trap ACTION SIGNAL... as a script.
func (c *checker) trap(prog string, w word, ws []word, sc *scriptCtx) error {
	if len(ws) > 0 && ws[0].static && ws[0].s == "--" {
		ws = ws[1:]
	}
	if len(ws) < 2 {
		return nil // print or reset only
	}
	a := ws[0]
	if !a.static {
		return c.unverifiable(a, prog, "trap action is not a literal")
	}
	if a.s == "" || a.s == "-" || isDigits(a.s) || strings.HasPrefix(a.s, "-") {
		return nil
	}
	c.markScript(a)
	return c.script(a.s, sc.langSet(), a.idx)
}

// source judges the file of . FILE or source FILE as a program.
func (c *checker) source(prog string, ws []word) error {
	if len(ws) == 0 {
		return nil
	}
	f := ws[0]
	if !f.static {
		return c.unverifiable(f, prog, "sourced file is not a static word")
	}
	return c.scriptFile(prog, f, false)
}

// hash judges the path of hash -p PATH NAME, which makes NAME run PATH.
func (c *checker) hash(prog string, ws []word) error {
	for i := 0; i < len(ws); i++ {
		a := ws[i]
		if !a.static {
			return c.unverifiable(a, prog, "hash argument is not a static word")
		}
		if !strings.HasPrefix(a.s, "-") || !strings.ContainsRune(a.s, 'p') {
			continue
		}
		var p word
		if k := strings.IndexByte(a.s, 'p'); k < len(a.s)-1 {
			p = word{s: a.s[k+1:], static: true, single: true, idx: a.idx}
		} else if i+1 < len(ws) {
			p = ws[i+1]
			i++
		} else {
			return nil
		}
		if !p.static {
			return c.unverifiable(p, prog, "hash -p path is not a static word")
		}
		if err := c.judge(baseName(p.s), p, false); err != nil {
			return err
		}
	}
	return nil
}

// isShellBuiltin lists the builtins of POSIX sh, bash, dash and busybox ash
// that run no program by themselves; in allow-list mode they need not be
// listed when a script calls them directly.
func isShellBuiltin(name string) bool {
	switch name {
	case ":", ".", "[", "[[", "alias", "bg", "break", "builtin", "cd", "command", "continue",
		"declare", "dirs", "disown", "echo", "eval", "exec", "exit", "export", "false",
		"fg", "getopts", "hash", "jobs", "kill", "let", "local", "mapfile", "popd",
		"printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set",
		"shift", "shopt", "source", "test", "times", "trap", "true", "type", "typeset",
		"ulimit", "umask", "unalias", "unset", "wait":
		return true
	}
	return false
}
