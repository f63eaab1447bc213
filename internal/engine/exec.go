package engine

import "context"

// Exec runs a command in a running container: create the exec instance, then start
// it attached, capture its output under a byte bound per stream and read its exit
// code. Implementations must be safe for concurrent use.
type Exec interface {
	// ExecCreate creates an exec instance in the container and returns its ID. It
	// never asks for a privileged process, a TTY or stdin.
	ExecCreate(ctx context.Context, cfg ExecConfig) (string, error)
	// ExecStart starts the exec instance attached to stdout and stderr,
	// demultiplexes the two streams, keeps at most the limits' bytes of each, reads
	// (and discards) the rest until the process ends, then returns the exit code.
	// When ctx ends first it returns the output captured so far with ctx's error.
	ExecStart(ctx context.Context, id string, limits OutputLimits) (ExecResult, error)
}

// ExecConfig is an exec-create request in our terms. The adapter always sends
// Privileged=false, Tty=false, AttachStdin=false and attaches stdout and stderr.
type ExecConfig struct {
	// Container is the target container ID or name.
	Container string
	// Cmd is the exec-form command; Cmd[0] is the program.
	Cmd []string
	// User is "", "name", "uid", "uid:gid" or "name:group" ("" = the container's).
	User string
	// WorkingDir is the working directory ("" = the container's).
	WorkingDir string
	// Env is the extra environment, each "KEY=VALUE".
	Env []string
}

// OutputLimits bounds captured output. A limit of zero or less captures nothing
// from that stream (its bytes are still counted and discarded).
type OutputLimits struct {
	Stdout int64
	Stderr int64
}

// ExecResult is the outcome of an exec.
type ExecResult struct {
	// ExitCode is the process's exit code; it is -1 when the process had not
	// ended when the result was taken.
	ExitCode int
	// Running is true when the process had not ended (ctx ended first).
	Running bool
	// Stdout and Stderr hold at most the limits' bytes of each stream.
	Stdout Captured
	Stderr Captured
}

// Captured is the bounded capture of one output stream.
type Captured struct {
	// Data is the first bytes of the stream, at most the limit.
	Data []byte
	// Total is the number of bytes the stream carried, captured or not.
	Total int64
	// Truncated is true when Total exceeds len(Data).
	Truncated bool
}
