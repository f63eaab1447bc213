package safedocker

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Socket check errors, matched with errors.Is through a [*SocketError].
var (
	// ErrSocketNotFound is returned when the socket path, or the target of a
	// symlink on it, does not exist.
	ErrSocketNotFound = errors.New("safedocker: docker socket not found")
	// ErrNotASocket is returned when the path (after resolving symlinks) is
	// not a Unix socket, or its symlinks cannot be resolved.
	ErrNotASocket = errors.New("safedocker: not a unix socket")
	// ErrSocketPermissions is returned when the socket or its directory is
	// world-writable, or the path cannot be inspected.
	ErrSocketPermissions = errors.New("safedocker: unsafe docker socket permissions")
	// ErrSocketOwner is returned when the socket or its directory is owned
	// by neither root nor the current user.
	ErrSocketOwner = errors.New("safedocker: unexpected docker socket owner")
)

// SocketError reports a Unix socket that failed [Endpoint.CheckSocket]. It
// matches its sentinel ([ErrSocketNotFound], [ErrNotASocket],
// [ErrSocketPermissions] or [ErrSocketOwner]) and the underlying file-system
// error, if any, with errors.Is and errors.As.
type SocketError struct {
	// Path is the socket path of the endpoint.
	Path string
	// Resolved is Path with every symlink resolved; empty if resolution failed.
	Resolved string
	// Problem says what is wrong, for example "socket is world-writable (mode 0666)".
	Problem string
	// Fix says how to correct it.
	Fix string
	// Err is the sentinel the error matches.
	Err error
	// Cause is the underlying file-system error, if any.
	Cause error
}

