package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/safedocker/safedocker/internal/engine"
)

// fakeExec serves one exec: the attach stream is written by a goroutine into
// one end of a net.Pipe.
type fakeExec struct {
	mu       sync.Mutex
	created  container.ExecOptions
	frames   [][]byte
	hold     bool // keep the stream open after the frames
	inspects int
	runningN int // report Running for this many inspects
	exit     int
}

func (f *fakeExec) ContainerExecCreate(_ context.Context, _ string, o container.ExecOptions) (container.ExecCreateResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = o
	return container.ExecCreateResponse{ID: "exec1"}, nil
}

func (f *fakeExec) ContainerExecAttach(context.Context, string, container.ExecAttachOptions) (types.HijackedResponse, error) {
	client, server := net.Pipe()
	go func() {
		for _, fr := range f.frames {
			if _, err := server.Write(fr); err != nil {
				return
			}
		}
		if !f.hold {
			server.Close()
		}
	}()
	return types.NewHijackedResponse(client, ""), nil
}

func (f *fakeExec) ContainerExecInspect(context.Context, string) (container.ExecInspect, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inspects++
	return container.ExecInspect{Running: f.inspects <= f.runningN, ExitCode: f.exit}, nil
}

func TestExecCreateNeverPrivileged(t *testing.T) {
	f := &fakeExec{}
	id, err := execCreate(context.Background(), f, engine.ExecConfig{Container: "c", Cmd: []string{"ls"}, User: "1000", WorkingDir: "/w", Env: []string{"A=b"}})
	if err != nil || id != "exec1" {
		t.Fatal(id, err)
	}
	o := f.created
	if o.Privileged || o.Tty || o.AttachStdin || !o.AttachStdout || !o.AttachStderr || o.User != "1000" || o.WorkingDir != "/w" || o.Cmd[0] != "ls" {
		t.Fatalf("exec options %+v", o)
	}
}

func TestExecStartBoundsAndExitCode(t *testing.T) {
	f := &fakeExec{
		frames: [][]byte{
			frame(streamStdout, strings.Repeat("o", 100)),
			frame(streamStderr, strings.Repeat("e", 30)),
			frame(streamStdout, strings.Repeat("o", 100)),
		},
		runningN: 2, exit: 3,
	}
	res, err := execStart(context.Background(), f, "exec1", engine.OutputLimits{Stdout: 50, Stderr: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || res.Running || len(res.Stdout.Data) != 50 || res.Stdout.Total != 200 || !res.Stdout.Truncated ||
		string(res.Stderr.Data) != strings.Repeat("e", 30) || res.Stderr.Truncated {
		t.Fatalf("result %+v", res)
	}
	if f.inspects != 3 {
		t.Fatalf("inspects = %d, want 3 (polled until not running)", f.inspects)
	}
}

func TestExecStartSystemError(t *testing.T) {
	f := &fakeExec{frames: [][]byte{frame(streamSystem, "exec failed: no such file\n")}}
	_, err := execStart(context.Background(), f, "exec1", engine.OutputLimits{Stdout: 10, Stderr: 10})
	if !errors.Is(err, engine.ErrDaemon) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestExecStartDeadlineUnblocks(t *testing.T) {
	f := &fakeExec{frames: [][]byte{frame(streamStdout, "partial")}, hold: true}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := execStart(ctx, f, "exec1", engine.OutputLimits{Stdout: 100})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if !res.Running || res.ExitCode != -1 || string(res.Stdout.Data) != "partial" {
		t.Fatalf("result %+v", res)
	}
}

// fakeImages records the pull options and replays a progress stream.
type fakeImages struct {
	imagesAPI
	opts   image.PullOptions
	ref    string
	stream string
	closed chan struct{}
}

type readCloser struct {
	io.Reader
	close func()
}

func (r readCloser) Close() error { r.close(); return nil }

func (f *fakeImages) ImagePull(_ context.Context, ref string, o image.PullOptions) (io.ReadCloser, error) {
	f.ref, f.opts = ref, o
	var once sync.Once
	return readCloser{Reader: strings.NewReader(f.stream), close: func() { once.Do(func() { close(f.closed) }) }}, nil
}

func TestImagePullSendsAuthHeaderValue(t *testing.T) {
	f := &fakeImages{stream: `{"status":"Pulling"}` + "\n" + `{"status":"Done"}` + "\n", closed: make(chan struct{})}
	var n int
	err := imagePull(context.Background(), f, engine.PullRequest{
		Ref:      "127.0.0.1:5000/app:v1",
		Auth:     &engine.RegistryAuth{ServerAddress: "127.0.0.1:5000", Username: "u", Password: "pw"},
		Progress: func(engine.PullProgress) { n++ },
	})
	if err != nil || n != 2 || f.ref != "127.0.0.1:5000/app:v1" {
		t.Fatalf("err %v n %d ref %q", err, n, f.ref)
	}
	raw, err := base64.URLEncoding.DecodeString(f.opts.RegistryAuth)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got["username"] != "u" || got["password"] != "pw" || got["serveraddress"] != "127.0.0.1:5000" {
		t.Fatalf("auth %v", got)
	}
	select {
	case <-f.closed:
	default:
		t.Fatal("progress stream not closed")
	}
	// Anonymous: no header value.
	f.closed = make(chan struct{})
	if err := imagePull(context.Background(), f, engine.PullRequest{Ref: "x:1"}); err != nil || f.opts.RegistryAuth != "" {
		t.Fatalf("anonymous pull: %v %q", err, f.opts.RegistryAuth)
	}
}

func TestImagePullStreamErrorIsClassified(t *testing.T) {
	for msg, want := range map[string]error{
		"unauthorized: authentication required": engine.ErrForbidden,
		"manifest unknown":                      engine.ErrNotFound,
		"disk full":                             engine.ErrDaemon,
	} {
		f := &fakeImages{stream: `{"error":"` + msg + `"}`, closed: make(chan struct{})}
		err := imagePull(context.Background(), f, engine.PullRequest{Ref: "x:1"})
		if !errors.Is(err, want) {
			t.Errorf("%q: err = %v, want %v", msg, err, want)
		}
	}
}

func TestRegistryAuthNeverPrints(t *testing.T) {
	a := engine.RegistryAuth{Username: "u", Password: "pw-secret-123", IdentityToken: "tok-secret-456"}
	req := engine.PullRequest{Ref: "x", Auth: &a}
	for _, s := range []string{
		a.String(), a.GoString(), fmt.Sprintf("%v %+v %#v %s %q %x", a, a, a, a, a, a),
		fmt.Sprintf("%v %+v %#v", req, req, &req),
	} {
		if strings.Contains(s, "secret") {
			t.Fatalf("leak: %s", s)
		}
	}
}

var _ imagesAPI = (*client.Client)(nil)
var _ execAPI = (*client.Client)(nil)
var _ volumesAPI = (*client.Client)(nil)
var _ networksAPI = (*client.Client)(nil)
var _ systemAPI = (*client.Client)(nil)
