package safedocker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/internal/engine"
)

func TestScrubError(t *testing.T) {
	cred := Credential{Username: "bob", Password: NewSecret("p@ss word"), RegistryToken: NewSecret("tok123")}
	forms := credentialForms(cred)
	basic := "Ym9iOnBAc3Mgd29yZA==" // base64("bob:p@ss word")
	cause := fmt.Errorf("%w: %w", engine.ErrForbidden,
		fmt.Errorf("denied: password=p@ss word escaped=p%%40ss+word header=Basic %s bearer tok123", basic))
	err := scrubError(cause, forms)
	if !errors.Is(err, engine.ErrForbidden) {
		t.Fatalf("sentinel lost: %v", err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		s := fmt.Sprintf("%v %+v %#v", e, e, e)
		for _, leak := range []string{"p@ss word", "p%40ss+word", basic, "tok123"} {
			if strings.Contains(s, leak) {
				t.Fatalf("%q survives in %s", leak, s)
			}
		}
	}
	if !strings.Contains(err.Error(), "password=[REDACTED]") {
		t.Fatalf("message not kept: %v", err)
	}
	// Context errors stay matchable.
	d := scrubError(fmt.Errorf("%w: %w", engine.ErrTimeout, context.DeadlineExceeded), forms)
	if !errors.Is(d, engine.ErrTimeout) || !errors.Is(d, context.DeadlineExceeded) {
		t.Fatalf("context error lost: %v", d)
	}
	// Without a credential the error is returned as is, chain intact.
	if got := scrubError(cause, nil); got != cause {
		t.Fatal("anonymous pull errors must keep their chain")
	}
}

// The pull hands the engine the credential for that request only, and reports
// progress with secrets redacted.
func TestPullHandsCredentialToEngineOnce(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapImagePull),
		WithImagePolicy(ImagePolicy{Registries: []string{"registry.example.com"}}))
	var calls int
	prov := func(_ context.Context, reg string) (Credential, error) {
		calls++
		if reg != "registry.example.com" {
			t.Errorf("provider asked for %q", reg)
		}
		return Credential{Username: "u", Password: NewSecret("pw-123")}, nil
	}
	if _, err := tc.PullImage(ctxFor(t), "registry.example.com/team/app:v1", PullOptions{Credentials: prov}); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("provider called %d times", calls)
	}
	for _, c := range tc.fake.Calls() {
		if strings.Contains(fmt.Sprintf("%v %+v %#v", c.Args, c.Args, c.Args), "pw-123") {
			t.Fatalf("credential recorded in engine call %s", c.Method)
		}
	}
	if strings.Contains(tc.audit.String(), "pw-123") {
		t.Fatal("credential in audit log")
	}
}

// A failing credential provider is reported as ErrCredentials only (not as a
// daemon failure) and audited with error_class=credentials; nothing reaches
// the engine.
func TestCredentialFailureIsNotADaemonError(t *testing.T) {
	tc := newTestClient(t, WithCapabilities(CapImagePull),
		WithImagePolicy(ImagePolicy{Registries: []string{"registry.example.com"}}))
	tc.fake.Forbid()
	cause := errors.New("vault sealed")
	prov := func(context.Context, string) (Credential, error) { return Credential{}, cause }
	_, err := tc.PullImage(ctxFor(t), "registry.example.com/team/app:v1", PullOptions{Credentials: prov})
	var ce *CredentialError
	if !errors.Is(err, ErrCredentials) || !errors.As(err, &ce) || !errors.Is(err, cause) {
		t.Fatalf("err = %v, want a *CredentialError", err)
	}
	if errors.Is(err, ErrDaemon) {
		t.Errorf("a provider failure also matches ErrDaemon: %v", err)
	}
	if got := errorClass(err); got != "credentials" {
		t.Errorf("errorClass = %q, want credentials", got)
	}
	ev := tc.audit.events(t)
	if last := ev[len(ev)-1]; last["event"] != "result" || last["error_class"] != "credentials" {
		t.Errorf("last audit event = %v", last)
	}
}
