package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/safedocker/safedocker/internal/engine"
)

// maxStatsBytes bounds the JSON of one stats sample.
const maxStatsBytes = 1 << 20

// ListContainers implements engine.Containers.
func (e *Engine) ListContainers(ctx context.Context, opts engine.ListOptions) ([]engine.ContainerSummary, error) {
	args := filters.NewArgs()
	for k, vs := range opts.Filters {
		for _, v := range vs {
			args.Add(k, v)
		}
	}
	// The API's "limit" selects the n most recently created containers in
	// every state, even without "all": it is sent only with All, and a list of
	// running containers is cut here instead.
	lo := container.ListOptions{All: opts.All, Filters: args}
	if opts.All {
		lo.Limit = opts.Limit
	}
	list, err := e.cli.ContainerList(ctx, lo)
	if err != nil {
		return nil, mapErr("container list", err)
	}
	if opts.Limit > 0 && len(list) > opts.Limit {
		list = list[:opts.Limit]
	}
	out := make([]engine.ContainerSummary, 0, len(list))
	for _, c := range list {
		out = append(out, engine.ContainerSummary{
			ID: c.ID, Names: c.Names, Image: c.Image, ImageID: c.ImageID, Command: c.Command,
			Created: time.Unix(c.Created, 0).UTC(), State: string(c.State), Status: c.Status, Labels: c.Labels,
		})
	}
	return out, nil
}

// InspectContainer implements engine.Containers.
func (e *Engine) InspectContainer(ctx context.Context, id string) (engine.ContainerInfo, error) {
	resp, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return engine.ContainerInfo{}, mapErr("container inspect", err)
	}
	return infoFromInspect(resp), nil
}

// StartContainer implements engine.Containers.
func (e *Engine) StartContainer(ctx context.Context, id string) error {
	return mapErr("container start", e.cli.ContainerStart(ctx, id, container.StartOptions{}))
}

func stopOptions(o engine.StopOptions) container.StopOptions {
	so := container.StopOptions{Signal: o.Signal}
	if o.Timeout != nil {
		secs := int(o.Timeout.Seconds())
		so.Timeout = &secs
	}
	return so
}

// StopContainer implements engine.Containers.
func (e *Engine) StopContainer(ctx context.Context, id string, opts engine.StopOptions) error {
	return mapErr("container stop", e.cli.ContainerStop(ctx, id, stopOptions(opts)))
}

// RestartContainer implements engine.Containers.
func (e *Engine) RestartContainer(ctx context.Context, id string, opts engine.StopOptions) error {
	return mapErr("container restart", e.cli.ContainerRestart(ctx, id, stopOptions(opts)))
}

// KillContainer implements engine.Containers.
func (e *Engine) KillContainer(ctx context.Context, id, signal string) error {
	return mapErr("container kill", e.cli.ContainerKill(ctx, id, signal))
}

// RemoveContainer implements engine.Containers.
func (e *Engine) RemoveContainer(ctx context.Context, id string, opts engine.RemoveOptions) error {
	return mapErr("container remove", e.cli.ContainerRemove(ctx, id, container.RemoveOptions{
		Force: opts.Force, RemoveVolumes: opts.RemoveVolumes,
	}))
}

// WaitContainer implements engine.Containers.
func (e *Engine) WaitContainer(ctx context.Context, id string, cond engine.WaitCondition) (engine.WaitResult, error) {
	switch cond {
	case engine.WaitNotRunning, engine.WaitNextExit, engine.WaitRemoved:
	default:
		return engine.WaitResult{}, fmt.Errorf("%w: docker: container wait: unknown condition %q", engine.ErrRejected, cond)
	}
	respC, errC := e.cli.ContainerWait(ctx, id, container.WaitCondition(cond))
	select {
	case r := <-respC:
		res := engine.WaitResult{StatusCode: r.StatusCode}
		if r.Error != nil {
			res.Error = boundMessage(r.Error.Message)
		}
		return res, nil
	case err := <-errC:
		return engine.WaitResult{}, mapErr("container wait", err)
	case <-ctx.Done():
		return engine.WaitResult{}, mapErr("container wait", ctx.Err())
	}
}

