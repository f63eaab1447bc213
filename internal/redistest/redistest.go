// Package redistest finds or starts a redis-server for tests.
//
// [Addr] returns the address in SAFEDOCKER_TEST_REDIS_ADDR when it is set;
// otherwise it starts redis-server from PATH on a free loopback port with
// persistence off (--save "" --appendonly no) and kills it in t.Cleanup.
// When neither is possible the test is skipped, or fails when
// SAFEDOCKER_REQUIRE_INTEGRATION=1. [Start] always starts a private server,
// for tests that stop and restart it.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvAddr names the variable holding the address of an existing Redis.
const EnvAddr = "SAFEDOCKER_TEST_REDIS_ADDR"

// EnvRequire names the variable that turns skips into failures when set to 1.
const EnvRequire = "SAFEDOCKER_REQUIRE_INTEGRATION"

// Unavailable skips t with reason, or fails it under EnvRequire=1.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("redis unavailable and %s=1: %s", EnvRequire, reason)
	}
	t.Skipf("redis unavailable (set %s or put redis-server on PATH): %s", EnvAddr, reason)
}

// Addr returns the address of a Redis server for t; see the package comment.
func Addr(t testing.TB) string {
	t.Helper()
	if a := os.Getenv(EnvAddr); a != "" {
		if err := ping(a, 2*time.Second); err != nil {
			Unavailable(t, fmt.Sprintf("%s=%s: %v", EnvAddr, a, err))
		}
		return a
	}
	return Start(t).Addr()
}

// Server is a redis-server process started by [Start].
type Server struct {
	mu   sync.Mutex
	t    testing.TB
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts a private redis-server on a free loopback port, skipping t
// (or failing it under EnvRequire=1) when redis-server is not on PATH. The
// server is killed in t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		Unavailable(t, "redis-server not found on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: free port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	s := &Server{t: t, port: port, dir: t.TempDir()}
	t.Cleanup(s.Stop)
	s.Restart()
	return s
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Stop kills the server and waits for it to exit. It is idempotent.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd, s.done = nil, nil
}

// Restart starts the server again on the same port (after [Server.Stop]),
// with an empty dataset, and waits until it answers PING.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.t.Fatalf("redistest: Restart of a running server")
	}
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--daemonize", "no", "--loglevel", "warning")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		Unavailable(s.t, fmt.Sprintf("start redis-server: %v", err))
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	// Poll for readiness; this is start-up, not a timing assertion.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(s.Addr(), time.Second)
		if err == nil {
			return
		}
		select {
		case <-done:
			s.cmd, s.done = nil, nil
			s.t.Fatalf("redistest: redis-server exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redistest: redis-server on %s not ready: %v\n%s", s.Addr(), err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends an inline PING and expects +PONG.
func ping(addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("unexpected PING reply %q", line)
	}
	return nil
}
