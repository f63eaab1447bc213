// Package validate parses untrusted input into typed values and judges the
// commands a container, healthcheck or exec would run.
//
// Nothing here sanitises: every function either returns a typed value built
// from the input or an error. Errors are [*Error] (input types) or
// [*CommandError] (commands); both match [ErrInvalid] with [errors.Is], and
// commands refused by a rule match [ErrCommandDenied] instead. No error
// carries an environment value or script text.
//
// # Commands
//
// A [CommandValidator] judges exec-form commands ([CommandValidator.ValidateArgv]),
// scripts for /bin/sh -c ([CommandValidator.ValidateScript]) and
// Healthcheck.Test values ([CommandValidator.ValidateHealthcheck]). It finds
// every program the command would run and judges each by its base name
// ("/usr/bin/nsenter" is "nsenter"), exactly and case-sensitively, as Linux
// does. Each refusal names a stable rule (the Rule* constants), the argv index
// and the program.
//
// Structure. An empty argv, an empty program name, more than MaxArgs elements
// (default 1024), more than MaxTotalBytes in all (default 128 KiB), invalid
// UTF-8, NUL and other control characters (C0, DEL, C1, bidirectional
// overrides) are refused. A newline or tab is allowed only inside a shell
// script.
//
// Deny-list. By default [DefaultDenyList] is denied: nsenter, unshare,
// chroot, pivot_root, switch_root, mount, umount, insmod, rmmod, modprobe,
// kmod, kexec, debugfs, capsh, setcap, docker, dockerd, docker-compose,
// containerd, ctr, crictl, runc, crun, runsc, youki, nerdctl, podman, buildah,
// buildctl, kubectl. [DenyPrograms] extends it, [ReplaceDenyList] replaces it.
// [AllowOnly] switches to allow-list mode: only the named programs may run,
// including every wrapper and shell and every command inside scripts (shell
// builtins such as echo, cd, test, read need not be listed when a script calls
// them directly); the deny-list still applies on top.
//
// Wrappers. Programs that run their arguments as a command are unwrapped
// with their real option syntax (short clusters, attached and separate
// arguments, long options and unique prefixes, "--"), and the command they
// run is judged in turn: env (assignments, -i, -u, -C, -S STRING, whose words
// are spliced back), timeout, nice, nohup, setsid, stdbuf, chrt, taskset,
// ionice, setpriv, time, xargs, exec, command, builtin, sudo, su -c, runuser,
// doas, the container init and user switchers tini, dumb-init, gosu, su-exec,
// s6-setuidgid and chpst, flock (also -c SCRIPT), watch (whose words run as
// an sh -c script, or directly with -x), busybox and toybox applets, and the
// commands of find -exec, -execdir, -ok and -okdir. An unknown option of a wrapper, or a word that is not static
// where a wrapper's options are, makes the command unverifiable. Under xargs
// the command receives more arguments at run time, so a wrapper or shell whose
// command would come from them is unverifiable; a word holding the xargs -I
// or find "{}" placeholder is filled in at run time and may not be a program
// or a script. "busybox --install" is denied. Wrapper modes that run nothing
// (chrt -p, taskset -p, ionice -p, command -v, sudo -l) pass.
//
// Shells. sh, bash, rbash, dash, ash, hush, posh, yash, zsh, ksh, mksh (and
// their busybox applets, with any path) are recognised. With -c (also in
// groups such as -ec, and after -o OPTION, --norc and the like) the script is
// parsed with mvdan.cc/sh/v3/syntax in the shell's dialect; a script for sh,
// which may be dash, busybox ash or bash, is read as bash and, where the
// readings differ (an arithmetic command: ((x)) is two subshells in dash),
// also as POSIX sh. A script that does not parse is refused (RuleScriptParse),
// as is one over MaxScriptBytes (default 64 KiB). A script file operand is
// judged as a program by its base name. A shell reading its script from
// standard input (no -c and no file, -s, "-", a file under /dev or /proc such
// as /dev/stdin, su without -c, sudo -i, doas -s)
// is refused with [RuleShellStdin], which stops "echo ... | base64 -d | sh";
// [AllowStdinShell] permits it for interactive sessions. Shells whose
// language cannot be parsed here (fish, csh, tcsh, rc, es, nu, elvish, xonsh,
// pwsh) are unverifiable with any argument.
//
// Scripts. Every simple command in a script is judged like an argv, with the
// same wrappers: in pipelines, lists, subshells, brace groups, if/while/for/
// case bodies, functions, command and process substitution anywhere
// (arguments, assignments, redirections, parameter defaults, arithmetic,
// here-documents), coproc and time. A command name must be a static word:
// quotes, backslashes and $'...' are resolved ("ns'en'ter" is nsenter), but a
// name holding a parameter, a substitution, a glob, a brace or tilde
// expansion, $"..." or zsh's =cmd is unverifiable. Words that are only
// arguments or strings pass ("echo nsenter", "grep mount /etc/fstab"). eval
// and trap actions of literal words are parsed and checked as scripts; eval
// of anything else is unverifiable. Nested shells, eval, trap and su -c nest
// at most MaxNesting levels (default 4), as do find -exec and xargs. ". FILE",
// "source FILE" and "hash -p PATH NAME" judge the file as a program. alias
// definitions and "enable -f" are unverifiable.
//
// Code from data. A literal string that holds command-substitution syntax
// ($(, a backquote, ${ cmd;}) in a script for bash, ksh, zsh or sh is refused
// with [RuleEmbeddedSubstitution]: bash evaluates such text later through
// arithmetic on variables, indirect expansion or PS4. Assignments that load
// code (LD_PRELOAD, LD_AUDIT, BASH_ENV, ENV, BASH_FUNC_*, a "() {" value, a
// prompt holding a substitution), made in a script, through env or through
// sudo, are refused with [RuleEnvironmentCode]; [EnvVar.LoadsCode] and
// [EnvLoadsCode] apply the same test to Config.Env entries (the policy's
// codeLoadingEnv check uses it).
//
// Limits of the model. The validator judges names, not binaries: a program
// copied or linked under another name, a script file written at run time, a
// PATH change, data read at run time that bash evaluates (arithmetic on a
// variable read from a file or the environment), or an interpreter's own code
// (python -c, perl -e, awk system()) is invisible to it. In deny-list mode these remain possible; use
// [AllowOnly] for a closed set of programs, and keep interpreters off it.
//
// # Input types
//
// Each parser returns a typed value or an [*Error]{Field, Value, Reason}:
//   - [ParseImageRef]: a normalised [ImageRef] ("nginx:1" is
//     "docker.io/library/nginx:1"), built on github.com/distribution/reference;
//     a tag or digest is required unless [DefaultTagLatest];
//     [RequireDigest] pins images. [NewImageAllowList] admits repositories,
//     path prefixes or whole registries.
//   - [ParseContainerName], [ParseVolumeName], [ParseNetworkName]: Docker's
//     name grammar [a-zA-Z0-9][a-zA-Z0-9_.-]+, at most [MaxNameLength] bytes.
//   - [ParseLabelKey], [ParseLabels]: keys of [a-zA-Z0-9._/-], Docker's own
//     prefixes reserved by default.
//   - [ParseEnvVar], [NewEnvVar], [ParseEnv]: an [EnvVar] whose String,
//     GoString, Format and LogValue print only the key.
//   - [ParsePortSpec]: a [PortSpec] with [netip.Addr] and uint16 ports.
//   - [ParseDuration], [ParseByteSize]: bounded.
//   - [ParseFilters]: an allow-list of filter keys and value syntax per
//     [ObjectKind], giving [Filters].
//
// # Concurrency
//
// Every function is safe for concurrent use. A [CommandValidator] and an
// [ImageAllowList] are immutable after construction; the typed values are
// immutable.
package validate