// Error returns "safedocker: docker socket <path> (resolved <path>): <problem>; fix: <fix>".
func (e *SocketError) Error() string {
	var b strings.Builder
	b.WriteString("safedocker: docker socket ")
	b.WriteString(strconv.Quote(e.Path))
	if e.Resolved != "" && e.Resolved != e.Path {
		b.WriteString(" (resolved ")
		b.WriteString(strconv.Quote(e.Resolved))
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	if e.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause, for errors.Is and errors.As.
func (e *SocketError) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// SocketReport describes a Unix socket that passed [Endpoint.CheckSocket].
type SocketReport struct {
	// Path is the socket path of the endpoint.
	Path string
	// Resolved is Path with every symlink resolved. It equals Path when
	// there is no symlink on the way.
	Resolved string
	// Mode is the socket's file mode (type and permission bits).
	Mode fs.FileMode
	// UID and GID own the socket.
	UID, GID uint32
	// Rootless reports a rootless daemon's socket: $XDG_RUNTIME_DIR/docker.sock
	// or /run/user/<uid>/docker.sock owned by the current non-root user. A
	// rootless daemon is the recommended setup: its socket is equivalent to
	// that user, not to root on the host.
	Rootless bool
}

// String summarises the report, for example
// "/var/run/docker.sock -> /run/docker.sock: socket srw-rw---- uid 0 gid 998, rootful (root-equivalent)".
func (r SocketReport) String() string {
	var b strings.Builder
	b.WriteString(r.Path)
	if r.Resolved != r.Path {
		b.WriteString(" -> ")
		b.WriteString(r.Resolved)
	}
	b.WriteString(": socket ")
	b.WriteString(r.Mode.String())
	b.WriteString(" uid ")
	b.WriteString(strconv.FormatUint(uint64(r.UID), 10))
	b.WriteString(" gid ")
	b.WriteString(strconv.FormatUint(uint64(r.GID), 10))
	if r.Rootless {
		b.WriteString(", rootless (recommended)")
	} else {
		b.WriteString(", rootful (root-equivalent)")
	}
	return b.String()
}

// CheckSocket inspects the endpoint's Unix socket and returns a report, or a
// [*SocketError] when the socket must not be used:
//
//   - it must exist ([ErrSocketNotFound]);
//   - after resolving symlinks it must be a socket ([ErrNotASocket]);
//     the resolved path is reported;
//   - it must not be world-writable ([ErrSocketPermissions]);
//   - it must be owned by root or by the current user ([ErrSocketOwner]);
//   - the directories holding the path and the resolved path must not be
//     world-writable ([ErrSocketPermissions]) and must be owned by root or
//     the current user ([ErrSocketOwner]).
//
// It recognises a rootless daemon's socket (see [SocketReport.Rootless]).
// CheckSocket does file-system I/O (no connection); a client runs it before
// it connects, and it may be called on its own. The result describes the
// moment of the call. For an endpoint that is not a Unix socket it returns
// an [*EndpointError] matching [ErrInvalidEndpoint].
func (e Endpoint) CheckSocket() (SocketReport, error) {
	if e.kind != EndpointKindUnixSocket || e.socketPath == "" {
		return SocketReport{}, endpointErr(ErrInvalidEndpoint, e.host, "not a unix socket endpoint ("+e.kind.String()+")",
			"call CheckSocket only when Kind() is EndpointKindUnixSocket")
	}
	return checkSocket(e.socketPath, currentSocketEnv())
}

// RootlessSocketPath returns where a rootless Docker daemon of the current
// user listens: $XDG_RUNTIME_DIR/docker.sock when XDG_RUNTIME_DIR is an
// absolute path, otherwise /run/user/<uid>/docker.sock. ok is false when
// the process runs as root, which a rootless daemon never serves. It reads
// the environment only; whether a socket is there is for
// [Endpoint.CheckSocket] to say. Use it as:
//
//	if p, ok := safedocker.RootlessSocketPath(); ok {
//		ep, err := safedocker.UnixSocketEndpoint(p, safedocker.AcknowledgeRootEquivalentSocket)
//		...
//	}
func RootlessSocketPath() (path string, ok bool) {
	return rootlessSocketPath(currentSocketEnv())
}

func rootlessSocketPath(env socketEnv) (string, bool) {
	if env.euid <= 0 {
		return "", false
	}
	if env.xdgRuntimeDir != "" && filepath.IsAbs(env.xdgRuntimeDir) {
		return filepath.Join(env.xdgRuntimeDir, "docker.sock"), true
	}
	return filepath.Join("/run/user", strconv.Itoa(env.euid), "docker.sock"), true
}

// socketEnv is what the check needs to know about the calling process.
type socketEnv struct {
	euid          int
	xdgRuntimeDir string
}

func currentSocketEnv() socketEnv {
	return socketEnv{euid: os.Geteuid(), xdgRuntimeDir: os.Getenv("XDG_RUNTIME_DIR")}
}

func checkSocket(path string, env socketEnv) (SocketReport, error) {
	fail := func(resolved string, sentinel error, cause error, problem, fix string) (SocketReport, error) {
		return SocketReport{}, &SocketError{Path: path, Resolved: resolved, Problem: problem, Fix: fix, Err: sentinel, Cause: cause}
	}
	if _, err := os.Lstat(path); err != nil {
		return fail("", statSentinel(err), err, "cannot find the socket",
			"start the Docker daemon, or point the endpoint at the socket it listens on (rootless: $XDG_RUNTIME_DIR/docker.sock)")
	}
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail("", ErrSocketNotFound, err, "a symlink on the path points to nothing",
				"fix or remove the dangling symlink, or point the endpoint at the daemon's real socket")
		}
		return fail("", ErrNotASocket, err, "cannot resolve symlinks",
			"point the endpoint at the daemon's real socket")
	}
	if !filepath.IsAbs(resolved) {
		if resolved, err = filepath.Abs(resolved); err != nil {
			return fail("", ErrNotASocket, err, "cannot resolve the path", "use an absolute socket path")
		}
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return fail(resolved, statSentinel(err), err, "cannot inspect the resolved socket",
			"check the path and its permissions")
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fail(resolved, ErrNotASocket, nil, "not a unix socket ("+fileType(fi.Mode())+")",
			"point the endpoint at the daemon's socket, not at "+fileType(fi.Mode()))
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fail(resolved, ErrSocketPermissions, nil, "socket is world-writable (mode "+octal(fi.Mode())+")",
			"restrict it, for example chmod 0660 "+resolved+" (owner root, group docker), or run the daemon rootless")
	}
	uid, gid, ok := fileOwner(fi)
	if !ok {
		return fail(resolved, ErrSocketOwner, nil, "cannot determine the socket owner",
			"use a platform where the socket owner is reported")
	}
	if uid != 0 && int64(uid) != int64(env.euid) {
		return fail(resolved, ErrSocketOwner, nil,
			"socket is owned by uid "+strconv.FormatUint(uint64(uid), 10)+", neither root nor the current user (uid "+strconv.Itoa(env.euid)+")",
			"use a socket owned by root or by the user running this program (a rootless daemon's socket)")
	}
	dirs := []string{filepath.Dir(resolved)}
	if d := filepath.Dir(filepath.Clean(path)); d != dirs[0] {
		dirs = append(dirs, d)
	}
	for _, dir := range dirs {
		di, err := os.Stat(dir)
		if err != nil {
			return fail(resolved, ErrSocketPermissions, err, "cannot inspect the socket's directory "+strconv.Quote(dir),
				"check the directory's permissions")
		}
		if di.Mode().Perm()&0o002 != 0 {
			return fail(resolved, ErrSocketPermissions, nil,
				"the socket's directory "+strconv.Quote(dir)+" is world-writable (mode "+octal(di.Mode())+"), so anyone could replace the socket",
				"keep the socket in a directory writable only by its owner, such as /run or $XDG_RUNTIME_DIR")
		}
		duid, _, ok := fileOwner(di)
		if !ok || (duid != 0 && int64(duid) != int64(env.euid)) {
			return fail(resolved, ErrSocketOwner, nil,
				"the socket's directory "+strconv.Quote(dir)+" is owned by uid "+strconv.FormatUint(uint64(duid), 10)+", neither root nor the current user",
				"keep the socket in a directory owned by root or by the current user")
		}
	}
	return SocketReport{
		Path:     path,
		Resolved: resolved,
		Mode:     fi.Mode(),
		UID:      uid,
		GID:      gid,
		Rootless: isRootless(resolved, uid, env),
	}, nil
}

