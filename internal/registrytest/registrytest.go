// Package registrytest is a local stand-in for an image registry: an httptest
// server speaking enough of the registry HTTP API v2 for a Docker daemon to pull
// a tiny image from it, with basic or bearer-token authentication, recording
// every credential it receives.
//
// It listens on 127.0.0.1, which a Docker daemon on the same host treats as an
// insecure-allowed registry (127.0.0.0/8), so plain HTTP works. It is for tests
// only.
package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Media types the stand-in serves (Docker image manifest v2, schema 2).
const (
	MediaTypeManifest = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeConfig   = "application/vnd.docker.container.image.v1+json"
	MediaTypeLayer    = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

// AuthMode selects how the stand-in authenticates clients.
type AuthMode int

// The authentication modes.
const (
	// AuthNone serves everyone.
	AuthNone AuthMode = iota
	// AuthBasic challenges with "Basic" and checks the username and password on
	// every request.
	AuthBasic
	// AuthBearer challenges with "Bearer realm=<server>/token": the client
	// exchanges its username and password (GET with basic auth) or identity token
	// (POST grant_type=refresh_token) for a bearer token at the token endpoint.
	AuthBearer
)

// Options configure a Registry.
type Options struct {
	Mode AuthMode
	// Username and Password are the only accepted basic credentials.
	Username string
	Password string
	// IdentityToken, when set, is accepted as an OAuth refresh token by the token
	// endpoint (AuthBearer only).
	IdentityToken string
	// EchoCredentials makes authentication failures echo the credential received
	// in the error message, as a hostile or careless registry might; the daemon
	// passes that message on. Tests use it to prove that callers redact.
	EchoCredentials bool
}

// Received is one credential the stand-in received, valid or not.
type Received struct {
	// Kind is "basic" (an Authorization: Basic header), "refresh_token" (an
	// identity token posted to the token endpoint) or "password" (a password
	// grant posted to the token endpoint).
	Kind     string
	Username string
	// Secret is the password or token received.
	Secret string
	Path   string
	Valid  bool
}

// Registry is a running stand-in. Its methods are safe for concurrent use.
type Registry struct {
	opts  Options
	srv   *httptest.Server
	token string

	mu        sync.Mutex
	blobs     map[string][]byte // digest -> content
	manifests map[string][]byte // "repo:ref" -> manifest (ref is a tag or a digest)
	received  []Received
	requests  []string
}

// New starts a stand-in on 127.0.0.1 and closes it when the test ends.
func New(t testing.TB, opts Options) *Registry {
	t.Helper()
	r := &Registry{
		opts:      opts,
		token:     randomHex(16),
		blobs:     map[string][]byte{},
		manifests: map[string][]byte{},
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// Host returns "127.0.0.1:<port>", the registry part of an image reference.
func (r *Registry) Host() string { return strings.TrimPrefix(r.srv.URL, "http://") }

// URL returns the server's base URL.
func (r *Registry) URL() string { return r.srv.URL }

// Received returns every credential received so far, in order.
func (r *Registry) Received() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.received...)
}

// Requests returns "METHOD path" for every request received so far.
func (r *Registry) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// Image describes an image pushed into the stand-in.
type Image struct {
	// Ref is "host/repo:tag".
	Ref string
	// Digest is the manifest digest ("sha256:..."); "host/repo@"+Digest pulls it
	// pinned.
	Digest string
	// ConfigDigest is the image ID the daemon will report.
	ConfigDigest string
}

// AddImage generates a tiny linux image for this machine's architecture, with one
// layer holding files (path to content; "hello.txt" when files is empty) and
// labels in its config, and serves it as repo:tag.
func (r *Registry) AddImage(repo, tag string, files map[string]string, labels map[string]string) (Image, error) {
	if len(files) == 0 {
		files = map[string]string{"hello.txt": "hello from registrytest\n"}
	}
	layerTar, err := tarFiles(files)
	if err != nil {
		return Image{}, err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(layerTar); err != nil {
		return Image{}, err
	}
	if err := zw.Close(); err != nil {
		return Image{}, err
	}
	layer := gz.Bytes()
	config, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"created":      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339),
		"config":       map[string]any{"Labels": labels},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{digestOf(layerTar)}},
		"history":      []map[string]string{{"created_by": "registrytest"}},
	})
	if err != nil {
		return Image{}, err
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     MediaTypeManifest,
		"config":        map[string]any{"mediaType": MediaTypeConfig, "size": len(config), "digest": digestOf(config)},
		"layers":        []map[string]any{{"mediaType": MediaTypeLayer, "size": len(layer), "digest": digestOf(layer)}},
	})
	if err != nil {
		return Image{}, err
	}
	md := digestOf(manifest)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.blobs[digestOf(layer)] = layer
	r.blobs[digestOf(config)] = config
	r.manifests[repo+":"+tag] = manifest
	r.manifests[repo+":"+md] = manifest
	return Image{Ref: r.Host() + "/" + repo + ":" + tag, Digest: md, ConfigDigest: digestOf(config)}, nil
}

