// Command quickstart is the README's first command:
//
//	go run ./examples/quickstart
//
// It connects to the local Docker daemon through its socket (DOCKER_HOST is
// honoured, under the library's rules), shows two requests the policy denies
// before they reach the daemon (a privileged container and a mount of the
// Docker socket) with their findings, then creates, runs and removes a
// hardened container and prints its output.
//
// With no -image flag it builds a tiny image itself: a static Go program
// compiled with the go command running this program, copied into a FROM
// scratch image through the Engine API's build endpoint. No registry is used.
// Everything it creates is removed before it exits. It exits with status 1 on
// any failure.
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/safedocker/safedocker/safedocker"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is the whole program; main_test.go calls it against the real daemon.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("image", "", "image to run (default: build a tiny local image)")
	verbose := fs.Bool("v", false, "print every audit event (default: denials only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	audit := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// 1. Connect: the socket is root-equivalent, so using it is acknowledged
	// in code.
	ep, err := safedocker.EndpointFromEnv(safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		return err
	}
	c, err := safedocker.New(ep,
		safedocker.WithCapabilities(
			safedocker.CapSystemRead, safedocker.CapContainerCreate, safedocker.CapContainerStart,
			safedocker.CapContainerWait, safedocker.CapContainerLogs, safedocker.CapContainerRemove),
		safedocker.WithLogger(audit),
	)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx = safedocker.WithClientID(ctx, "quickstart")
	ping, err := c.Ping(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "connected to %s (API %s)\n", ep, ping.APIVersion)
	if ping.Socket != nil {
		fmt.Fprintf(stdout, "socket check: %s\n", ping.Socket)
	}

	suffix := randomSuffix()
	if *image == "" {
		sock, ok := unixSocket(ep)
		if !ok {
			return errors.New("building the tiny image needs a local Unix-socket daemon; name an image with -image")
		}
		ref := "safedocker-quickstart:" + suffix
		fmt.Fprintf(stdout, "building %s (FROM scratch, a static Go program)...\n", ref)
		if err := buildTinyImage(ctx, sock, ref); err != nil {
			return fmt.Errorf("building the tiny image: %w", err)
		}
		defer func() {
			if rerr := removeImage(context.WithoutCancel(ctx), sock, ref); rerr != nil && err == nil {
				err = fmt.Errorf("removing %s: %w", ref, rerr)
			}
		}()
		*image = ref
	}

	// 2. Two requests the policy denies. Nothing reaches the daemon.
	fmt.Fprintln(stdout, "\n== a privileged container:")
	_, err = c.NewContainer(*image).WithPrivileged(true).Create(ctx)
	if err := expectDenied(stdout, err); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n== a container mounting the Docker socket:")
	_, err = c.NewContainer(*image).WithBind("/var/run/docker.sock", "/var/run/docker.sock", safedocker.ReadOnly).Create(ctx)
	if err := expectDenied(stdout, err); err != nil {
		return err
	}

	// 3. A hardened container: the builder's defaults (no-new-privileges,
	// 512 MiB memory, 256 processes, an init process) plus a read-only root,
	// no capabilities, an unprivileged user and no network.
	fmt.Fprintln(stdout, "\n== a hardened container:")
	b := c.NewContainer(*image).
		WithName("safedocker-quickstart-"+suffix).
		WithLabel("io.safedocker.quickstart", suffix).
		WithReadOnlyRootfs(true).
		WithCapDrop("ALL").
		WithUser("65534:65534").
		WithNetworkMode("none")
	created, err := b.Create(ctx)
	if err != nil {
		return err
	}
	removed := false
	defer func() {
		if removed {
			return
		}
		rerr := c.RemoveContainer(context.WithoutCancel(ctx), created.ID, safedocker.RemoveOptions{Force: true})
		if rerr != nil && !errors.Is(rerr, safedocker.ErrNotFound) && err == nil {
			err = rerr
		}
	}()
	fmt.Fprintf(stdout, "created %.12s\n", created.ID)
	if err := c.StartContainer(ctx, created.ID); err != nil {
		return err
	}
	res, err := c.WaitContainer(ctx, created.ID, safedocker.WaitNotRunning)
	if err != nil {
		return err
	}
	logs, err := c.ContainerLogs(ctx, created.ID, safedocker.LogsOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "output:\n%s", indent(logs.Stdout))
	if len(logs.Stderr) > 0 {
		fmt.Fprintf(stdout, "stderr:\n%s", indent(logs.Stderr))
	}
	if res.StatusCode != 0 {
		return fmt.Errorf("the container exited with status %d", res.StatusCode)
	}
	if err := c.RemoveContainer(ctx, created.ID, safedocker.RemoveOptions{}); err != nil {
		return err
	}
	removed = true
	fmt.Fprintf(stdout, "removed %.12s\n", created.ID)
	return nil
}

