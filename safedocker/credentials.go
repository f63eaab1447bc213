package safedocker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Credential is a registry credential for one pull. Username is not secret and
// is printed; Password, IdentityToken and RegistryToken are [Secret]s and never
// are. Set Username and Password for basic or token-server authentication,
// IdentityToken for an OAuth refresh token, or RegistryToken for a bearer token
// sent as is. The zero Credential means anonymous access.
//
// A Credential is plain data, safe to copy and to share between goroutines.
type Credential struct {
	Username      string
	Password      Secret
	IdentityToken Secret
	RegistryToken Secret
}

// IsZero reports whether c carries no credential at all (anonymous).
func (c Credential) IsZero() bool {
	return c.Username == "" && c.Password.IsZero() && c.IdentityToken.IsZero() && c.RegistryToken.IsZero()
}

// String prints the username and which secrets are set, never their values.
func (c Credential) String() string {
	return fmt.Sprintf("Credential{Username:%s Password:%s IdentityToken:%s RegistryToken:%s}",
		strconv.Quote(c.Username), c.Password, c.IdentityToken, c.RegistryToken)
}

// GoString is String.
func (c Credential) GoString() string { return c.String() }

// Format prints String for every verb; %q quotes it.
func (c Credential) Format(f fmt.State, verb rune) {
	s := c.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue logs the username and placeholders for the secrets.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("username", c.Username),
		slog.String("password", c.Password.placeholder()),
		slog.String("identity_token", c.IdentityToken.placeholder()),
		slog.String("registry_token", c.RegistryToken.placeholder()),
	)
}

// secrets returns the non-empty secret values of c, for redaction.
func (c Credential) secrets() []string {
	var out []string
	for _, s := range []Secret{c.Password, c.IdentityToken, c.RegistryToken} {
		if !s.IsZero() {
			out = append(out, s.reveal())
		}
	}
	return out
}

// CredentialProvider returns the credential for registry (a host such as
// "registry.example.com:5000", or "docker.io" for Docker Hub) at the moment of a
// pull. It is called once per pull that reaches the engine, never cached: the
// returned Credential is handed to the daemon for that one request and then
// dropped. Return the zero Credential for anonymous access.
//
// An error from the provider denies the pull with a [*CredentialError]; its
// message is never included in ours (it might hold a secret) but is reachable
// with errors.Unwrap. The provider may be called concurrently.
type CredentialProvider func(ctx context.Context, registry string) (Credential, error)

// StaticCredentials returns a provider that hands out creds[registry], and the
// zero Credential (anonymous) for any other registry. The map is copied.
func StaticCredentials(creds map[string]Credential) CredentialProvider {
	m := make(map[string]Credential, len(creds))
	for k, v := range creds {
		m[strings.ToLower(k)] = v
	}
	return func(_ context.Context, registry string) (Credential, error) {
		return m[strings.ToLower(registry)], nil
	}
}

// redactSecrets replaces every occurrence of each secret in msg.
func redactSecrets(msg string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, secretPlaceholder)
		}
	}
	return msg
}

// ErrCredentials is matched (with errors.Is) by a [*CredentialError]: the
// credential provider failed, so the pull was denied before reaching the daemon.
var ErrCredentials = errors.New("safedocker: credential provider failed")

// CredentialError reports that the [CredentialProvider] failed for Registry. Its
// message never includes the provider's error text; Unwrap returns that error
// (and Is matches [ErrCredentials]).
type CredentialError struct {
	Registry string
	err      error
}

// Error names the registry only.
func (e *CredentialError) Error() string {
	return fmt.Sprintf("safedocker: credential provider failed for registry %q", e.Registry)
}

// Unwrap returns the provider's error.
func (e *CredentialError) Unwrap() error { return e.err }

// Is matches [ErrCredentials].
func (e *CredentialError) Is(target error) bool { return target == ErrCredentials }
