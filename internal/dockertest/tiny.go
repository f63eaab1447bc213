package dockertest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed tinyprog/main.go
var tinySource []byte

// TinyRepository is the repository of every tiny image; the tag is
// "<source hash>-<random>", see [TinyImage].
const TinyRepository = "safedocker-test-tiny"

// TinyLabel is set (to "tiny") on every tiny image, so that leftovers can be
// found by label as well as by name.
const TinyLabel = "safedocker.test"

// tinyBuildTimeout bounds compiling the program and building the image.
const tinyBuildTimeout = 3 * time.Minute

// tinyCache is the per-test-binary state of TinyImage. It is package state,
// which library code must not have; this is a test helper, and the state is
// private, guarded, and only ever grows between Main's start and end.
var tinyCache struct {
	mu         sync.Mutex
	mainActive bool
	built      map[string]string // socket path -> image ref, while Main runs
}

// TinySourceHash returns the first 12 hex digits of the SHA-256 of the tiny
// program's source and build parameters. Images built from the same source
// share it as their tag prefix (and, through the daemon's build cache, their
// image ID).
func TinySourceHash() string {
	h := sha256.New()
	h.Write(tinySource)
	fmt.Fprintf(h, "\x00linux/%s\x00v1", runtime.GOARCH)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// TinyImage returns the reference of a FROM scratch image whose entrypoint
// is the tiny program, /tiny, owned by root and run as root unless the
// container says otherwise. Its commands (print, stderr, sleep, spam, exit,
// id, ls, cat, write) are documented in the tinyprog directory; for
// example the command ["print", "hello"] writes "hello\n" to stdout. The
// default command is ["print", "safedocker tiny image"].
//
// It needs the daemon ([RequireDaemon]) and a Go toolchain; when either is
// missing it skips (or fails under SAFEDOCKER_REQUIRE_INTEGRATION=1).
//
// # Caching and cleanup
//
// The reference is "safedocker-test-tiny:<source hash>-<random>". The hash
// names the program's source, and the daemon's build cache gives equal
// sources the same image ID, so building again is cheap (about a second).
// The random part makes every tag private to its builder: removing a tag
// only untags when another test binary (go test runs packages in parallel)
// holds its own tag for the same image, so removal never races.
//
//   - When the package's TestMain calls [Main], the image is built once per
//     test binary and removed when Main returns.
//   - Otherwise every call builds its own tag and removes it in t.Cleanup.
//
// [RemoveTinyImages] removes any leftover (for a CI cleanup step).
//
// TinyImage is safe for concurrent use by parallel tests.
func TinyImage(t testing.TB) (ref string) {
	t.Helper()
	sock := RequireDaemon(t)
	if sock == "" {
		return ""
	}
	goBin, err := goTool()
	if err != nil {
		SkipOrFatal(t, "TinyImage needs a Go toolchain: %v", err)
		return ""
	}

	tinyCache.mu.Lock()
	defer tinyCache.mu.Unlock()
	if tinyCache.mainActive {
		if ref, ok := tinyCache.built[sock]; ok {
			return ref
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), tinyBuildTimeout)
	defer cancel()
	ref, err = buildTinyImage(ctx, sock, goBin, t.TempDir())
	if err != nil {
		t.Fatalf("dockertest.TinyImage: %v", err)
	}
	if tinyCache.mainActive {
		if tinyCache.built == nil {
			tinyCache.built = make(map[string]string)
		}
		tinyCache.built[sock] = ref
		return ref
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := RemoveImage(ctx, sock, ref); err != nil {
			t.Errorf("dockertest: removing %s: %v", ref, err)
		}
	})
	return ref
}

