package dockertest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// fakeTB records Skipf/Fatalf instead of ending the test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                          {}
func (f *fakeTB) Skipf(format string, args ...any) { f.skipped = fmt.Sprintf(format, args...) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
}

func TestName(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^safedocker-test-vol-[0-9a-f]{16}$`)
	a, b := Name(t, "vol"), Name(t, "vol")
	if !re.MatchString(a) || !re.MatchString(b) {
		t.Fatalf("Name = %q, %q; want %s", a, b, re)
	}
	if a == b {
		t.Fatalf("Name returned %q twice", a)
	}
	for _, bad := range []string{"", "Upper", "has space", "-lead", strings.Repeat("a", 42)} {
		f := &fakeTB{TB: t}
		Name(f, bad)
		if f.failed == "" {
			t.Errorf("Name(%q) did not fail the test", bad)
		}
	}
}

func TestSkipOrFatal(t *testing.T) {
	t.Setenv(RequireIntegrationEnv, "")
	f := &fakeTB{TB: t}
	SkipOrFatal(f, "no daemon %d", 1)
	if !strings.HasPrefix(f.skipped, "no daemon 1") || f.failed != "" {
		t.Errorf("unset env: skipped %q failed %q; want a skip", f.skipped, f.failed)
	}
	t.Setenv(RequireIntegrationEnv, "1")
	f = &fakeTB{TB: t}
	SkipOrFatal(f, "no daemon")
	if f.skipped != "" || !strings.Contains(f.failed, "no daemon") {
		t.Errorf("env=1: skipped %q failed %q; want a failure", f.skipped, f.failed)
	}
}

func TestDaemonSocket(t *testing.T) {
	for _, tt := range []struct {
		host, want string
		wantErr    bool
	}{
		{"", DefaultSocket, false},
		{"unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock", false},
		{"tcp://127.0.0.1:2376", "", true},
		{"unix://", "", true},
	} {
		t.Setenv("DOCKER_HOST", tt.host)
		got, err := DaemonSocket()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("DOCKER_HOST=%q: got %q, %v", tt.host, got, err)
		}
	}
}

func TestRequireDaemonSkipsWithoutDaemon(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	t.Setenv(RequireIntegrationEnv, "")
	f := &fakeTB{TB: t}
	RequireDaemon(f)
	if !strings.Contains(f.skipped, "no Docker daemon answers") {
		t.Fatalf("skipped %q failed %q; want a skip naming the daemon", f.skipped, f.failed)
	}
}

func TestRequireDaemon(t *testing.T) {
	sock := RequireDaemon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := Ping(ctx, sock); err != nil {
		t.Fatal(err)
	}
}

func TestRecordingProxyCountsPing(t *testing.T) {
	sock := RequireDaemon(t)
	rec := RecordingProxy(t, sock)

	fi, err := os.Stat(rec.SocketPath())
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o660 {
		t.Fatalf("proxy socket: %v %v; want a 0660 socket", fi.Mode(), err)
	}
	di, err := os.Stat(filepath.Dir(rec.SocketPath()))
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Fatalf("proxy dir: %v %v; want 0700", di.Mode(), err)
	}
	if rec.Count() != 0 {
		t.Fatalf("Count before any request = %d", rec.Count())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := Ping(ctx, rec.SocketPath()); err != nil {
		t.Fatalf("ping through the proxy: %v", err)
	}
	c := UnixHTTPClient(rec.SocketPath())
	defer c.CloseIdleConnections()
	status, _, err := Do(ctx, c, http.MethodGet, "/v1.41/containers/json?all=1", "", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("list through the proxy: %d %v", status, err)
	}
	want := []RecordedRequest{
		{Method: "GET", Path: "/_ping"},
		{Method: "GET", Path: "/v1.41/containers/json", RawQuery: "all=1"},
	}
	got := rec.Requests()
	if len(got) != len(want) {
		t.Fatalf("Requests = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Requests[%d] = %+v; want %+v", i, got[i], want[i])
		}
	}
	if rec.Count() != 2 {
		t.Errorf("Count = %d; want 2", rec.Count())
	}
	rec.Reset()
	if rec.Count() != 0 || len(rec.Requests()) != 0 {
		t.Errorf("after Reset: Count = %d", rec.Count())
	}
}

func TestMTLSProxy(t *testing.T) {
	sock := RequireDaemon(t)
	p := MTLSProxy(t, sock, MTLSOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	get := func(cfg *tls.Config) (string, error) {
		tr := &http.Transport{TLSClientConfig: cfg, Proxy: nil}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+p.Addr+"/_ping", nil)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, b), err
	}
	if got, err := get(p.Good.ClientConfig()); err != nil || got != "200 OK" {
		t.Fatalf("good client: %q, %v", got, err)
	}
	if p.Forwarded() != 1 {
		t.Errorf("Forwarded = %d; want 1", p.Forwarded())
	}

	wrongCA := p.Good.ClientConfig()
	wrongCA.RootCAs = p.Wrong.CAPool
	if _, err := get(wrongCA); err == nil {
		t.Error("a client trusting the wrong CA reached the daemon")
	} else if cve := (*tls.CertificateVerificationError)(nil); !errors.As(err, &cve) {
		t.Errorf("wrong CA: %v; want a certificate verification error", err)
	}

	wrongClient := p.Wrong.ClientConfig()
	wrongClient.RootCAs = p.Good.CAPool
	if _, err := get(wrongClient); err == nil {
		t.Error("a client certificate from the wrong CA was accepted")
	}
	noCert := p.Good.ClientConfig()
	noCert.Certificates = nil
	if _, err := get(noCert); err == nil {
		t.Error("a client without a certificate was accepted")
	}
	if p.Forwarded() != 1 {
		t.Errorf("Forwarded = %d after refused clients; want 1", p.Forwarded())
	}
	for deadline := time.Now().Add(5 * time.Second); p.Rejected() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // the server counts just after the client fails
	}
	if p.Rejected() < 2 {
		t.Errorf("Rejected = %d; want at least 2", p.Rejected())
	}

	for _, f := range []string{p.Good.CAFile, p.Good.CertFile, p.Good.KeyFile, p.Wrong.KeyFile} {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v; want mode 0600", f, fi.Mode(), err)
		}
	}
	if _, err := tls.LoadX509KeyPair(p.Good.CertFile, p.Good.KeyFile); err != nil {
		t.Errorf("PEM files do not form a key pair: %v", err)
	}
}

func TestMTLSProxyTLS11Server(t *testing.T) {
	sock := RequireDaemon(t)
	p := MTLSProxy(t, sock, MTLSOptions{ServerMinVersion: tls.VersionTLS10, ServerMaxVersion: tls.VersionTLS11})
	// A client that allows TLS 1.1 gets through: the option works.
	old := p.Good.ClientConfig()
	old.MinVersion = tls.VersionTLS10
	conn, err := tls.Dial("tcp", p.Addr, old)
	if err != nil {
		t.Fatalf("TLS 1.1 client against the TLS 1.1 server: %v", err)
	}
	if v := conn.ConnectionState().Version; v != tls.VersionTLS11 {
		t.Errorf("negotiated %s; want TLS 1.1", tls.VersionName(v))
	}
	_ = conn.Close()
	// A TLS 1.2+ client is refused.
	if c, err := tls.Dial("tcp", p.Addr, p.Good.ClientConfig()); err == nil {
		_ = c.Close()
		t.Fatal("a TLS 1.2+ client completed a handshake with a TLS 1.1 server")
	}
}

// runTiny runs the tiny image with args in a fresh container over raw HTTP
// and returns its stdout and exit code.
func runTiny(t *testing.T, sock, image string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := UnixHTTPClient(sock)
	defer c.CloseIdleConnections()
	name := Name(t, "tiny")
	body, _ := json.Marshal(map[string]any{"Image": image, "Cmd": args, "Labels": map[string]string{TinyLabel: "container"}})
	status, resp, err := Do(ctx, c, http.MethodPost, "/containers/create?name="+url.QueryEscape(name), "application/json", bytes.NewReader(body))
	if err != nil || status != http.StatusCreated {
		t.Fatalf("create: %d %s %v", status, resp, err)
	}
	var created struct{ Id string }
	if err := json.Unmarshal(resp, &created); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		status, b, err := Do(ctx, c, http.MethodDelete, "/containers/"+created.Id+"?force=1", "", nil)
		if err != nil || (status != http.StatusNoContent && status != http.StatusNotFound) {
			t.Errorf("remove %s: %d %s %v", name, status, b, err)
		}
	})
	if status, resp, err := Do(ctx, c, http.MethodPost, "/containers/"+created.Id+"/start", "", nil); err != nil || status != http.StatusNoContent {
		t.Fatalf("start: %d %s %v", status, resp, err)
	}
	status, resp, err = Do(ctx, c, http.MethodPost, "/containers/"+created.Id+"/wait", "", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("wait: %d %s %v", status, resp, err)
	}
	var waited struct{ StatusCode int }
	if err := json.Unmarshal(resp, &waited); err != nil {
		t.Fatal(err)
	}
	status, resp, err = Do(ctx, c, http.MethodGet, "/containers/"+created.Id+"/logs?stdout=1", "", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("logs: %d %s %v", status, resp, err)
	}
	return demux(t, resp), waited.StatusCode
}

// demux extracts stdout from a multiplexed (non-TTY) log stream.
func demux(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("truncated log frame header: %q", b)
		}
		n := int(binary.BigEndian.Uint32(b[4:8]))
		if len(b) < 8+n {
			t.Fatalf("truncated log frame")
		}
		if b[0] == 1 {
			out.Write(b[8 : 8+n])
		}
		b = b[8+n:]
	}
	return out.String()
}

func TestTinyImage(t *testing.T) {
	sock := RequireDaemon(t)
	ref := TinyImage(t)
	if want := TinyRepository + ":" + TinySourceHash() + "-"; !strings.HasPrefix(ref, want) {
		t.Fatalf("ref %q; want prefix %q", ref, want)
	}
	if again := TinyImage(t); again != ref {
		t.Errorf("under Main, TinyImage built twice: %q then %q", ref, again)
	}
	if out, code := runTiny(t, sock, ref, "print", "hello"); out != "hello\n" || code != 0 {
		t.Errorf("print hello: %q, exit %d", out, code)
	}
	if out, code := runTiny(t, sock, ref, "id"); !strings.HasPrefix(out, "uid=0 gid=0") || code != 0 {
		t.Errorf("id: %q, exit %d", out, code)
	}
	if _, code := runTiny(t, sock, ref, "exit", "3"); code != 3 {
		t.Errorf("exit 3: exit %d", code)
	}
	if out, _ := runTiny(t, sock, ref, "spam", "1000"); len(out) != 1000 {
		t.Errorf("spam 1000: %d bytes", len(out))
	}
	if out, _ := runTiny(t, sock, ref, "ls", "/"); !strings.Contains(out, "tiny\n") {
		t.Errorf("ls /: %q", out)
	}
}

func imageExists(t *testing.T, sock, ref string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := UnixHTTPClient(sock)
	defer c.CloseIdleConnections()
	status, b, err := Do(ctx, c, http.MethodGet, "/images/"+url.PathEscape(ref)+"/json", "", nil)
	if err != nil || (status != http.StatusOK && status != http.StatusNotFound) {
		t.Fatalf("inspect %s: %d %s %v", ref, status, b, err)
	}
	return status == http.StatusOK
}

// TestTinyImageWithoutMain checks the t.Cleanup path used by packages whose
// TestMain does not call Main.
func TestTinyImageWithoutMain(t *testing.T) {
	sock := RequireDaemon(t)
	tinyCache.mu.Lock()
	saved := tinyCache.mainActive
	tinyCache.mainActive = false
	tinyCache.mu.Unlock()
	t.Cleanup(func() {
		tinyCache.mu.Lock()
		tinyCache.mainActive = saved
		tinyCache.mu.Unlock()
	})

	var ref string
	t.Run("build", func(t *testing.T) {
		ref = TinyImage(t)
		if !imageExists(t, sock, ref) {
			t.Fatalf("%s does not exist after TinyImage", ref)
		}
	})
	if ref == "" {
		t.Fatal("no image built")
	}
	if imageExists(t, sock, ref) {
		t.Errorf("%s still exists after its test ended", ref)
		_ = RemoveImage(context.Background(), sock, ref)
	}
}

func TestRemoveImageMissingIsNotAnError(t *testing.T) {
	sock := RequireDaemon(t)
	if err := RemoveImage(context.Background(), sock, Name(t, "absent")+":x"); err != nil {
		t.Fatal(err)
	}
}

// TestRemoveTinyImages runs against a fake daemon: removing every tiny tag
// on a shared daemon would break other test binaries running at the same time.
func TestRemoveTinyImages(t *testing.T) {
	dir, ln := listenUnix(t, "fake")
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var deleted []string
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/images/json":
			if !strings.Contains(r.URL.Query().Get("filters"), TinyRepository) {
				t.Errorf("list filters = %q", r.URL.Query().Get("filters"))
			}
			_, _ = io.WriteString(w, `[{"RepoTags":["safedocker-test-tiny:aaa-1","other:1"]},{"RepoTags":["safedocker-test-tiny:bbb-2"]},{"RepoTags":null}]`)
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/images/"):
			name := strings.TrimPrefix(r.URL.Path, "/images/")
			deleted = append(deleted, name)
			if name == "safedocker-test-tiny:bbb-2" {
				http.Error(w, `{"message":"image is being used by a stopped container"}`, http.StatusConflict)
				return
			}
			_, _ = io.WriteString(w, `[{"Untagged":"`+name+`"}]`)
		default:
			http.NotFound(w, r)
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	removed, err := RemoveTinyImages(context.Background(), filepath.Join(dir, "docker.sock"))
	if len(removed) != 1 || removed[0] != "safedocker-test-tiny:aaa-1" {
		t.Errorf("removed = %q", removed)
	}
	if err == nil || !strings.Contains(err.Error(), "409") {
		t.Errorf("err = %v; want the conflict reported", err)
	}
	if len(deleted) != 2 {
		t.Errorf("DELETE requests for %q; want only the two tiny tags", deleted)
	}
}

// TestRecordingProxyUpgrade runs an exec through the recorder: exec start
// upgrades the connection (101) and streams the output over it.
func TestRecordingProxyUpgrade(t *testing.T) {
	sock := RequireDaemon(t)
	image := TinyImage(t)
	rec := RecordingProxy(t, sock)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := UnixHTTPClient(rec.SocketPath())
	defer c.CloseIdleConnections()

	body, _ := json.Marshal(map[string]any{"Image": image, "Cmd": []string{"sleep", "60s"}})
	status, resp, err := Do(ctx, c, http.MethodPost, "/containers/create?name="+Name(t, "exec"), "application/json", bytes.NewReader(body))
	if err != nil || status != http.StatusCreated {
		t.Fatalf("create: %d %s %v", status, resp, err)
	}
	var created struct{ Id string }
	_ = json.Unmarshal(resp, &created)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _, _ = Do(ctx, UnixHTTPClient(sock), http.MethodDelete, "/containers/"+created.Id+"?force=1", "", nil)
	})
	if status, resp, err := Do(ctx, c, http.MethodPost, "/containers/"+created.Id+"/start", "", nil); err != nil || status != http.StatusNoContent {
		t.Fatalf("start: %d %s %v", status, resp, err)
	}
	body, _ = json.Marshal(map[string]any{"Cmd": []string{"/tiny", "print", "hi from exec"}, "AttachStdout": true})
	status, resp, err = Do(ctx, c, http.MethodPost, "/containers/"+created.Id+"/exec", "application/json", bytes.NewReader(body))
	if err != nil || status != http.StatusCreated {
		t.Fatalf("exec create: %d %s %v", status, resp, err)
	}
	var execID struct{ Id string }
	_ = json.Unmarshal(resp, &execID)

	conn, err := (&net.Dialer{}).DialContext(ctx, "unix", rec.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	start := `{"Detach":false,"Tty":false}`
	fmt.Fprintf(conn, "POST /exec/%s/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: %d\r\n\r\n%s", execID.Id, len(start), start)
	br := bufio.NewReader(conn)
	up, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if up.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("exec start: %s; want 101", up.Status)
	}
	stream, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if out := demux(t, stream); out != "hi from exec\n" {
		t.Errorf("exec output %q", out)
	}
	var paths []string
	for _, r := range rec.Requests() {
		paths = append(paths, r.Method+" "+r.Path)
	}
	want := []string{"POST /containers/create", "POST /containers/" + created.Id + "/start", "POST /containers/" + created.Id + "/exec", "POST /exec/" + execID.Id + "/start"}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("recorded %q; want %q", paths, want)
	}
}
