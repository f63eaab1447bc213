package safedocker_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/internal/registrytest"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

// countingProvider is a CredentialProvider that records its calls.
type countingProvider struct {
	mu    sync.Mutex
	calls []string
	cred  safedocker.Credential
	err   error
}

func (p *countingProvider) get(_ context.Context, registry string) (safedocker.Credential, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, registry)
	return p.cred, p.err
}

func (p *countingProvider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// secretValue returns a recognisable random secret.
func secretValue(t *testing.T, kind string) string {
	return kind + "-" + strings.TrimPrefix(dockertest.Name(t, "secret"), "safedocker-test-secret-")
}

// addTestImage serves a fresh tiny image from reg and removes whatever the
// daemon pulled of it when the test ends.
func addTestImage(t *testing.T, l *opsLive, reg *registrytest.Registry) registrytest.Image {
	t.Helper()
	repo := dockertest.Name(t, "img")
	img, err := reg.AddImage(repo, "v1", nil, map[string]string{dockertest.TinyLabel: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = dockertest.RemoveImage(ctx, l.sock, img.Ref)
		_ = dockertest.RemoveImage(ctx, l.sock, reg.Host()+"/"+repo+"@"+img.Digest)
		_ = dockertest.RemoveImage(ctx, l.sock, img.ConfigDigest)
	})
	return img
}

// assertNoLeak fails when any of the texts holds any form of the secret.
func assertNoLeak(t *testing.T, secret, user string, texts map[string]string) {
	t.Helper()
	forms := []string{secret, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))}
	for where, text := range texts {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Fatalf("the credential leaked into %s: %s", where, text)
			}
		}
	}
}

// errorTexts renders err and every error in its chain in every usual way.
func errorTexts(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		fmt.Fprintf(&b, "%v|%+v|%#v|%s\n", e, e, e, e.Error())
	}
	return b.String()
}

