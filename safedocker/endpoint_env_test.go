package safedocker

import (
	"path/filepath"
	"testing"
)

func envLookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestEndpointFromEnvFunc(t *testing.T) {
	p := certs(t)
	certDir := filepath.Dir(p.Good.CAFile) // holds ca.pem, cert.pem, key.pem
	emptyDir := t.TempDir()
	const ack = AcknowledgeRootEquivalentSocket

	type want struct {
		kind EndpointKind
		host string // transportConfig().Host
		err  error
	}
	tests := []struct {
		name string
		env  map[string]string
		ack  socketAcknowledgement
		want want
	}{
		{"unset: default socket", nil, ack, want{EndpointKindUnixSocket, "unix:///var/run/docker.sock", nil}},
		{"empty: default socket", map[string]string{"DOCKER_HOST": " "}, ack, want{EndpointKindUnixSocket, "unix:///var/run/docker.sock", nil}},
		{"unset without ack", nil, "", want{err: ErrSocketNotAcknowledged}},
		{"unix", map[string]string{"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}, ack, want{EndpointKindUnixSocket, "unix:///run/user/1000/docker.sock", nil}},
		{"unix ignores TLS vars", map[string]string{"DOCKER_HOST": "unix:///run/docker.sock", "DOCKER_TLS_VERIFY": "0", "DOCKER_CERT_PATH": emptyDir}, ack, want{EndpointKindUnixSocket, "unix:///run/docker.sock", nil}},
		{"unix without ack", map[string]string{"DOCKER_HOST": "unix:///run/docker.sock"}, "", want{err: ErrSocketNotAcknowledged}},
		{"unix relative", map[string]string{"DOCKER_HOST": "unix://docker.sock"}, ack, want{err: ErrInvalidEndpoint}},
		{"tcp without TLS_VERIFY", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInsecureEndpoint}},
		{"tcp with empty TLS_VERIFY", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInsecureEndpoint}},
		{"tcp with TLS_VERIFY=0", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "0", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInsecureEndpoint}},
		{"tcp with TLS_VERIFY=false", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "false", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInsecureEndpoint}},
		{"tcp with TLS_VERIFY=yes", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "yes", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInvalidEndpoint}},
		{"tcp without CERT_PATH", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1"}, ack, want{err: ErrInsecureEndpoint}},
		{"tcp with empty cert dir", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": emptyDir}, ack, want{err: ErrInvalidEndpoint}},
		{"tcp verified", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir}, "", want{EndpointKindTLS, "tcp://127.0.0.1:2376", nil}},
		{"tcp verified true", map[string]string{"DOCKER_HOST": "tcp://docker.example.com:2376", "DOCKER_TLS_VERIFY": "true", "DOCKER_CERT_PATH": certDir}, ack, want{EndpointKindTLS, "tcp://docker.example.com:2376", nil}},
		{"https verified", map[string]string{"DOCKER_HOST": "https://docker.example.com", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir}, "", want{EndpointKindTLS, "tcp://docker.example.com:443", nil}},
		{"tcp without port", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInvalidEndpoint}},
		{"http", map[string]string{"DOCKER_HOST": "http://127.0.0.1:2375", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certDir}, ack, want{err: ErrInsecureEndpoint}},
		{"ssh", map[string]string{"DOCKER_HOST": "ssh://me@host"}, ack, want{err: ErrInvalidEndpoint}},
		{"npipe", map[string]string{"DOCKER_HOST": "npipe:////./pipe/docker_engine"}, ack, want{err: ErrInvalidEndpoint}},
		{"fd", map[string]string{"DOCKER_HOST": "fd://"}, ack, want{err: ErrInvalidEndpoint}},
		{"no scheme", map[string]string{"DOCKER_HOST": "localhost:2376"}, ack, want{err: ErrInvalidEndpoint}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := EndpointFromEnvFunc(envLookup(tt.env), tt.ack)
			if tt.want.err != nil {
				wantEndpointError(t, err, tt.want.err, "")
				return
			}
			if err != nil {
				t.Fatalf("EndpointFromEnvFunc: %v", err)
			}
			if ep.Kind() != tt.want.kind || ep.transportConfig().Host != tt.want.host {
				t.Errorf("got %v %q; want %v %q", ep.Kind(), ep.transportConfig().Host, tt.want.kind, tt.want.host)
			}
		})
	}
	t.Run("nil lookup", func(t *testing.T) {
		_, err := EndpointFromEnvFunc(nil, ack)
		wantEndpointError(t, err, ErrInvalidEndpoint, "nil")
	})
}

func TestEndpointFromEnv(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
	t.Setenv("DOCKER_TLS_VERIFY", "")
	_, err := EndpointFromEnv(AcknowledgeRootEquivalentSocket)
	ee := wantEndpointError(t, err, ErrInsecureEndpoint, "DOCKER_TLS_VERIFY")
	if ee.Host != "tcp://127.0.0.1:2375" {
		t.Errorf("Host = %q", ee.Host)
	}

	t.Setenv("DOCKER_HOST", "unix:///run/docker.sock")
	ep, err := EndpointFromEnv(AcknowledgeRootEquivalentSocket)
	if err != nil || ep.Kind() != EndpointKindUnixSocket {
		t.Fatalf("unix from env: %v, %v", ep, err)
	}
}
