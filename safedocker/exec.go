package safedocker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// Executor runs commands in running containers (CapExec).
type Executor interface {
	Exec(ctx context.Context, container string, opts ExecOptions, callOpts ...CallOption) (ExecResult, error)
}

var _ Executor = (*Client)(nil)

// Exec limits on the command, independent of the policy's command validator.
const (
	// MaxExecArgs is the most arguments an exec command may have.
	MaxExecArgs = 4096
	// MaxExecCommandBytes bounds the total size of an exec command.
	MaxExecCommandBytes = 64 << 10
	// MaxExecEnv is the most environment variables an exec may set.
	MaxExecEnv = 256
)

// ExecOptions describes a command to run in a container. The exec never runs
// privileged, never gets a TTY and never gets stdin: there is no option for
// them.
type ExecOptions struct {
	// Cmd is the exec-form command; Cmd[0] is the program. Required. The
	// policy's command validator judges it.
	Cmd []string
	// User is "", "name", "uid", "uid:gid" or "name:group"; "" runs as the
	// container's user. The policy judges it.
	User string
	// WorkingDir is an absolute path; "" keeps the container's. The policy
	// judges it.
	WorkingDir string
	// Env is extra environment: POSIX keys ([A-Za-z_][A-Za-z0-9_]*), values
	// valid UTF-8 without NUL (validate.NewEnvVar). Values are passed to the
	// daemon only, never logged or reported (findings name keys).
	Env map[string]string
	// MaxOutputBytes bounds the bytes kept of each of stdout and stderr; 0
	// means the client's OutputBounds.ExecOutput, and a larger value is an
	// error.
	MaxOutputBytes int64
}

// ExecResult is the outcome of an exec.
type ExecResult struct {
	// ExitCode is the command's exit code; -1 when it had not ended.
	ExitCode int
	// Running is true when the command had not ended when the result was taken
	// (it closed its output but kept running).
	Running bool
	// Stdout and Stderr hold at most the output bound of each stream.
	Stdout []byte
	Stderr []byte
	// StdoutBytes and StderrBytes count every byte each stream carried.
	StdoutBytes int64
	StderrBytes int64
	// StdoutTruncated and StderrTruncated are true when a stream carried more
	// than its bound.
	StdoutTruncated bool
	StderrTruncated bool
}

// Exec runs opts.Cmd in the running container and returns its bounded output
// and exit code. The policy evaluator judges the exec ((*policy.Evaluator).Exec:
// never privileged, the command validator, the user, the working directory).
// Output beyond the bound is read and discarded until the command ends, so the
// exit code is still returned; the write deadline (Deadlines.Write) or ctx
// bounds the whole exec, and when it ends first the partial output is
// returned with an error matching ErrTimeout (or ErrCanceled); the process
// itself keeps running in the container, as the Engine API offers no way to
// kill an exec (stop the container to end it). callOpts may
// tighten the policy for this call (see Tighten), never loosen it. Safety
// class: write. Capability: CapExec.
func (c *Client) Exec(ctx context.Context, container string, opts ExecOptions, callOpts ...CallOption) (ExecResult, error) {
	var out ExecResult
	var limit int64
	var ev *policy.Evaluator
	model := &policy.Exec{
		Container:  container,
		Cmd:        slices.Clone(opts.Cmd),
		User:       opts.User,
		WorkingDir: opts.WorkingDir,
	}
	keys := slices.Sorted(maps.Keys(opts.Env))
	for _, k := range keys {
		model.Env = append(model.Env, policy.EnvVar{Key: k, Value: opts.Env[k], HasValue: true})
	}
	validate := func() error {
		var err error
		if ev, err = c.callEvaluator(callOpts); err != nil {
			return err
		}
		if limit, err = resolveLimit("MaxOutputBytes", opts.MaxOutputBytes, c.bounds.ExecOutput); err != nil {
			return err
		}
		if err := checkObjectRef("container", container); err != nil {
			return err
		}
		if err := checkExecCmd(opts.Cmd); err != nil {
			return err
		}
		if err := checkArgText("User", opts.User, maxObjectName); err != nil {
			return err
		}
		if opts.WorkingDir != "" && !strings.HasPrefix(opts.WorkingDir, "/") {
			return argError("WorkingDir", "must be an absolute path")
		}
		if err := checkArgText("WorkingDir", opts.WorkingDir, 4096); err != nil {
			return err
		}
		return checkExecEnv(keys, opts.Env)
	}
	judge := func() verdict { return opsDecisionVerdict(ev.Exec(model)) }
	err := c.run(ctx, operation{name: "exec", cap: CapExec, target: container}, validate, judge,
		func(ctx context.Context) error {
			env := make([]string, 0, len(model.Env))
			for _, e := range model.Env {
				env = append(env, e.Key+"="+e.Value)
			}
			id, err := c.eng.ExecCreate(ctx, engine.ExecConfig{
				Container: container, Cmd: model.Cmd, User: model.User, WorkingDir: model.WorkingDir, Env: env,
			})
			if err != nil {
				return err
			}
			res, err := c.eng.ExecStart(ctx, id, engine.OutputLimits{Stdout: limit, Stderr: limit})
			out = ExecResult{
				ExitCode: res.ExitCode, Running: res.Running,
				Stdout: res.Stdout.Data, Stderr: res.Stderr.Data,
				StdoutBytes: res.Stdout.Total, StderrBytes: res.Stderr.Total,
				StdoutTruncated: res.Stdout.Truncated, StderrTruncated: res.Stderr.Truncated,
			}
			return err
		})
	return out, err
}

func checkExecCmd(cmd []string) error {
	if len(cmd) == 0 || cmd[0] == "" {
		return argError("Cmd", "a command is required (Cmd[0] is the program)")
	}
	if len(cmd) > MaxExecArgs {
		return argError("Cmd", "more than %d arguments", MaxExecArgs)
	}
	total := 0
	for i, a := range cmd {
		total += len(a)
		if strings.IndexByte(a, 0) >= 0 {
			return argError(fmt.Sprintf("Cmd[%d]", i), "contains a NUL byte")
		}
	}
	if total > MaxExecCommandBytes {
		return argError("Cmd", "longer than %d bytes", MaxExecCommandBytes)
	}
	return nil
}

// checkExecEnv validates the environment with validate.NewEnvVar (POSIX keys;
// values valid UTF-8 without NUL, bounded); values are never echoed.
func checkExecEnv(keys []string, env map[string]string) error {
	if len(env) > MaxExecEnv {
		return argError("Env", "more than %d variables", MaxExecEnv)
	}
	for _, k := range keys {
		if _, err := validate.NewEnvVar(k, env[k]); err != nil {
			return validateError("Env", err)
		}
	}
	return nil
}