func TestPullWithCredentialsLive(t *testing.T) {
	pw := secretValue(t, "pw")
	reg := registrytest.New(t, registrytest.Options{Mode: registrytest.AuthBasic, Username: "puller", Password: pw})
	l := newOpsLive(t, safedocker.WithImagePolicy(safedocker.ImagePolicy{Registries: []string{reg.Host()}}))
	img := addTestImage(t, l, reg)
	ctx := opsCtx(t)

	prov := &countingProvider{cred: safedocker.Credential{Username: "puller", Password: safedocker.NewSecret(pw)}}
	var progress []safedocker.PullProgress
	res, err := l.c.PullImage(ctx, img.Ref, safedocker.PullOptions{
		Credentials: prov.get,
		Progress:    func(p safedocker.PullProgress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != img.ConfigDigest || res.Ref != img.Ref {
		t.Fatalf("result %+v, want ID %s", res, img.ConfigDigest)
	}
	if prov.count() != 1 || prov.calls[0] != reg.Host() {
		t.Fatalf("provider calls %v, want one for %s", prov.calls, reg.Host())
	}
	if len(progress) == 0 {
		t.Fatal("no progress reported")
	}
	arrived := false
	for _, rc := range reg.Received() {
		arrived = arrived || (rc.Valid && rc.Username == "puller" && rc.Secret == pw)
	}
	if !arrived {
		t.Fatalf("the credential did not reach the registry: %+v", reg.Received())
	}

	// The image is there: list, inspect, remove.
	list, err := l.c.ListImages(ctx, safedocker.ImageListOptions{Reference: img.Ref})
	if err != nil || len(list.Images) != 1 || list.Images[0].ID != img.ConfigDigest {
		t.Fatalf("ListImages = %+v, %v", list, err)
	}
	det, err := l.c.InspectImage(ctx, img.Ref)
	if err != nil || det.ID != img.ConfigDigest || det.Labels[dockertest.TinyLabel] != "ops" {
		t.Fatalf("InspectImage = %+v, %v", det, err)
	}
	rm, err := l.c.RemoveImage(ctx, img.Ref, safedocker.ImageRemoveOptions{})
	if err != nil || len(rm.Untagged) == 0 {
		t.Fatalf("RemoveImage = %+v, %v", rm, err)
	}
	if _, err := l.c.InspectImage(ctx, img.Ref); !errors.Is(err, safedocker.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}

	progressText, _ := json.Marshal(progress)
	assertNoLeak(t, pw, "puller", map[string]string{
		"logs": l.logs.String(), "result": fmt.Sprintf("%+v", res), "progress": string(progressText),
	})
	for _, op := range []string{"image.pull", "image.list", "image.inspect", "image.remove"} {
		if evs := l.auditEvents(t, op); len(evs) == 0 {
			t.Fatalf("no audit event for %s", op)
		}
	}
}

// A registry that echoes the credential in its error message (the daemon
// passes it on verbatim) must not make the credential reach our errors, audit
// events or logs.
func TestPullWrongCredentialIsRedactedLive(t *testing.T) {
	wrong := secretValue(t, "wrongpw")
	reg := registrytest.New(t, registrytest.Options{Mode: registrytest.AuthBasic, Username: "puller",
		Password: secretValue(t, "rightpw"), EchoCredentials: true})
	l := newOpsLive(t, safedocker.WithImagePolicy(safedocker.ImagePolicy{Registries: []string{reg.Host()}}))
	img := addTestImage(t, l, reg)
	ctx := opsCtx(t)

	// First prove the threat: straight to the daemon, its error holds the password.
	auth, _ := json.Marshal(map[string]string{"username": "puller", "password": wrong})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		"http://docker/images/create?fromImage="+url.QueryEscape(strings.TrimSuffix(img.Ref, ":v1"))+"&tag=v1", nil)
	req.Header.Set("X-Registry-Auth", base64.URLEncoding.EncodeToString(auth))
	resp, err := l.raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	buf := make([]byte, 64<<10)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	resp.Body.Close()
	if !strings.Contains(body.String(), wrong) {
		t.Fatalf("the stand-in's echo did not reach the daemon's answer, so this test proves nothing: %s", body.String())
	}

	prov := &countingProvider{cred: safedocker.Credential{Username: "puller", Password: safedocker.NewSecret(wrong)}}
	_, err = l.c.PullImage(ctx, img.Ref, safedocker.PullOptions{Credentials: prov.get})
	if err == nil {
		t.Fatal("pull with a wrong password succeeded")
	}
	if !errors.Is(err, safedocker.ErrForbidden) && !errors.Is(err, safedocker.ErrDaemon) && !errors.Is(err, safedocker.ErrNotFound) {
		t.Fatalf("err = %v matches no daemon sentinel", err)
	}
	if !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("expected a redacted daemon message, got %v", err)
	}
	t.Logf("redacted error: %v", err)
	assertNoLeak(t, wrong, "puller", map[string]string{"error chain": errorTexts(err), "logs": l.logs.String()})
}

func TestPullIdentityTokenLive(t *testing.T) {
	tok := secretValue(t, "idtoken")
	reg := registrytest.New(t, registrytest.Options{Mode: registrytest.AuthBearer, IdentityToken: tok,
		Username: "unused", Password: secretValue(t, "unused")})
	l := newOpsLive(t, safedocker.WithImagePolicy(safedocker.ImagePolicy{Registries: []string{reg.Host()}}))
	img := addTestImage(t, l, reg)
	prov := &countingProvider{cred: safedocker.Credential{IdentityToken: safedocker.NewSecret(tok)}}
	if _, err := l.c.PullImage(opsCtx(t), img.Ref, safedocker.PullOptions{Credentials: prov.get}); err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, rc := range reg.Received() {
		ok = ok || (rc.Kind == "refresh_token" && rc.Secret == tok && rc.Valid)
	}
	if !ok {
		t.Fatalf("the identity token did not reach the token endpoint: %+v", reg.Received())
	}
	assertNoLeak(t, tok, "", map[string]string{"logs": l.logs.String()})
}

func TestPullDigestPinningLive(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Mode: registrytest.AuthNone})
	l := newOpsLive(t, safedocker.WithImagePolicy(safedocker.ImagePolicy{Registries: []string{reg.Host()}, RequireDigest: true}))
	img := addTestImage(t, l, reg)
	ctx := opsCtx(t)
	l.denied(t, safedocker.ErrPolicyViolation, func() error {
		_, err := l.c.PullImage(ctx, img.Ref, safedocker.PullOptions{})
		return err
	})
	pinned := strings.TrimSuffix(img.Ref, ":v1") + "@" + img.Digest
	res, err := l.c.PullImage(ctx, pinned, safedocker.PullOptions{})
	if err != nil || res.ID != img.ConfigDigest {
		t.Fatalf("pinned pull: %+v %v", res, err)
	}
}

