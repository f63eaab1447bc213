package validate

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalid is matched (with [errors.Is]) by every error this package returns
// for input that is malformed, out of bounds or of an unknown kind: an
// unparsable image reference, a bad name, a port out of range, a command with a
// control character, too many arguments, a script that does not parse. It is not
// returned for well-formed input that a rule denies; see [ErrCommandDenied].
var ErrInvalid = errors.New("validate: invalid input")

// ErrCommandDenied is matched (with [errors.Is]) by a [*CommandError] for a
// well-formed command that the validator refuses: a denied program, a program
// outside the allow-list, a command it cannot verify (a program name that is not
// a static word, a shell reading its script from stdin), or a script that loads
// code from the environment. It is not returned for malformed input; see
// [ErrInvalid].
var ErrCommandDenied = errors.New("validate: command denied")

// Error reports an input value that failed to parse. It matches [ErrInvalid].
//
// Value never holds a secret: for environment variables it is the key, never the
// value, and long values are truncated.
type Error struct {
	// Field names the input, for example "image", "container name", "env" or
	// "filters[status]".
	Field string
	// Value is the offending value, truncated to 128 bytes; for secrets it is
	// redacted.
	Value string
	// Reason says what is wrong, in a short stable phrase.
	Reason string
}

// Error formats the error on one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("validate: ")
	b.WriteString(e.Field)
	if e.Value != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(e.Value))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is [ErrInvalid].
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// newError builds an *Error, truncating the value.
func newError(field, value, reason string) *Error {
	return &Error{Field: field, Value: truncate(value, 128), Reason: reason}
}

// truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// The command rule IDs carried by [CommandError.Rule]. They are stable: a
// caller may match on them. Rules marked (denied) match [ErrCommandDenied]; the
// others match [ErrInvalid].
const (
	// RuleEmptyArgv: the argv or healthcheck command has no elements. (invalid)
	RuleEmptyArgv = "empty-argv"
	// RuleEmptyProgram: the program name is the empty string. (invalid)
	RuleEmptyProgram = "empty-program"
	// RuleControlCharacter: an element holds NUL or another control character
	// (C0, DEL, C1, bidirectional override); a newline or tab is allowed only
	// inside a shell script. (invalid)
	RuleControlCharacter = "control-character"
	// RuleInvalidEncoding: an element is not valid UTF-8. (invalid)
	RuleInvalidEncoding = "invalid-encoding"
	// RuleTooManyArgs: more elements than the MaxArgs limit. (invalid)
	RuleTooManyArgs = "too-many-args"
	// RuleTooLarge: the elements together exceed the MaxTotalBytes limit. (invalid)
	RuleTooLarge = "too-large"
	// RuleScriptTooLarge: a script exceeds the MaxScriptBytes limit. (invalid)
	RuleScriptTooLarge = "script-too-large"
	// RuleScriptParse: a shell script does not parse. (invalid)
	RuleScriptParse = "script-parse"
	// RuleNestingTooDeep: shells, eval and wrappers nest deeper than the
	// MaxNesting limit. (invalid)
	RuleNestingTooDeep = "nesting-too-deep"
	// RuleHealthcheckType: a healthcheck test whose first element is not CMD,
	// CMD-SHELL or NONE, or is malformed. (invalid)
	RuleHealthcheckType = "healthcheck-type"
	// RuleDeniedProgram: the program is on the deny-list. (denied)
	RuleDeniedProgram = "denied-program"
	// RuleProgramNotAllowed: allow-list mode is on and the program is not on it.
	// (denied)
	RuleProgramNotAllowed = "program-not-allowed"
	// RuleUnverifiableCommand: the program that would run cannot be determined
	// statically (a name built from variables, globs or command substitution; an
	// unknown wrapper option; an interpreter whose script cannot be parsed; eval
	// of a non-literal; a placeholder filled at run time). (denied)
	RuleUnverifiableCommand = "unverifiable-command"
	// RuleShellStdin: a shell would read its script from standard input (no -c
	// and no script file, -s, or "-"), so the script cannot be verified.
	// (denied)
	RuleShellStdin = "shell-stdin"
	// RuleEmbeddedSubstitution: a literal string in a shell script holds
	// command-substitution syntax that the shell may evaluate later (bash
	// arithmetic on variables, indirect expansion, PS4), so the commands in it
	// cannot be verified. (denied)
	RuleEmbeddedSubstitution = "embedded-substitution"
	// RuleEnvironmentCode: an environment assignment that makes a program load
	// code (LD_PRELOAD, LD_AUDIT, BASH_ENV, ENV, BASH_FUNC_*, a "() {"
	// function value). (denied)
	RuleEnvironmentCode = "environment-code"
)

// CommandError reports a command that the [CommandValidator] rejects. It
// matches [ErrCommandDenied] for the denied rules and [ErrInvalid] for the
// others (see the Rule* constants).
//
// It never carries environment values or script text, only the program's base
// name, the rule and a short reason.
type CommandError struct {
	// Rule is the stable rule ID, one of the Rule* constants.
	Rule string
	// Program is the base name of the program judged ("nsenter"); it is empty
	// when the fault is not tied to a program, and truncated to 64 bytes.
	Program string
	// Index is the index of the argv element at fault (for ValidateHealthcheck,
	// the index in the test slice); a fault inside a shell script is reported at
	// the index of the element holding the script. It is -1 when not applicable.
	Index int
	// Reason says what is wrong.
	Reason string
}

// Error formats the error on one line.
func (e *CommandError) Error() string {
	var b strings.Builder
	b.WriteString("validate: command")
	if e.Index >= 0 {
		b.WriteString(" argv[")
		b.WriteString(strconv.Itoa(e.Index))
		b.WriteByte(']')
	}
	if e.Program != "" {
		b.WriteString(" program ")
		b.WriteString(strconv.Quote(e.Program))
	}
	b.WriteString(": ")
	b.WriteString(e.Rule)
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// ArgIndex returns Index: the argv element at fault, or -1.
func (e *CommandError) ArgIndex() int { return e.Index }

// Is reports whether target is [ErrCommandDenied] (for the denied rules) or
// [ErrInvalid] (for the others).
func (e *CommandError) Is(target error) bool {
	switch target {
	case ErrCommandDenied:
		return ruleDenies(e.Rule)
	case ErrInvalid:
		return !ruleDenies(e.Rule)
	}
	return false
}

func ruleDenies(rule string) bool {
	switch rule {
	case RuleDeniedProgram, RuleProgramNotAllowed, RuleUnverifiableCommand,
		RuleShellStdin, RuleEmbeddedSubstitution, RuleEnvironmentCode:
		return true
	}
	return false
}
