package safedocker_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

func TestExecLive(t *testing.T) {
	l := newOpsLive(t)
	ctx := opsCtx(t)
	ctr := l.runTiny(t)

	res, err := l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "print", "hello", "exec"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "hello exec\n" || res.ExitCode != 0 || res.Running || res.StdoutTruncated {
		t.Fatalf("result %+v", res)
	}

	res, err = l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "stderr", "oops"}})
	if err != nil || string(res.Stderr) != "oops\n" || len(res.Stdout) != 0 {
		t.Fatalf("stderr: %+v %v", res, err)
	}

	res, err = l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "exit", "3"}})
	if err != nil || res.ExitCode != 3 {
		t.Fatalf("exit code: %+v %v", res, err)
	}

	// The user and working directory reach the daemon as asked.
	res, err = l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "id"}, User: "1234:4321", WorkingDir: "/"})
	if err != nil || !strings.HasPrefix(string(res.Stdout), "uid=1234 gid=4321") {
		t.Fatalf("user: %q %v", res.Stdout, err)
	}

	evs := l.auditEvents(t, "exec")
	if len(evs) != 8 || evs[0]["verdict"] != "allow" || evs[0]["capability"] != "exec" || evs[0]["class"] != "write" {
		t.Fatalf("audit events %v", evs)
	}
}

// Output beyond the bound is cut (per stream) while the command still runs to
// completion and its exit code is returned.
func TestExecOutputBoundLive(t *testing.T) {
	const bound = 64 << 10
	const written = 3 << 20
	l := newOpsLive(t, safedocker.WithOutputBounds(safedocker.OutputBounds{ExecOutput: bound}))
	ctx := opsCtx(t)
	ctr := l.runTiny(t)

	res, err := l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "spam", "3145728"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stdout) != bound || res.StdoutBytes != written || !res.StdoutTruncated || res.ExitCode != 0 {
		t.Fatalf("len %d, total %d, truncated %v, exit %d", len(res.Stdout), res.StdoutBytes, res.StdoutTruncated, res.ExitCode)
	}
	if !bytes.Equal(res.Stdout[:64], []byte(strings.Repeat("x", 63)+"\n")) {
		t.Fatalf("captured the wrong bytes: %q", res.Stdout[:64])
	}

	// A call may tighten the bound, never loosen it.
	res, err = l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "spam", "100000"}, MaxOutputBytes: 1000})
	if err != nil || len(res.Stdout) != 1000 || res.StdoutBytes != 100000 {
		t.Fatalf("tightened: len %d total %d %v", len(res.Stdout), res.StdoutBytes, err)
	}
	l.denied(t, safedocker.ErrInvalidInput, func() error {
		_, err := l.c.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "print", "x"}, MaxOutputBytes: bound + 1})
		return err
	})
}

// The exec deadline bounds a command that never ends; partial output is kept.
func TestExecDeadlineLive(t *testing.T) {
	l := newOpsLive(t, safedocker.WithDeadlines(safedocker.Deadlines{Write: 2 * time.Second}))
	ctr := l.runTiny(t)
	start := time.Now()
	res, err := l.c.Exec(opsCtx(t), ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "sleep", "60s"}})
	if !errors.Is(err, safedocker.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("exec outlived its deadline: %s", d)
	}
	if !res.Running || res.ExitCode != -1 {
		t.Fatalf("result %+v", res)
	}
}

// Denied execs never reach the daemon.
func TestExecDeniedLive(t *testing.T) {
	l := newOpsLive(t)
	ctx := opsCtx(t)
	ctr := l.runTiny(t)
	cases := map[string]struct {
		want error
		opts safedocker.ExecOptions
		call []safedocker.CallOption
	}{
		"cwd escapes via /proc/self/fd": {safedocker.ErrPolicyViolation, safedocker.ExecOptions{Cmd: []string{"/tiny", "ls", "."}, WorkingDir: "/proc/self/fd/3"}, nil},
		"denied program":                {safedocker.ErrPolicyViolation, safedocker.ExecOptions{Cmd: []string{"nsenter", "--target", "1", "--mount", "sh"}}, nil},
		"shell script hiding a program": {safedocker.ErrPolicyViolation, safedocker.ExecOptions{Cmd: []string{"sh", "-c", "nsenter -t 1 -m sh"}}, nil},
		"root when restricted":          {safedocker.ErrPolicyViolation, safedocker.ExecOptions{Cmd: []string{"/tiny", "id"}, User: "root"}, []safedocker.CallOption{safedocker.Tighten(policy.RaiseLevel(policy.LevelRestricted))}},
		"no command":                    {safedocker.ErrInvalidInput, safedocker.ExecOptions{}, nil},
		"NUL in argument":               {safedocker.ErrInvalidInput, safedocker.ExecOptions{Cmd: []string{"/tiny", "print", "a\x00b"}}, nil},
		"relative working dir":          {safedocker.ErrInvalidInput, safedocker.ExecOptions{Cmd: []string{"/tiny", "ls", "."}, WorkingDir: "tmp"}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l.denied(t, tc.want, func() error {
				_, err := l.c.Exec(ctx, ctr, tc.opts, tc.call...)
				return err
			})
		})
	}
	t.Run("without CapExec", func(t *testing.T) {
		n, err := l.c.Narrow(safedocker.CapContainerRead)
		if err != nil {
			t.Fatal(err)
		}
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			_, err := n.Exec(ctx, ctr, safedocker.ExecOptions{Cmd: []string{"/tiny", "print", "x"}})
			return err
		})
	})
}

// Container logs beyond the byte bound are cut (the logs operation belongs to
// the container group; the bound is proven here with the same spamming
// container as exec).
func TestLogsBoundLive(t *testing.T) {
	const bound = 32 << 10
	l := newOpsLive(t, safedocker.WithOutputBounds(safedocker.OutputBounds{LogBytes: bound}))
	ctx := opsCtx(t)
	ctr := l.runTiny(t, "spam", "1048576")
	if _, err := l.c.WaitContainer(ctx, ctr, safedocker.WaitNotRunning); err != nil {
		t.Fatal(err)
	}
	logs, err := l.c.ContainerLogs(ctx, ctr, safedocker.LogsOptions{Tail: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(logs.Stdout) + len(logs.Stderr); got > bound || got == 0 || !logs.Truncated {
		t.Fatalf("logs: %d bytes (bound %d), truncated %v", got, bound, logs.Truncated)
	}
}