func TestImageDenialsLive(t *testing.T) {
	reg := registrytest.New(t, registrytest.Options{Mode: registrytest.AuthNone})
	l := newOpsLive(t, safedocker.WithImagePolicy(safedocker.ImagePolicy{Registries: []string{reg.Host()}}))
	img := addTestImage(t, l, reg)
	ctx := opsCtx(t)

	prov := &countingProvider{cred: safedocker.Credential{Username: "u", Password: safedocker.NewSecret("p")}}
	t.Run("registry not allowed", func(t *testing.T) {
		l.denied(t, safedocker.ErrPolicyViolation, func() error {
			_, err := l.c.PullImage(ctx, "docker.io/library/alpine:3.20", safedocker.PullOptions{Credentials: prov.get})
			return err
		})
		if prov.count() != 0 {
			t.Fatal("the credential provider was called for a denied pull")
		}
	})
	t.Run("tightened to digests", func(t *testing.T) {
		l.denied(t, safedocker.ErrPolicyViolation, func() error {
			_, err := l.c.PullImage(ctx, img.Ref, safedocker.PullOptions{}, safedocker.Tighten(policy.RequireDigestPinning()))
			return err
		})
	})
	t.Run("no tag", func(t *testing.T) {
		l.denied(t, safedocker.ErrInvalidInput, func() error {
			_, err := l.c.PullImage(ctx, strings.TrimSuffix(img.Ref, ":v1"), safedocker.PullOptions{})
			return err
		})
	})
	t.Run("provider fails", func(t *testing.T) {
		failing := &countingProvider{err: errors.New("vault sealed; the password was hunter2")}
		err := l.denied(t, safedocker.ErrCredentials, func() error {
			_, err := l.c.PullImage(ctx, img.Ref, safedocker.PullOptions{Credentials: failing.get})
			return err
		})
		var ce *safedocker.CredentialError
		if !errors.As(err, &ce) || ce.Registry != reg.Host() || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("err = %v", err)
		}
	})
	narrowed, err := l.c.Narrow(safedocker.CapImageRead)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("pull without CapImagePull", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			_, err := narrowed.PullImage(ctx, img.Ref, safedocker.PullOptions{})
			return err
		})
	})
	t.Run("remove without CapImageRemove", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			_, err := narrowed.RemoveImage(ctx, img.Ref, safedocker.ImageRemoveOptions{Force: true})
			return err
		})
	})
	t.Run("inspect malformed reference", func(t *testing.T) {
		l.denied(t, safedocker.ErrInvalidInput, func() error {
			_, err := l.c.InspectImage(ctx, "../../etc/passwd")
			return err
		})
	})
	t.Run("list limit above the bound", func(t *testing.T) {
		l.denied(t, safedocker.ErrInvalidInput, func() error {
			_, err := l.c.ListImages(ctx, safedocker.ImageListOptions{Limit: safedocker.MaxListItems + 1})
			return err
		})
	})
}
