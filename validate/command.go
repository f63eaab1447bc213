package validate

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// The default limits of a [CommandValidator].
const (
	// DefaultMaxArgs is the default maximum number of argv elements (and of
	// healthcheck test elements).
	DefaultMaxArgs = 1024
	// DefaultMaxTotalBytes is the default maximum of the summed byte lengths of
	// all argv elements: 128 KiB.
	DefaultMaxTotalBytes = 128 << 10
	// DefaultMaxScriptBytes is the default maximum size of one shell script:
	// 64 KiB.
	DefaultMaxScriptBytes = 64 << 10
	// DefaultMaxNesting is the default maximum nesting depth of scripts inside
	// scripts (sh -c inside sh -c, eval, trap, su -c) and of commands run by
	// find -exec and xargs.
	DefaultMaxNesting = 4
)

// Upper bounds on the limits an option may set.
const (
	maxMaxArgs       = 1 << 16
	maxMaxTotalBytes = 16 << 20
	maxMaxScript     = 1 << 20
	maxMaxNesting    = 16
	maxUnwrapSteps   = 256
)

// DefaultDenyList returns the programs a [CommandValidator] denies by default:
// host-escape, namespace, mount, kernel-module and container-engine tools. The
// result is a new slice, sorted; callers may modify it.
func DefaultDenyList() []string {
	return []string{
		"buildah", "buildctl", "capsh", "chroot", "containerd", "crictl", "crun",
		"ctr", "debugfs", "docker", "docker-compose", "dockerd", "insmod",
		"kexec", "kmod", "kubectl", "modprobe", "mount", "nerdctl", "nsenter",
		"pivot_root", "podman", "rmmod", "runc", "runsc", "setcap",
		"switch_root", "umount", "unshare", "youki",
	}
}

// CommandOption configures a [CommandValidator]. Options record intent only;
// [NewCommandValidator] checks them together, so their order does not matter.
type CommandOption func(*commandConfig) error

type commandConfig struct {
	maxArgs, maxTotal, maxScript, maxNesting int
	replace                                  []string
	replaced                                 bool
	extra                                    []string
	allow                                    []string
	allowSet                                 bool
	allowStdin                               bool
}

// MaxArgs limits the number of argv elements. The default is
// [DefaultMaxArgs]; n must be between 1 and 65536.
func MaxArgs(n int) CommandOption {
	return func(c *commandConfig) error {
		if n < 1 || n > maxMaxArgs {
			return newError("MaxArgs", fmt.Sprint(n), "must be between 1 and 65536")
		}
		c.maxArgs = n
		return nil
	}
}

// MaxTotalBytes limits the summed byte length of all argv elements. The
// default is [DefaultMaxTotalBytes]; n must be between 1 and 16 MiB.
func MaxTotalBytes(n int) CommandOption {
	return func(c *commandConfig) error {
		if n < 1 || n > maxMaxTotalBytes {
			return newError("MaxTotalBytes", fmt.Sprint(n), "must be between 1 and 16 MiB")
		}
		c.maxTotal = n
		return nil
	}
}

// MaxScriptBytes limits the size of one shell script. The default is
// [DefaultMaxScriptBytes]; n must be between 1 and 1 MiB.
func MaxScriptBytes(n int) CommandOption {
	return func(c *commandConfig) error {
		if n < 1 || n > maxMaxScript {
			return newError("MaxScriptBytes", fmt.Sprint(n), "must be between 1 and 1 MiB")
		}
		c.maxScript = n
		return nil
	}
}

// MaxNesting limits how deeply scripts nest inside scripts (sh -c in sh -c,
// eval, trap, su -c) and commands inside find -exec or xargs. The default is
// [DefaultMaxNesting]; n must be between 1 and 16.
func MaxNesting(n int) CommandOption {
	return func(c *commandConfig) error {
		if n < 1 || n > maxMaxNesting {
			return newError("MaxNesting", fmt.Sprint(n), "must be between 1 and 16")
		}
		c.maxNesting = n
		return nil
	}
}