// ContainerStats implements engine.Containers.
func (e *Engine) ContainerStats(ctx context.Context, id string) (engine.Stats, error) {
	resp, err := e.cli.ContainerStatsOneShot(ctx, id)
	if err != nil {
		return engine.Stats{}, mapErr("container stats", err)
	}
	defer resp.Body.Close()
	var s container.StatsResponse
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxStatsBytes))
	if err := dec.Decode(&s); err != nil {
		return engine.Stats{}, fmt.Errorf("%w: docker: container stats: decoding: %w", engine.ErrDaemon, err)
	}
	out := engine.Stats{
		Read:        s.Read,
		MemoryUsage: s.MemoryStats.Usage,
		MemoryLimit: s.MemoryStats.Limit,
		Pids:        s.PidsStats.Current,
	}
	// Same formula as docker stats: container CPU delta over system CPU delta,
	// scaled by the online CPUs.
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	online := float64(s.CPUStats.OnlineCPUs)
	if online == 0 {
		online = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpuDelta > 0 && sysDelta > 0 {
		out.CPUPercent = cpuDelta / sysDelta * online * 100
	}
	for _, n := range s.Networks {
		out.NetworkRx += n.RxBytes
		out.NetworkTx += n.TxBytes
	}
	for _, b := range s.BlkioStats.IoServiceBytesRecursive {
		switch b.Op {
		case "read", "Read":
			out.BlockRead += b.Value
		case "write", "Write":
			out.BlockWrite += b.Value
		}
	}
	return out, nil
}

// ContainerLogs implements engine.Containers. It reads the log stream until it
// ends, opts.MaxBytes is reached (Truncated) or ctx ends; a follow ended by
// ctx's deadline returns what was read with DeadlineReached set.
func (e *Engine) ContainerLogs(ctx context.Context, id string, opts engine.LogsOptions) (engine.Logs, error) {
	if opts.MaxBytes <= 0 {
		return engine.Logs{}, fmt.Errorf("%w: docker: container logs: no byte bound", engine.ErrRejected)
	}
	// The TTY setting decides the stream format: raw for a TTY, multiplexed
	// otherwise.
	info, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return engine.Logs{}, mapErr("container logs", err)
	}
	tty := info.Config != nil && info.Config.Tty
	lo := container.LogsOptions{
		ShowStdout: opts.Stdout, ShowStderr: opts.Stderr, Timestamps: opts.Timestamps, Follow: opts.Follow,
		Tail: "all",
	}
	if opts.Tail >= 0 {
		lo.Tail = strconv.Itoa(opts.Tail)
	}
	if !opts.Since.IsZero() {
		lo.Since = strconv.FormatInt(opts.Since.Unix(), 10)
	}
	if !opts.Until.IsZero() {
		lo.Until = strconv.FormatInt(opts.Until.Unix(), 10)
	}
	rc, err := e.cli.ContainerLogs(ctx, id, lo)
	if err != nil {
		return engine.Logs{}, mapErr("container logs", err)
	}
	defer rc.Close()
	w := &logSink{remaining: opts.MaxBytes}
	stdout, stderr := w.writer(0), w.writer(1)
	if tty {
		_, err = io.Copy(stdout, rc)
	} else {
		err = demux(rc, stdout, stderr, io.Discard)
	}
	out := engine.Logs{Stdout: w.buf[0], Stderr: w.buf[1], Truncated: w.full}
	switch {
	case err == nil:
	case errors.Is(err, errSinkFull):
		// Bound reached: stop reading (closing the body ends the stream).
	case opts.Follow && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		out.DeadlineReached = true
	default:
		if ctx.Err() != nil {
			return out, mapErr("container logs", ctx.Err())
		}
		return out, mapErr("container logs", err)
	}
	return out, nil
}

// errSinkFull stops a copy once the byte bound is reached.
var errSinkFull = errors.New("docker: log bound reached")

// logSink keeps up to remaining bytes across stdout and stderr.
type logSink struct {
	buf       [2][]byte
	remaining int64
	full      bool
}

type sinkWriter struct {
	s *logSink
	i int
}

func (s *logSink) writer(i int) io.Writer { return sinkWriter{s, i} }

func (w sinkWriter) Write(p []byte) (int, error) {
	s := w.s
	if int64(len(p)) > s.remaining {
		s.buf[w.i] = append(s.buf[w.i], p[:s.remaining]...)
		s.remaining = 0
		s.full = true
		return 0, errSinkFull
	}
	s.buf[w.i] = append(s.buf[w.i], p...)
	s.remaining -= int64(len(p))
	return len(p), nil
}
