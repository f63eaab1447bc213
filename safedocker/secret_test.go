package safedocker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const testSecretValue = "hunter2-s3cr3t-value"

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret(testSecretValue)
	type wrapper struct {
		S   Secret
		Ptr *Secret
	}
	w := wrapper{S: s, Ptr: &s}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, &s), fmt.Sprintf(verb, w), fmt.Sprintf(verb, []Secret{s}))
	}
	outs = append(outs, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(s))
	for _, o := range outs {
		if strings.Contains(o, testSecretValue) || strings.Contains(o, fmt.Sprintf("%x", testSecretValue)) {
			t.Fatalf("secret leaked: %q", o)
		}
	}
	if got := fmt.Sprintf("%v|%q", s, s); got != `[REDACTED]|"[REDACTED]"` {
		t.Errorf("got %q", got)
	}
	if got := fmt.Sprint(Secret{}); got != "[unset]" {
		t.Errorf("zero secret prints %q", got)
	}
	if s.reveal() != testSecretValue {
		t.Fatal("reveal lost the value")
	}
	if s.IsZero() || !(Secret{}).IsZero() {
		t.Fatal("IsZero wrong")
	}
}

func TestSecretLogAndJSON(t *testing.T) {
	s := NewSecret(testSecretValue)
	c := Credential{Username: "alice", Password: s, IdentityToken: NewSecret(testSecretValue + "-tok")}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("x", "secret", s, "cred", c, "any", any(s), "ptr", &c)
		l.Info("y", slog.Any("group", []any{s, c}))
	}
	b, err := json.Marshal(map[string]any{"s": s, "c": c})
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(b)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&buf, verb, c)
		fmt.Fprintf(&buf, verb, &c)
	}
	out := buf.String()
	if strings.Contains(out, testSecretValue) || strings.Contains(out, fmt.Sprintf("%x", testSecretValue)) {
		t.Fatalf("secret leaked:\n%s", out)
	}
	if !strings.Contains(out, "alice") || !strings.Contains(out, secretPlaceholder) {
		t.Fatalf("expected username and placeholder in:\n%s", out)
	}
}

func TestCredentialErrorHidesProviderText(t *testing.T) {
	cause := fmt.Errorf("vault said no for password %s", testSecretValue)
	err := error(&CredentialError{Registry: "r.example", err: cause})
	if strings.Contains(err.Error(), testSecretValue) {
		t.Fatalf("leak: %v", err)
	}
	if !errors.Is(err, ErrCredentials) || !errors.Is(err, cause) {
		t.Fatal("errors.Is chain broken")
	}
}

func TestStaticCredentials(t *testing.T) {
	p := StaticCredentials(map[string]Credential{"Reg.Example:5000": {Username: "u"}})
	c, err := p(context.Background(), "reg.example:5000")
	if err != nil || c.Username != "u" {
		t.Fatalf("%v %v", c, err)
	}
	c, err = p(context.Background(), "other")
	if err != nil || !c.IsZero() {
		t.Fatalf("%v %v", c, err)
	}
}

func TestRedactSecrets(t *testing.T) {
	got := redactSecrets("a "+testSecretValue+" b", []string{testSecretValue, ""})
	if got != "a [REDACTED] b" {
		t.Fatal(got)
	}
}