// DenyPrograms adds program base names to the deny-list (the default list,
// or the one given to [ReplaceDenyList]). Names are matched exactly and
// case-sensitively, as Linux does.
func DenyPrograms(names ...string) CommandOption {
	return func(c *commandConfig) error {
		c.extra = append(c.extra, names...)
		return nil
	}
}

// ReplaceDenyList replaces the default deny-list ([DefaultDenyList]) with
// names; [DenyPrograms] still adds to it. ReplaceDenyList() with no names
// leaves no deny-list, which is only sensible together with [AllowOnly]. It may
// be given once.
func ReplaceDenyList(names ...string) CommandOption {
	return func(c *commandConfig) error {
		if c.replaced {
			return newError("ReplaceDenyList", "", "given more than once")
		}
		c.replaced = true
		c.replace = append([]string(nil), names...)
		return nil
	}
}

// AllowOnly switches to allow-list mode: only the named programs (base names)
// may run, at the top level, behind every wrapper and inside every script. The
// deny-list still applies on top. Inside scripts the shell's own builtins
// (echo, cd, test, read, ...) need not be listed; wrappers and shells must be.
// It may be given once, with at least one name.
func AllowOnly(names ...string) CommandOption {
	return func(c *commandConfig) error {
		if c.allowSet {
			return newError("AllowOnly", "", "given more than once")
		}
		if len(names) == 0 {
			return newError("AllowOnly", "", "needs at least one program")
		}
		c.allowSet = true
		c.allow = append([]string(nil), names...)
		return nil
	}
}

// AllowStdinShell accepts a shell that reads its script from standard input
// (sh with no -c and no script file, sh -s, bash -, su without -c). Use it
// only where a person types the commands, such as an interactive exec
// session; by default such a shell is rejected with [RuleShellStdin] because
// its commands cannot be verified. It applies to the top-level command only
// (after unwrapping wrappers): a shell reading standard input inside a script,
// such as `echo ... | base64 -d | sh`, is always rejected.
func AllowStdinShell() CommandOption {
	return func(c *commandConfig) error {
		c.allowStdin = true
		return nil
	}
}

// CommandValidator judges the programs a command would run. Build it with
// [NewCommandValidator]. It is immutable after construction and safe for
// concurrent use; the zero value is not usable.
//
// See the package documentation for the rules.
type CommandValidator struct {
	deny       map[string]struct{}
	allow      map[string]struct{} // nil: deny-list mode
	maxArgs    int
	maxTotal   int
	maxScript  int
	maxNesting int
	allowStdin bool
	// parsers caches shell parsers per dialect; each pool is safe for
	// concurrent use and holds no state between parses.
	parsers [5]sync.Pool
}