func (r *Registry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests = append(r.requests, req.Method+" "+req.URL.Path)
	r.mu.Unlock()

	if req.URL.Path == "/token" {
		r.serveToken(w, req)
		return
	}
	if !strings.HasPrefix(req.URL.Path, "/v2/") {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "not found")
		return
	}
	if !r.authorized(w, req) {
		return
	}
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	path := strings.TrimPrefix(req.URL.Path, "/v2/")
	if path == "" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
		return
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "UNSUPPORTED", "read-only registry")
		return
	}
	if i := strings.LastIndex(path, "/manifests/"); i > 0 {
		repo, ref := path[:i], path[i+len("/manifests/"):]
		r.mu.Lock()
		m, ok := r.manifests[repo+":"+ref]
		r.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		serveContent(w, req, MediaTypeManifest, m)
		return
	}
	if i := strings.LastIndex(path, "/blobs/"); i > 0 {
		d := path[i+len("/blobs/"):]
		r.mu.Lock()
		b, ok := r.blobs[d]
		r.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown")
			return
		}
		serveContent(w, req, "application/octet-stream", b)
		return
	}
	writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "unknown path")
}

// authorized checks the request's credentials for the mode and writes the
// challenge when they are missing or wrong.
func (r *Registry) authorized(w http.ResponseWriter, req *http.Request) bool {
	switch r.opts.Mode {
	case AuthNone:
		return true
	case AuthBasic:
		user, pass, ok := req.BasicAuth()
		if ok {
			valid := user == r.opts.Username && pass == r.opts.Password
			r.record(Received{Kind: "basic", Username: user, Secret: pass, Path: req.URL.Path, Valid: valid})
			if valid {
				return true
			}
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
		if ok && r.opts.EchoCredentials {
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED",
				fmt.Sprintf("bad credentials user=%s password=%s header=%s", user, pass, req.Header.Get("Authorization")))
			return false
		}
	case AuthBearer:
		if req.Header.Get("Authorization") == "Bearer "+r.token {
			return true
		}
		w.Header().Set("WWW-Authenticate",
			fmt.Sprintf(`Bearer realm="%s/token",service="registrytest"`, r.srv.URL))
	}
	writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	return false
}

func (r *Registry) serveToken(w http.ResponseWriter, req *http.Request) {
	if r.opts.Mode != AuthBearer {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no token endpoint")
		return
	}
	valid := false
	switch req.Method {
	case http.MethodGet:
		if user, pass, ok := req.BasicAuth(); ok {
			valid = user == r.opts.Username && pass == r.opts.Password
			r.record(Received{Kind: "basic", Username: user, Secret: pass, Path: req.URL.Path, Valid: valid})
		}
	case http.MethodPost:
		if err := req.ParseForm(); err == nil {
			switch req.PostForm.Get("grant_type") {
			case "refresh_token":
				tok := req.PostForm.Get("refresh_token")
				valid = r.opts.IdentityToken != "" && tok == r.opts.IdentityToken
				r.record(Received{Kind: "refresh_token", Secret: tok, Path: req.URL.Path, Valid: valid})
			case "password":
				user, pass := req.PostForm.Get("username"), req.PostForm.Get("password")
				valid = user == r.opts.Username && pass == r.opts.Password
				r.record(Received{Kind: "password", Username: user, Secret: pass, Path: req.URL.Path, Valid: valid})
			}
		}
	}
	if !valid {
		msg := "bad credentials"
		if r.opts.EchoCredentials {
			var got []string
			for _, rc := range r.Received() {
				got = append(got, rc.Secret)
			}
			msg = fmt.Sprintf("bad credentials %q header=%s", got, req.Header.Get("Authorization"))
		}
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token": r.token, "access_token": r.token, "expires_in": 300,
		"issued_at": time.Now().UTC().Format(time.RFC3339),
	})
}

func (r *Registry) record(rc Received) {
	r.mu.Lock()
	r.received = append(r.received, rc)
	r.mu.Unlock()
}

func serveContent(w http.ResponseWriter, req *http.Request, mediaType string, b []byte) {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.Header().Set("Docker-Content-Digest", digestOf(b))
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]string{{"code": code, "message": msg}},
	})
}

func tarFiles(files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, content := range files {
		hdr := &tar.Header{
			Name: strings.TrimPrefix(name, "/"), Mode: 0o644, Size: int64(len(content)),
			Typeflag: tar.TypeReg, ModTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// BasicHeaderValue returns the value a client sends in "Authorization: Basic ..."
// for user and password, so tests can look for it where it must not appear.
func BasicHeaderValue(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}
