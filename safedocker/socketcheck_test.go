//go:build unix

package safedocker

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/internal/dockertest"
)

const otherUID = 12345

// socketDir returns a fresh 0700 directory with a short path (socket paths
// are limited to 107 bytes), removed at cleanup.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sdsock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// listenSocket creates a Unix socket at path with mode perm.
func listenSocket(t *testing.T, path string, perm fs.FileMode) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown test files to another user")
	}
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Lchown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

func asRoot() socketEnv { return socketEnv{euid: 0} }

func TestCheckSocketAccepts(t *testing.T) {
	requireRoot(t)
	dir := socketDir(t)
	sock := filepath.Join(dir, "docker.sock")
	listenSocket(t, sock, 0o660)

	r, err := checkSocket(sock, asRoot())
	if err != nil {
		t.Fatalf("checkSocket: %v", err)
	}
	if r.Path != sock || r.Resolved != sock || r.Mode.Type() != fs.ModeSocket || r.Mode.Perm() != 0o660 || r.UID != 0 || r.Rootless {
		t.Errorf("report = %+v", r)
	}
	if s := r.String(); !strings.Contains(s, "rootful (root-equivalent)") || !strings.Contains(s, sock) {
		t.Errorf("String = %q", s)
	}

	// The same through the endpoint.
	ep, err := UnixSocketEndpoint(sock, AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ep.CheckSocket(); err != nil {
		t.Errorf("CheckSocket: %v", err)
	}
}

func TestCheckSocketOwnedByCurrentUser(t *testing.T) {
	requireRoot(t)
	dir := socketDir(t)
	sock := filepath.Join(dir, "docker.sock")
	listenSocket(t, sock, 0o600)
	chown(t, sock, otherUID)
	// As the owner (a non-root user), the socket is accepted.
	r, err := checkSocket(sock, socketEnv{euid: otherUID})
	if err != nil {
		t.Fatalf("as the owner: %v", err)
	}
	if r.UID != otherUID || r.Rootless {
		t.Errorf("report = %+v; want uid %d, not rootless (not in a runtime dir)", r, otherUID)
	}
	// As root, a socket owned by someone else is refused.
	if _, err := checkSocket(sock, asRoot()); !errors.Is(err, ErrSocketOwner) {
		t.Errorf("as root: %v; want ErrSocketOwner", err)
	}
}

func TestCheckSocketRootless(t *testing.T) {
	requireRoot(t)
	runtimeDir := socketDir(t) // stands in for $XDG_RUNTIME_DIR
	chown(t, runtimeDir, otherUID)
	sock := filepath.Join(runtimeDir, "docker.sock")
	listenSocket(t, sock, 0o660)
	chown(t, sock, otherUID)

	r, err := checkSocket(sock, socketEnv{euid: otherUID, xdgRuntimeDir: runtimeDir})
	if err != nil {
		t.Fatalf("checkSocket: %v", err)
	}
	if !r.Rootless {
		t.Errorf("report = %+v; want Rootless", r)
	}
	if !strings.Contains(r.String(), "rootless (recommended)") {
		t.Errorf("String = %q", r.String())
	}
	// Reached through a symlink, it is still recognised by its resolved path.
	linkDir := socketDir(t)
	link := filepath.Join(linkDir, "d.sock")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	if r, err := checkSocket(link, socketEnv{euid: otherUID, xdgRuntimeDir: runtimeDir}); err != nil || !r.Rootless || r.Resolved != sock {
		t.Errorf("via symlink: %+v, %v", r, err)
	}
	// Another user's runtime dir, or none, is not rootless.
	if r, err := checkSocket(sock, socketEnv{euid: otherUID, xdgRuntimeDir: "/run/user/999"}); err != nil || r.Rootless {
		t.Errorf("other runtime dir: %+v, %v; want accepted, not rootless", r, err)
	}
}

func TestCheckSocketSymlinkReportsResolvedPath(t *testing.T) {
	requireRoot(t)
	realDir, linkDir := socketDir(t), socketDir(t)
	sock := filepath.Join(realDir, "real.sock")
	listenSocket(t, sock, 0o660)
	link := filepath.Join(linkDir, "docker.sock")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	r, err := checkSocket(link, asRoot())
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != link || r.Resolved != sock {
		t.Errorf("Path %q Resolved %q; want %q -> %q", r.Path, r.Resolved, link, sock)
	}
	if !strings.Contains(r.String(), link+" -> "+sock) {
		t.Errorf("String = %q", r.String())
	}
}

func TestCheckSocketRefusals(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name    string
		setup   func(t *testing.T) string // returns the path to check
		want    error
		problem string
	}{
		{
			name:    "missing",
			setup:   func(t *testing.T) string { return filepath.Join(socketDir(t), "none.sock") },
			want:    ErrSocketNotFound,
			problem: "cannot find",
		},
		{
			name: "regular file",
			setup: func(t *testing.T) string {
				p := filepath.Join(socketDir(t), "docker.sock")
				if err := os.WriteFile(p, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want:    ErrNotASocket,
			problem: "regular file",
		},
		{
			name:    "directory",
			setup:   func(t *testing.T) string { return socketDir(t) },
			want:    ErrNotASocket,
			problem: "directory",
		},
		{
			name: "dangling symlink",
			setup: func(t *testing.T) string {
				dir := socketDir(t)
				p := filepath.Join(dir, "docker.sock")
				if err := os.Symlink(filepath.Join(dir, "gone.sock"), p); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want:    ErrSocketNotFound,
			problem: "points to nothing",
		},
		{
			name: "symlink loop",
			setup: func(t *testing.T) string {
				dir := socketDir(t)
				a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
				if err := os.Symlink(b, a); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(a, b); err != nil {
					t.Fatal(err)
				}
				return a
			},
			want:    ErrNotASocket,
			problem: "cannot resolve",
		},
		{
			name: "world-writable socket 0666",
			setup: func(t *testing.T) string {
				p := filepath.Join(socketDir(t), "docker.sock")
				listenSocket(t, p, 0o666)
				return p
			},
			want:    ErrSocketPermissions,
			problem: "world-writable (mode 0666)",
		},
		{
			name: "world-writable socket 0602",
			setup: func(t *testing.T) string {
				p := filepath.Join(socketDir(t), "docker.sock")
				listenSocket(t, p, 0o602)
				return p
			},
			want:    ErrSocketPermissions,
			problem: "world-writable",
		},
		{
			name: "owned by another user",
			setup: func(t *testing.T) string {
				p := filepath.Join(socketDir(t), "docker.sock")
				listenSocket(t, p, 0o660)
				chown(t, p, otherUID)
				return p
			},
			want:    ErrSocketOwner,
			problem: "owned by uid 12345",
		},
		{
			name: "world-writable directory",
			setup: func(t *testing.T) string {
				dir := socketDir(t)
				p := filepath.Join(dir, "docker.sock")
				listenSocket(t, p, 0o660)
				if err := os.Chmod(dir, 0o777); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want:    ErrSocketPermissions,
			problem: "directory",
		},
		{
			name: "sticky world-writable directory",
			setup: func(t *testing.T) string {
				dir := socketDir(t)
				p := filepath.Join(dir, "docker.sock")
				listenSocket(t, p, 0o660)
				if err := os.Chmod(dir, 0o777|fs.ModeSticky); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want:    ErrSocketPermissions,
			problem: "world-writable",
		},
		{
			name: "directory owned by another user",
			setup: func(t *testing.T) string {
				dir := socketDir(t)
				p := filepath.Join(dir, "docker.sock")
				listenSocket(t, p, 0o660)
				chown(t, dir, otherUID)
				return p
			},
			want:    ErrSocketOwner,
			problem: "directory",
		},
		{
			name: "good socket behind a symlink in a world-writable directory",
			setup: func(t *testing.T) string {
				sock := filepath.Join(socketDir(t), "docker.sock")
				listenSocket(t, sock, 0o660)
				linkDir := socketDir(t)
				link := filepath.Join(linkDir, "docker.sock")
				if err := os.Symlink(sock, link); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(linkDir, 0o777); err != nil {
					t.Fatal(err)
				}
				return link
			},
			want:    ErrSocketPermissions,
			problem: "world-writable",
		},
		{
			name: "symlink to a world-writable socket",
			setup: func(t *testing.T) string {
				sock := filepath.Join(socketDir(t), "real.sock")
				listenSocket(t, sock, 0o666)
				link := filepath.Join(socketDir(t), "docker.sock")
				if err := os.Symlink(sock, link); err != nil {
					t.Fatal(err)
				}
				return link
			},
			want:    ErrSocketPermissions,
			problem: "socket is world-writable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup(t)
			r, err := checkSocket(path, asRoot())
			if !errors.Is(err, tt.want) {
				t.Fatalf("checkSocket = %+v, %v; want %v", r, err, tt.want)
			}
			var se *SocketError
			if !errors.As(err, &se) {
				t.Fatalf("%T is not a *SocketError", err)
			}
			if se.Path != path || se.Fix == "" || !strings.Contains(se.Problem, tt.problem) {
				t.Errorf("SocketError = %+v; want Path %q, a Fix and a Problem containing %q", se, path, tt.problem)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "safedocker: docker socket ") || !strings.Contains(msg, "; fix: ") {
				t.Errorf("message %q", msg)
			}
			if r != (SocketReport{}) {
				t.Errorf("a refused socket returned a report: %+v", r)
			}
		})
	}
}

func TestCheckSocketReportsResolvedPathInErrors(t *testing.T) {
	requireRoot(t)
	sock := filepath.Join(socketDir(t), "real.sock")
	listenSocket(t, sock, 0o666)
	link := filepath.Join(socketDir(t), "docker.sock")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	_, err := checkSocket(link, asRoot())
	var se *SocketError
	if !errors.As(err, &se) || se.Resolved != sock {
		t.Fatalf("error %v; want Resolved %q", err, sock)
	}
	if !strings.Contains(err.Error(), "(resolved \""+sock+"\")") {
		t.Errorf("message %q does not name the resolved path", err)
	}
}

func TestCheckSocketNotUnixEndpoint(t *testing.T) {
	for _, ep := range []Endpoint{{}, mustTLSEndpoint(t)} {
		_, err := ep.CheckSocket()
		var ee *EndpointError
		if !errors.Is(err, ErrInvalidEndpoint) || !errors.As(err, &ee) {
			t.Errorf("CheckSocket on %v: %v; want an *EndpointError matching ErrInvalidEndpoint", ep, err)
		}
	}
}

// TestCheckSocketRealDaemon checks the socket of the daemon the integration
// tests use, as the client will.
func TestCheckSocketRealDaemon(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	ep, err := UnixSocketEndpoint(sock, AcknowledgeRootEquivalentSocket)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ep.CheckSocket()
	if err != nil {
		t.Fatalf("CheckSocket(%s): %v", sock, err)
	}
	if r.Mode.Type() != fs.ModeSocket || r.Resolved == "" {
		t.Errorf("report = %+v", r)
	}
	t.Logf("daemon socket: %v", r)
}

func TestRootlessSocketPath(t *testing.T) {
	tests := []struct {
		env    socketEnv
		want   string
		wantOK bool
	}{
		{socketEnv{euid: 0, xdgRuntimeDir: "/run/user/0"}, "", false},
		{socketEnv{euid: 1000, xdgRuntimeDir: "/run/user/1000"}, "/run/user/1000/docker.sock", true},
		{socketEnv{euid: 1000, xdgRuntimeDir: "/custom/rt/"}, "/custom/rt/docker.sock", true},
		{socketEnv{euid: 1000}, "/run/user/1000/docker.sock", true},
		{socketEnv{euid: 1000, xdgRuntimeDir: "relative"}, "/run/user/1000/docker.sock", true},
	}
	for _, tt := range tests {
		got, ok := rootlessSocketPath(tt.env)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("rootlessSocketPath(%+v) = %q, %v; want %q, %v", tt.env, got, ok, tt.want, tt.wantOK)
		}
		if ok {
			if p, _ := filepath.Abs(got); p != got {
				t.Errorf("%q is not absolute", got)
			}
		}
	}
	// The path it returns is the one CheckSocket reports as rootless.
	requireRoot(t)
	rt := socketDir(t)
	chown(t, rt, otherUID)
	env := socketEnv{euid: otherUID, xdgRuntimeDir: rt}
	p, _ := rootlessSocketPath(env)
	listenSocket(t, p, 0o600)
	chown(t, p, otherUID)
	if r, err := checkSocket(p, env); err != nil || !r.Rootless {
		t.Errorf("checkSocket(%s) = %+v, %v; want rootless", p, r, err)
	}
}

// BenchmarkCheckSocket measures the check a client runs before it connects.
func BenchmarkCheckSocket(b *testing.B) {
	dir, err := os.MkdirTemp("", "sdsock-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	realSock := filepath.Join(dir, "real.sock")
	ln, err := net.Listen("unix", realSock)
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	link := filepath.Join(dir, "docker.sock")
	if err := os.Symlink(realSock, link); err != nil {
		b.Fatal(err)
	}
	if err := os.Chmod(realSock, 0o660); err != nil {
		b.Fatal(err)
	}
	ep, err := UnixSocketEndpoint(link, AcknowledgeRootEquivalentSocket)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ep.CheckSocket(); err != nil {
			b.Fatal(err)
		}
	}
}