// expectDenied prints the findings of a policy denial, and fails on anything else.
func expectDenied(w io.Writer, err error) error {
	var pe *safedocker.PolicyError
	if !errors.As(err, &pe) {
		if err == nil {
			return errors.New("the request was not denied")
		}
		return err
	}
	fmt.Fprintln(w, "denied by policy, nothing was sent to the daemon:")
	for _, f := range pe.Findings {
		fmt.Fprintf(w, "  - [%s] %s %q: %s\n", f.Check, f.Field, f.Value, f.Reason)
		if f.Remediation != "" {
			fmt.Fprintf(w, "    fix: %s\n", f.Remediation)
		}
	}
	return nil
}

func indent(b []byte) string {
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// unixSocket returns the socket path of a Unix-socket endpoint.
func unixSocket(ep safedocker.Endpoint) (string, bool) {
	if ep.Kind() != safedocker.EndpointKindUnixSocket {
		return "", false
	}
	rep, err := ep.CheckSocket()
	if err != nil {
		return "", false
	}
	return rep.Path, true
}

// tinyProgram is the program of the tiny image.
const tinyProgram = `package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from a hardened container")
	fmt.Printf("uid=%d gid=%d\n", os.Getuid(), os.Getgid())
	if err := os.WriteFile("/probe", []byte("x"), 0o644); err != nil {
		fmt.Println("writing to / fails:", err)
	} else {
		fmt.Println("writing to / succeeded (the root file system is writable)")
	}
}
`

// buildTinyImage compiles tinyProgram statically and builds ref from a tar
// context with the Engine API's /build endpoint.
func buildTinyImage(ctx context.Context, sock, ref string) error {
	goBin, err := goCommand()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "safedocker-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"go.mod":  "module tiny\n\ngo 1.22\n",
		"main.go": tinyProgram,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH, "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w: %s", err, out)
	}
	binData, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	dockerfile := "FROM scratch\nCOPY hello /hello\nENTRYPOINT [\"/hello\"]\n"
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{"Dockerfile", 0o644, []byte(dockerfile)}, {"hello", 0o755, binData}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	q := url.Values{"t": {ref}, "rm": {"1"}, "forcerm": {"1"}, "labels": {`{"io.safedocker.quickstart":"1"}`}}
	resp, err := daemonRequest(ctx, sock, http.MethodPost, "/build?"+q.Encode(), "application/x-tar", &tarBuf)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("build: %s: %s", resp.Status, msg)
	}
	// The build streams JSON messages; an error arrives as a message.
	dec := json.NewDecoder(io.LimitReader(resp.Body, 16<<20))
	for {
		var m struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("build: reading the progress: %w", err)
		}
		if m.Error != "" {
			return fmt.Errorf("build: %s", m.Error)
		}
	}
}

// removeImage removes ref.
func removeImage(ctx context.Context, sock, ref string) error {
	resp, err := daemonRequest(ctx, sock, http.MethodDelete, "/images/"+url.PathEscape(ref)+"?force=1", "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s", resp.Status, msg)
	}
	return nil
}

// daemonRequest sends one Engine API request over the Unix socket.
func daemonRequest(ctx context.Context, sock, method, path, contentType string, body io.Reader) (*http.Response, error) {
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}
	hc := &http.Client{Transport: tr}
	req, err := http.NewRequestWithContext(ctx, method, "http://docker"+path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return hc.Do(req)
}

// goCommand finds the go command: on PATH (as under go run), else in the
// toolchain named by GOROOT.
func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("building the tiny image needs the go command; name an image with -image instead")
}