// NewCommandValidator builds a validator. With no options it denies the
// programs in [DefaultDenyList] and applies the default limits
// ([DefaultMaxArgs], [DefaultMaxTotalBytes], [DefaultMaxScriptBytes],
// [DefaultMaxNesting]). It returns an error matching [ErrInvalid] for a bad
// option: a limit out of range, an exclusive option given twice, or a program
// name that is empty, contains '/' or a control character.
func NewCommandValidator(opts ...CommandOption) (*CommandValidator, error) {
	var cfg commandConfig
	for _, o := range opts {
		if o == nil {
			return nil, newError("CommandOption", "", "nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	v := &CommandValidator{
		maxArgs:    orDefault(cfg.maxArgs, DefaultMaxArgs),
		maxTotal:   orDefault(cfg.maxTotal, DefaultMaxTotalBytes),
		maxScript:  orDefault(cfg.maxScript, DefaultMaxScriptBytes),
		maxNesting: orDefault(cfg.maxNesting, DefaultMaxNesting),
		allowStdin: cfg.allowStdin,
	}
	deny := DefaultDenyList()
	if cfg.replaced {
		deny = cfg.replace
	}
	var err error
	if v.deny, err = programSet("DenyPrograms", append(deny, cfg.extra...)); err != nil {
		return nil, err
	}
	if cfg.allowSet {
		if v.allow, err = programSet("AllowOnly", cfg.allow); err != nil {
			return nil, err
		}
	}
	for i := range v.parsers {
		lang := dialects[i]
		v.parsers[i].New = func() any { return syntax.NewParser(syntax.Variant(lang)) }
	}
	return v, nil
}

func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

func programSet(field string, names []string) (map[string]struct{}, error) {
	m := make(map[string]struct{}, len(names))
	for _, n := range names {
		if n == "" || strings.ContainsRune(n, '/') || n == "." || n == ".." {
			return nil, newError(field, n, "must be a program base name")
		}
		if rule, _ := scanText(n, false); rule != "" {
			return nil, newError(field, n, "contains a control character or invalid UTF-8")
		}
		m[n] = struct{}{}
	}
	return m, nil
}

// ValidateArgv judges an exec-form command (argv[0] is the program, as in
// Config.Entrypoint + Config.Cmd or an exec's Cmd). No shell runs an exec-form
// command, so shell characters in plain arguments are data; a shell named in
// argv has its script checked. It returns nil or a [*CommandError].
func (v *CommandValidator) ValidateArgv(argv []string) error {
	return v.validateArgv(argv, 0)
}

func (v *CommandValidator) validateArgv(argv []string, offset int) error {
	if len(argv) == 0 {
		return &CommandError{Rule: RuleEmptyArgv, Index: -1, Reason: "no program given"}
	}
	if len(argv) > v.maxArgs {
		return &CommandError{Rule: RuleTooManyArgs, Index: v.maxArgs + offset,
			Reason: fmt.Sprintf("%d elements, limit %d", len(argv), v.maxArgs)}
	}
	total := 0
	var nl []int // elements holding a newline or tab, allowed only in scripts
	for i, a := range argv {
		total += len(a)
		if total > v.maxTotal {
			return &CommandError{Rule: RuleTooLarge, Index: i + offset,
				Reason: fmt.Sprintf("arguments exceed %d bytes", v.maxTotal)}
		}
		rule, off := scanText(a, true)
		switch {
		case rule == "" && off >= 0:
			nl = append(nl, i)
		case rule != "":
			return &CommandError{Rule: rule, Index: i + offset,
				Reason: fmt.Sprintf("byte offset %d", off)}
		}
	}
	if len(nl) == 0 && argv[0] != "" {
		// Fast path: a program that runs nothing else is judged by name.
		if base := baseName(argv[0]); !isSpecial(base) {
			c := checker{v: v}
			return c.judge(base, word{idx: offset}, false)
		}
	}
	var buf [8]word
	ws := buf[:0]
	if len(argv) > len(buf) {
		ws = make([]word, 0, len(argv))
	}
	for i, a := range argv {
		ws = append(ws, word{s: a, static: true, single: true, idx: i + offset})
	}
	c := checker{v: v}
	if err := c.command(ws, false, nil); err != nil {
		return err
	}
	for _, i := range nl {
		if !slices.Contains(c.scriptArgs, i+offset) {
			return &CommandError{Rule: RuleControlCharacter, Index: i + offset,
				Reason: "newline or tab outside a shell script"}
		}
	}
	return nil
}

// ValidateScript judges a script that /bin/sh -c would run, as for a
// Healthcheck CMD-SHELL. Because /bin/sh may be dash, busybox ash or bash, the
// script must parse both as POSIX sh and as bash, and both readings are
// checked. Errors carry Index -1. It returns nil or a [*CommandError].
//
// In allow-list mode the shell itself ("sh") must be allowed.
func (v *CommandValidator) ValidateScript(script string) error {
	ws := [3]word{
		{s: "/bin/sh", static: true, single: true, idx: -1},
		{s: "-c", static: true, single: true, idx: -1},
		{s: script, static: true, single: true, idx: -1},
	}
	c := checker{v: v}
	return c.command(ws[:], false, nil)
}

// ValidateHealthcheck judges a Healthcheck.Test value: [] (inherit from the
// image) and ["NONE"] pass; ["CMD", argv...] is judged as [ValidateArgv];
// ["CMD-SHELL", script, args...] as [ValidateScript] of script (the extra
// elements are the script's positional parameters). Anything else is rejected
// with [RuleHealthcheckType]. Error indexes refer to the test slice, so an
// error in argv[0] of a CMD test has Index 1.
//
// CMD-SHELL runs the container's Config.Shell when one is set; a caller that
// knows it should judge append(shell, script) with ValidateArgv instead.
func (v *CommandValidator) ValidateHealthcheck(test []string) error {
	if len(test) == 0 {
		return nil
	}
	if len(test) > v.maxArgs+1 {
		return &CommandError{Rule: RuleTooManyArgs, Index: v.maxArgs + 1,
			Reason: fmt.Sprintf("%d elements, limit %d", len(test), v.maxArgs)}
	}
	switch test[0] {
	case "NONE":
		if len(test) != 1 {
			return &CommandError{Rule: RuleHealthcheckType, Index: 1, Reason: "NONE takes no arguments"}
		}
		return nil
	case "CMD":
		if len(test) == 1 {
			return &CommandError{Rule: RuleEmptyArgv, Index: 0, Reason: "CMD without a program"}
		}
		return v.validateArgv(test[1:], 1)
	case "CMD-SHELL":
		if len(test) == 1 {
			return &CommandError{Rule: RuleHealthcheckType, Index: 0, Reason: "CMD-SHELL without a script"}
		}
		ws := make([]word, 0, len(test)+1)
		ws = append(ws, word{s: "/bin/sh", static: true, single: true, idx: 0},
			word{s: "-c", static: true, single: true, idx: 0})
		total := 0
		for i, a := range test[1:] {
			total += len(a)
			if total > v.maxTotal {
				return &CommandError{Rule: RuleTooLarge, Index: i + 1,
					Reason: fmt.Sprintf("arguments exceed %d bytes", v.maxTotal)}
			}
			allowNL := i == 0
			if rule, off := scanText(a, allowNL); rule != "" || (!allowNL && off >= 0) {
				if rule == "" {
					rule = RuleControlCharacter
				}
				return &CommandError{Rule: rule, Index: i + 1, Reason: fmt.Sprintf("byte offset %d", off)}
			}
			ws = append(ws, word{s: a, static: true, single: true, idx: i + 1})
		}
		c := checker{v: v}
		return c.command(ws, false, nil)
	}
	return &CommandError{Rule: RuleHealthcheckType, Index: 0,
		Reason: "test must start with CMD, CMD-SHELL or NONE"}
}

// scanText looks for control characters and invalid UTF-8. It returns the
// rule violated and its byte offset; with rule "" and off >= 0 the text holds
// a newline or tab (at off), which is allowed only when allowNL is true (it is
// then reported, not rejected). With rule "" and off -1 the text is clean.
func scanText(s string, allowNL bool) (rule string, off int) {
	off = -1
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 || b == 0x7f {
				if (b == '\n' || b == '\t') && allowNL {
					if off < 0 {
						off = i
					}
				} else {
					return RuleControlCharacter, i
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return RuleInvalidEncoding, i
		}
		if isControlRune(r) {
			return RuleControlCharacter, i
		}
		i += size
	}
	return "", off
}

// isControlRune reports C1 controls and the bidirectional formatting
// characters that make text read differently from how it runs.
func isControlRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// baseName returns the last path element of a program name, ignoring trailing
// slashes, as execve would resolve it.
func baseName(p string) string {
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 && len(p) > 1 {
		return p[i+1:]
	}
	return p
}
