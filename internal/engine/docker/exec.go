package docker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"

	"github.com/safedocker/safedocker/internal/engine"
)

// execAPI is the part of the Docker client the exec operations use.
type execAPI interface {
	ContainerExecCreate(ctx context.Context, containerID string, options container.ExecOptions) (container.ExecCreateResponse, error)
	ContainerExecAttach(ctx context.Context, execID string, config container.ExecAttachOptions) (types.HijackedResponse, error)
	ContainerExecInspect(ctx context.Context, execID string) (container.ExecInspect, error)
}

// maxSystemStream bounds the daemon's system-error stream kept from an exec.
const maxSystemStream = 1 << 10

// execExitPolls bounds how often the exit code is polled after the output ends
// (the daemon may record it a moment after closing the stream); execExitPoll is
// the interval.
const (
	execExitPolls = 50
	execExitPoll  = 20 * time.Millisecond
)

func execCreate(ctx context.Context, api execAPI, cfg engine.ExecConfig) (string, error) {
	resp, err := api.ContainerExecCreate(ctx, cfg.Container, container.ExecOptions{
		User:         cfg.User,
		Privileged:   false,
		Tty:          false,
		AttachStdin:  false,
		AttachStdout: true,
		AttachStderr: true,
		Env:          cfg.Env,
		WorkingDir:   cfg.WorkingDir,
		Cmd:          cfg.Cmd,
	})
	if err != nil {
		return "", err
	}
	return resp.ID, nil
}

// execStart starts the exec attached and captures its output under the limits.
// The hijacked connection is closed when ctx ends, which unblocks the reader.
func execStart(ctx context.Context, api execAPI, id string, limits engine.OutputLimits) (engine.ExecResult, error) {
	res := engine.ExecResult{ExitCode: -1}
	hj, err := api.ContainerExecAttach(ctx, id, container.ExecAttachOptions{Tty: false})
	if err != nil {
		return res, err
	}
	defer hj.Close()
	stop := context.AfterFunc(ctx, hj.Close)
	defer stop()

	stdout, stderr := newCapture(limits.Stdout), newCapture(limits.Stderr)
	system := newCapture(maxSystemStream)
	derr := demux(hj.Reader, stdout, stderr, system)
	res.Stdout, res.Stderr = stdout.result(), stderr.result()
	if cerr := ctx.Err(); cerr != nil {
		res.Running = true
		return res, cerr
	}
	if derr != nil {
		return res, fmt.Errorf("%w: reading exec output: %w", engine.ErrDaemon, derr)
	}
	if system.total > 0 {
		return res, fmt.Errorf("%w: exec: %s", engine.ErrDaemon, cleanDaemonText(string(system.result().Data)))
	}
	for i := 0; ; i++ {
		ins, err := api.ContainerExecInspect(ctx, id)
		if err != nil {
			return res, err
		}
		if !ins.Running {
			res.ExitCode = ins.ExitCode
			return res, nil
		}
		if i == execExitPolls {
			// The process closed its output but keeps running.
			res.Running = true
			return res, nil
		}
		t := time.NewTimer(execExitPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			res.Running = true
			return res, ctx.Err()
		case <-t.C:
		}
	}
}

// cleanDaemonText keeps printable text of a daemon message, bounded.
func cleanDaemonText(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		if r < 0x20 || r == 0x7f {
			continue
		}
		out = append(out, r)
	}
	if len(out) > maxStreamError {
		out = append(out[:maxStreamError], []rune("...")...)
	}
	return string(out)
}

// ExecCreate implements engine.Exec.
func (e *Engine) ExecCreate(ctx context.Context, cfg engine.ExecConfig) (string, error) {
	id, err := execCreate(ctx, e.cli, cfg)
	return id, mapErr("exec create", err)
}

// ExecStart implements engine.Exec.
func (e *Engine) ExecStart(ctx context.Context, id string, limits engine.OutputLimits) (engine.ExecResult, error) {
	res, err := execStart(ctx, e.cli, id, limits)
	if err != nil && errors.Is(err, engine.ErrDaemon) {
		return res, err // already classified (stream or system error)
	}
	return res, mapErr("exec start", err)
}

var _ engine.Exec = (*Engine)(nil)