// isRootless reports whether resolved is where a rootless daemon of the
// current non-root user puts its socket.
func isRootless(resolved string, uid uint32, env socketEnv) bool {
	if env.euid <= 0 || int64(uid) != int64(env.euid) {
		return false
	}
	candidates := []string{filepath.Join("/run/user", strconv.Itoa(env.euid), "docker.sock")}
	if env.xdgRuntimeDir != "" && filepath.IsAbs(env.xdgRuntimeDir) {
		candidates = append(candidates, filepath.Join(env.xdgRuntimeDir, "docker.sock"))
		if r, err := filepath.EvalSymlinks(env.xdgRuntimeDir); err == nil {
			candidates = append(candidates, filepath.Join(r, "docker.sock"))
		}
	}
	for _, c := range candidates {
		if resolved == c {
			return true
		}
	}
	return false
}

func statSentinel(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return ErrSocketNotFound
	}
	return ErrSocketPermissions
}

func octal(m fs.FileMode) string {
	return "0" + strconv.FormatUint(uint64(m.Perm()), 8)
}

func fileType(m fs.FileMode) string {
	switch m.Type() {
	case 0:
		return "a regular file"
	case fs.ModeDir:
		return "a directory"
	case fs.ModeNamedPipe:
		return "a named pipe"
	case fs.ModeDevice, fs.ModeDevice | fs.ModeCharDevice:
		return "a device"
	}
	return "a " + m.Type().String() + " file"
}