// Main runs the tests of m and then removes the tiny images built while they
// ran; call it from a package's TestMain:
//
//	func TestMain(m *testing.M) { dockertest.Main(m) }
//
// It exits the process with the tests' exit code (or 1 when the tests passed
// but the cleanup failed).
func Main(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tinyCache.mu.Lock()
	tinyCache.mainActive = true
	tinyCache.mu.Unlock()

	code := m.Run()

	tinyCache.mu.Lock()
	built := tinyCache.built
	tinyCache.built = nil
	tinyCache.mainActive = false
	tinyCache.mu.Unlock()

	for sock, ref := range built {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := RemoveImage(ctx, sock, ref)
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "dockertest.Main: removing %s: %v\n", ref, err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// BuildTinyImage compiles the tiny program with the Go toolchain and builds
// a tiny image on the daemon at socketPath, returning its reference
// ("safedocker-test-tiny:<hash>-<random>"). The caller owns the image and
// removes it with [RemoveImage]. It is for programs that are not tests; tests
// use [TinyImage].
func BuildTinyImage(ctx context.Context, socketPath string) (string, error) {
	goBin, err := goTool()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "dockertest-tiny-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	return buildTinyImage(ctx, socketPath, goBin, dir)
}

// goTool finds the go command. Under "go test" the toolchain running the
// tests is first on PATH.
func goTool() (string, error) {
	return exec.LookPath("go")
}

func buildTinyImage(ctx context.Context, sock, goBin, workDir string) (string, error) {
	src := filepath.Join(workDir, "src")
	if err := os.MkdirAll(src, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), tinySource, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module tiny\n\ngo 1.22\n"), 0o600); err != nil {
		return "", err
	}
	bin := filepath.Join(workDir, "tiny")
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(),
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH,
		"GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("compiling the tiny program: %w: %s", err, out)
	}
	binData, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	dockerfile := "FROM scratch\nCOPY tiny /tiny\nENTRYPOINT [\"/tiny\"]\nCMD [\"print\", \"safedocker tiny image\"]\n"
	buildContext, err := tarFiles(map[string]tarFile{
		"Dockerfile": {mode: 0o644, data: []byte(dockerfile)},
		"tiny":       {mode: 0o755, data: binData},
	})
	if err != nil {
		return "", err
	}
	ref := TinyRepository + ":" + TinySourceHash() + "-" + randomHex(4)
	labels, _ := json.Marshal(map[string]string{TinyLabel: "tiny"})
	q := url.Values{}
	q.Set("t", ref)
	q.Set("labels", string(labels))
	q.Set("rm", "1")
	q.Set("forcerm", "1")
	if err := postBuild(ctx, sock, "/build?"+q.Encode(), buildContext); err != nil {
		return "", fmt.Errorf("building %s: %w", ref, err)
	}
	return ref, nil
}

type tarFile struct {
	mode int64
	data []byte
}

func tarFiles(files map[string]tarFile) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, f := range files {
		hdr := &tar.Header{Name: name, Mode: f.mode, Size: int64(len(f.data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// postBuild sends a build request and reads the JSON progress stream,
// returning the first error it reports.
func postBuild(ctx context.Context, sock, path string, body []byte) error {
	c := UnixHTTPClient(sock)
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var log strings.Builder
	for sc.Scan() {
		var msg struct {
			Stream      string `json:"stream"`
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			continue
		}
		if log.Len() < 4096 {
			log.WriteString(msg.Stream)
		}
		if msg.Error != "" || msg.ErrorDetail.Message != "" {
			return fmt.Errorf("daemon: %s %s", msg.Error, msg.ErrorDetail.Message)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("daemon answered %d: %s", resp.StatusCode, log.String())
	}
	return nil
}

// RemoveImage removes ref from the daemon at socketPath (DELETE
// /images/{ref}, without force). When other tags point at the same image,
// this only removes the tag. A missing image is not an error.
func RemoveImage(ctx context.Context, socketPath, ref string) error {
	c := UnixHTTPClient(socketPath)
	defer c.CloseIdleConnections()
	status, body, err := Do(ctx, c, http.MethodDelete, "/images/"+url.PathEscape(ref), "", nil)
	if err != nil {
		return err
	}
	switch status {
	case http.StatusOK, http.StatusNotFound:
		return nil
	}
	return fmt.Errorf("dockertest: DELETE image %s: %d %s", ref, status, truncate(body, 300))
}

// RemoveTinyImages removes every tag of the tiny-image repository from the
// daemon at socketPath, whoever built it, and returns the references it
// removed. Call it only when no tests are running (for example as a CI
// cleanup step, or from a test binary's TestMain before m.Run); images used
// by existing containers are reported as errors and left in place.
func RemoveTinyImages(ctx context.Context, socketPath string) ([]string, error) {
	c := UnixHTTPClient(socketPath)
	defer c.CloseIdleConnections()
	filters, _ := json.Marshal(map[string][]string{"reference": {TinyRepository}})
	status, body, err := Do(ctx, c, http.MethodGet, "/images/json?filters="+url.QueryEscape(string(filters)), "", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("dockertest: listing images: %d %s", status, truncate(body, 300))
	}
	var images []struct {
		RepoTags []string `json:"RepoTags"`
	}
	if err := json.Unmarshal(body, &images); err != nil {
		return nil, fmt.Errorf("dockertest: listing images: %w", err)
	}
	var removed []string
	var errs []error
	for _, img := range images {
		for _, tag := range img.RepoTags {
			if !strings.HasPrefix(tag, TinyRepository+":") {
				continue
			}
			if err := RemoveImage(ctx, socketPath, tag); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, tag)
		}
	}
	return removed, errors.Join(errs...)
}
