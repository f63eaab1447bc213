package safedocker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/internal/engine/transport"
)

// certs returns generated test certificates. The proxy it comes from is
// never connected to, so no daemon is needed.
func certs(t *testing.T) *dockertest.TLSProxy {
	t.Helper()
	return dockertest.MTLSProxy(t, filepath.Join(t.TempDir(), "no-upstream.sock"), dockertest.MTLSOptions{})
}

func mustTLSEndpoint(t *testing.T) Endpoint {
	t.Helper()
	p := certs(t)
	ep, err := TLSEndpoint("tcp://127.0.0.1:2376", p.Good.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// wantEndpointError checks that err is an *EndpointError matching sentinel,
// with a problem containing problem and a non-empty fix.
func wantEndpointError(t *testing.T, err error, sentinel error, problem string) *EndpointError {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v; want %v", err, sentinel)
	}
	var ee *EndpointError
	if !errors.As(err, &ee) {
		t.Fatalf("%T is not an *EndpointError", err)
	}
	if !strings.Contains(ee.Problem, problem) {
		t.Errorf("Problem = %q; want it to contain %q", ee.Problem, problem)
	}
	if ee.Fix == "" {
		t.Errorf("no Fix in %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "safedocker: endpoint") || !strings.Contains(msg, "; fix: "+ee.Fix) {
		t.Errorf("message %q", msg)
	}
	for _, other := range []error{ErrInsecureEndpoint, ErrInvalidEndpoint, ErrSocketNotAcknowledged} {
		if other != sentinel && errors.Is(err, other) {
			t.Errorf("err also matches %v", other)
		}
	}
	return ee
}

func TestZeroEndpoint(t *testing.T) {
	var ep Endpoint
	if ep.Kind() != EndpointKindInvalid || ep.Kind().String() != "invalid" {
		t.Errorf("Kind = %v", ep.Kind())
	}
	if s := ep.String(); s != "invalid endpoint (zero value)" {
		t.Errorf("String = %q", s)
	}
	wantEndpointError(t, ep.Validate(), ErrInvalidEndpoint, "zero Endpoint")
	if cfg := ep.transportConfig(); cfg != (transport.Config{}) {
		t.Errorf("transportConfig = %+v; want zero", cfg)
	}
	if _, err := transport.NewHTTPClient(ep.transportConfig()); !errors.Is(err, transport.ErrInvalidConfig) {
		t.Errorf("NewHTTPClient(zero) = %v; want ErrInvalidConfig", err)
	}
	if EndpointKind(9).String() != "EndpointKind(9)" {
		t.Errorf("EndpointKind(9).String() = %q", EndpointKind(9).String())
	}
}

func TestTLSEndpointRefusals(t *testing.T) {
	p := certs(t)
	good := p.Good.ClientConfig
	tests := []struct {
		name    string
		host    string
		cfg     func() *tls.Config
		want    error
		problem string
		fix     string
	}{
		{"plain tcp (nil config)", "tcp://127.0.0.1:2375", func() *tls.Config { return nil }, ErrInsecureEndpoint, "tcp:// without TLS", "TLSEndpointFromFiles"},
		{"http", "http://127.0.0.1:2375", good, ErrInsecureEndpoint, "http:// is plain text", "tcp://host:2376"},
		{"HTTP upper case", "HTTP://127.0.0.1:2375", good, ErrInsecureEndpoint, "plain text", "--tlsverify"},
		{"unix", "unix:///var/run/docker.sock", good, ErrInsecureEndpoint, "not a TLS endpoint", "UnixSocketEndpoint"},
		{"ssh", "ssh://me@host", good, ErrInvalidEndpoint, "unsupported scheme", "tcp://"},
		{"npipe", "npipe:////./pipe/docker_engine", good, ErrInvalidEndpoint, "unsupported scheme", "tcp://"},
		{"no scheme", "127.0.0.1:2376", good, ErrInvalidEndpoint, "no scheme", "tcp://host:port"},
		{"empty", "", good, ErrInvalidEndpoint, "no scheme", "tcp://host:port"},
		{"no port", "tcp://127.0.0.1", good, ErrInvalidEndpoint, "host and port", "2376"},
		{"no host", "tcp://:2376", good, ErrInvalidEndpoint, "host and port", "2376"},
		{"port 0", "tcp://127.0.0.1:0", good, ErrInvalidEndpoint, "invalid port", "2376"},
		{"port too big", "tcp://127.0.0.1:99999", good, ErrInvalidEndpoint, "invalid port", "65535"},
		{"credentials", "tcp://admin:hunter2@127.0.0.1:2376", good, ErrInvalidEndpoint, "credentials", "user:password@"},
		{"path", "tcp://127.0.0.1:2376/v1.41", good, ErrInvalidEndpoint, "path, query or fragment", "tcp://host:port"},
		{"query", "tcp://127.0.0.1:2376?x=1", good, ErrInvalidEndpoint, "path, query or fragment", "tcp://host:port"},
		{"InsecureSkipVerify", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.InsecureSkipVerify = true; return c }, ErrInsecureEndpoint, "InsecureSkipVerify", "no override"},
		{"MinVersion TLS 1.1", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.MinVersion = tls.VersionTLS11; return c }, ErrInsecureEndpoint, "below TLS 1.2", "VersionTLS12"},
		{"MinVersion TLS 1.0", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.MinVersion = tls.VersionTLS10; return c }, ErrInsecureEndpoint, "TLS 1.0 is below", "VersionTLS12"},
		{"MaxVersion TLS 1.1", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.MaxVersion = tls.VersionTLS11; return c }, ErrInsecureEndpoint, "MaxVersion", "VersionTLS12"},
		{"system roots", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.RootCAs = nil; return c }, ErrInsecureEndpoint, "not pinned", "RootCAs"},
		{"no client certificate", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.Certificates = nil; return c }, ErrInsecureEndpoint, "no client certificate", "--tlsverify"},
		{"certificate without key", "tcp://127.0.0.1:2376", func() *tls.Config {
			c := good()
			c.Certificates = []tls.Certificate{{Certificate: c.Certificates[0].Certificate}}
			return c
		}, ErrInvalidEndpoint, "no private key", "X509KeyPair"},
		{"insecure cipher suite", "tcp://127.0.0.1:2376", func() *tls.Config {
			c := good()
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA}
			return c
		}, ErrInsecureEndpoint, "TLS_RSA_WITH_RC4_128_SHA", "CipherSuites"},
		{"key log", "tcp://127.0.0.1:2376", func() *tls.Config { c := good(); c.KeyLogWriter = io.Discard; return c }, ErrInsecureEndpoint, "KeyLogWriter", "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := TLSEndpoint(tt.host, tt.cfg())
			if ep != (Endpoint{}) {
				t.Errorf("a refused endpoint is not the zero value: %v", ep)
			}
			ee := wantEndpointError(t, err, tt.want, tt.problem)
			if !strings.Contains(ee.Fix, tt.fix) {
				t.Errorf("Fix = %q; want it to mention %q", ee.Fix, tt.fix)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("message leaks the password: %v", err)
			}
		})
	}
}

func TestTLSEndpointAccepts(t *testing.T) {
	p := certs(t)
	tests := []struct {
		host, wantHost, wantServerName string
	}{
		{"tcp://127.0.0.1:2376", "tcp://127.0.0.1:2376", "127.0.0.1"},
		{"TCP://docker.example.com:2376/", "tcp://docker.example.com:2376", "docker.example.com"},
		{"https://docker.example.com", "tcp://docker.example.com:443", "docker.example.com"},
		{"https://docker.example.com:8443", "tcp://docker.example.com:8443", "docker.example.com"},
		{"tcp://[::1]:2376", "tcp://[::1]:2376", "::1"},
	}
	for _, tt := range tests {
		cfg := p.Good.ClientConfig()
		cfg.MinVersion = 0 // becomes TLS 1.2
		ep, err := TLSEndpoint(tt.host, cfg)
		if err != nil {
			t.Fatalf("TLSEndpoint(%q): %v", tt.host, err)
		}
		if ep.Kind() != EndpointKindTLS || ep.Validate() != nil {
			t.Errorf("%q: Kind %v Validate %v", tt.host, ep.Kind(), ep.Validate())
		}
		if want := "tls " + tt.wantHost + " (mutual TLS, CA pinned)"; ep.String() != want {
			t.Errorf("String = %q; want %q", ep.String(), want)
		}
		tc := ep.transportConfig()
		if tc.Host != tt.wantHost || tc.SocketPath != "" || tc.TLS == nil {
			t.Fatalf("transportConfig = %+v", tc)
		}
		if tc.TLS.MinVersion != tls.VersionTLS12 || tc.TLS.InsecureSkipVerify || tc.TLS.ServerName != tt.wantServerName || len(tc.TLS.CipherSuites) == 0 {
			t.Errorf("TLS: min %x skip %v name %q suites %d", tc.TLS.MinVersion, tc.TLS.InsecureSkipVerify, tc.TLS.ServerName, len(tc.TLS.CipherSuites))
		}
		if _, err := transport.NewHTTPClient(tc); err != nil {
			t.Errorf("NewHTTPClient: %v", err)
		}
	}
}

func TestTLSEndpointIsImmutable(t *testing.T) {
	p := certs(t)
	cfg := p.Good.ClientConfig()
	cfg.MinVersion = tls.VersionTLS13
	ep, err := TLSEndpoint("tcp://127.0.0.1:2376", cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Changing the caller's config afterwards does not reach the endpoint.
	cfg.InsecureSkipVerify = true
	cfg.MinVersion = tls.VersionTLS10
	// Changing a returned config does not reach the next one.
	first := ep.transportConfig()
	first.TLS.InsecureSkipVerify = true
	first.TLS.RootCAs = nil
	second := ep.transportConfig()
	if second.TLS.InsecureSkipVerify || second.TLS.MinVersion != tls.VersionTLS13 || second.TLS.RootCAs == nil {
		t.Errorf("endpoint was changed from outside: %+v", second.TLS)
	}
	if first.TLS == second.TLS {
		t.Error("transportConfig returned the same *tls.Config twice")
	}
}

func TestTLSEndpointFromFiles(t *testing.T) {
	p := certs(t)
	ep, err := TLSEndpointFromFiles("tcp://127.0.0.1:2376", TLSFiles{CAFile: p.Good.CAFile, CertFile: p.Good.CertFile, KeyFile: p.Good.KeyFile})
	if err != nil {
		t.Fatal(err)
	}
	tc := ep.transportConfig()
	if len(tc.TLS.Certificates) != 1 || tc.TLS.RootCAs == nil || tc.TLS.MinVersion != tls.VersionTLS12 {
		t.Fatalf("TLS = %+v", tc.TLS)
	}
	// Only the given CA is trusted: the server certificate's CA verifies,
	// the wrong CA and the system pool do not.
	caCert := p.Good.ClientCert.Leaf // signed by the good CA
	if _, err := caCert.Verify(x509.VerifyOptions{Roots: tc.TLS.RootCAs, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the good CA is not in RootCAs: %v", err)
	}
	if _, err := p.Wrong.ClientCert.Leaf.Verify(x509.VerifyOptions{Roots: tc.TLS.RootCAs, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
		t.Error("RootCAs trusts the wrong CA")
	}
}

func TestTLSEndpointFromFilesRefusals(t *testing.T) {
	p := certs(t)
	g := p.Good
	missing := filepath.Join(t.TempDir(), "missing.pem")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		host    string
		files   TLSFiles
		want    error
		problem string
	}{
		{"no files", "tcp://127.0.0.1:2376", TLSFiles{}, ErrInsecureEndpoint, "CAFile, CertFile, KeyFile"},
		{"no CA", "tcp://127.0.0.1:2376", TLSFiles{CertFile: g.CertFile, KeyFile: g.KeyFile}, ErrInsecureEndpoint, "CAFile"},
		{"no client pair", "tcp://127.0.0.1:2376", TLSFiles{CAFile: g.CAFile}, ErrInsecureEndpoint, "CertFile, KeyFile"},
		{"no key", "tcp://127.0.0.1:2376", TLSFiles{CAFile: g.CAFile, CertFile: g.CertFile}, ErrInvalidEndpoint, "KeyFile"},
		{"missing CA file", "tcp://127.0.0.1:2376", TLSFiles{CAFile: missing, CertFile: g.CertFile, KeyFile: g.KeyFile}, ErrInvalidEndpoint, "cannot load"},
		{"missing cert file", "tcp://127.0.0.1:2376", TLSFiles{CAFile: g.CAFile, CertFile: missing, KeyFile: g.KeyFile}, ErrInvalidEndpoint, "cannot load"},
		{"garbage CA", "tcp://127.0.0.1:2376", TLSFiles{CAFile: garbage, CertFile: g.CertFile, KeyFile: g.KeyFile}, ErrInvalidEndpoint, "cannot load"},
		{"mismatched key", "tcp://127.0.0.1:2376", TLSFiles{CAFile: g.CAFile, CertFile: g.CertFile, KeyFile: p.Wrong.KeyFile}, ErrInvalidEndpoint, "cannot load"},
		{"http host", "http://127.0.0.1:2376", TLSFiles{CAFile: g.CAFile, CertFile: g.CertFile, KeyFile: g.KeyFile}, ErrInsecureEndpoint, "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := TLSEndpointFromFiles(tt.host, tt.files)
			wantEndpointError(t, err, tt.want, tt.problem)
		})
	}
	// The file error is reachable as the cause.
	_, err := TLSEndpointFromFiles("tcp://127.0.0.1:2376", TLSFiles{CAFile: g.CAFile, CertFile: missing, KeyFile: g.KeyFile})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v; want it to wrap fs.ErrNotExist", err)
	}
}

func TestUnixSocketEndpoint(t *testing.T) {
	ok := []struct{ in, want string }{
		{"/var/run/docker.sock", "/var/run/docker.sock"},
		{"unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock"},
		{"/var/run//docker.sock", "/var/run/docker.sock"},
		{"/run/x/../docker.sock", "/run/docker.sock"},
	}
	for _, tt := range ok {
		ep, err := UnixSocketEndpoint(tt.in, AcknowledgeRootEquivalentSocket)
		if err != nil {
			t.Fatalf("UnixSocketEndpoint(%q): %v", tt.in, err)
		}
		if ep.Kind() != EndpointKindUnixSocket || ep.Validate() != nil {
			t.Errorf("%q: Kind %v Validate %v", tt.in, ep.Kind(), ep.Validate())
		}
		tc := ep.transportConfig()
		if tc != (transport.Config{Host: "unix://" + tt.want, SocketPath: tt.want}) {
			t.Errorf("%q: transportConfig = %+v", tt.in, tc)
		}
		if want := "unix " + tt.want + " (root-equivalent socket, acknowledged)"; ep.String() != want {
			t.Errorf("String = %q; want %q", ep.String(), want)
		}
		if _, err := transport.NewHTTPClient(tc); err != nil {
			t.Errorf("NewHTTPClient: %v", err)
		}
	}

	refused := []struct {
		name    string
		path    string
		ack     socketAcknowledgement
		want    error
		problem string
	}{
		{"no acknowledgement", "/var/run/docker.sock", "", ErrSocketNotAcknowledged, "explicit acknowledgement"},
		{"wrong acknowledgement", "/var/run/docker.sock", "yes", ErrSocketNotAcknowledged, "explicit acknowledgement"},
		{"relative", "docker.sock", AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "relative"},
		{"empty", "", AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "empty"},
		{"empty unix URL", "unix://", AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "empty"},
		{"abstract", "@docker", AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "abstract"},
		{"NUL", "/run/docker\x00.sock", AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "NUL"},
		{"too long", "/" + strings.Repeat("a", 107), AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "longer than 107"},
		{"tcp", "tcp://127.0.0.1:2376", AcknowledgeRootEquivalentSocket, ErrInvalidEndpoint, "not a unix socket path"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := UnixSocketEndpoint(tt.path, tt.ack)
			wantEndpointError(t, err, tt.want, tt.problem)
		})
	}
}

// TestAcknowledgementMustBeConstant proves that a runtime string cannot be
// passed as the acknowledgement: a program doing so does not compile, while
// the same program passing the constant does.
func TestAcknowledgementMustBeConstant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goBin, err := exec.LookPath("go") // under go test, the running toolchain
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	build := func(arg string) (string, error) {
		src := "package acknegative\n\nimport (\n\t\"os\"\n\n\t\"github.com/safedocker/safedocker/safedocker\"\n)\n\n" +
			"var ack = os.Getenv(\"ACK\")\n\nfunc F() { _, _ = safedocker.UnixSocketEndpoint(\"/var/run/docker.sock\", " + arg + ") }\n"
		dir := t.TempDir()
		file := filepath.Join(dir, "x.go")
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		// A package that exists only in the overlay, inside this module.
		virtual := filepath.Join(filepath.Dir(wd), "internal", "zz_acknegative", "x.go")
		overlay := filepath.Join(dir, "overlay.json")
		if err := os.WriteFile(overlay, []byte(`{"Replace":{"`+virtual+`":"`+file+`"}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goBin, "build", "-overlay="+overlay, "./internal/zz_acknegative")
		cmd.Dir = filepath.Dir(wd)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := build("safedocker.AcknowledgeRootEquivalentSocket + os.Args[0][:0]"); err == nil {
		t.Fatal("a runtime string compiled as an acknowledgement")
	} else if !strings.Contains(out, "socketAcknowledgement") {
		t.Fatalf("build failed for another reason: %s", out)
	}
	if out, err := build("ack"); err == nil || !strings.Contains(out, "socketAcknowledgement") {
		t.Fatalf("a string variable compiled as an acknowledgement (or failed otherwise): %v %s", err, out)
	}
	if out, err := build("safedocker.AcknowledgeRootEquivalentSocket"); err != nil {
		t.Fatalf("the constant does not compile: %v %s", err, out)
	}
}

// TestTLSEndToEnd connects through a real mutual-TLS proxy to the daemon.
func TestTLSEndToEnd(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	p := dockertest.MTLSProxy(t, sock, dockertest.MTLSOptions{})

	ping := func(t *testing.T, cfg transport.Config, url string) (string, error) {
		t.Helper()
		c, err := transport.NewHTTPClient(cfg)
		if err != nil {
			return "", err
		}
		defer c.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return string(b), errors.New(resp.Status)
		}
		return string(b), err
	}

	t.Run("files", func(t *testing.T) {
		ep, err := TLSEndpointFromFiles(p.Host, TLSFiles{CAFile: p.Good.CAFile, CertFile: p.Good.CertFile, KeyFile: p.Good.KeyFile})
		if err != nil {
			t.Fatal(err)
		}
		before := p.Forwarded()
		// The host in the URL is ignored and "http" still speaks TLS: the
		// transport is pinned to the endpoint.
		for _, url := range []string{"https://" + p.Addr + "/_ping", "http://docker/_ping"} {
			body, err := ping(t, ep.transportConfig(), url)
			if err != nil || body != "OK" {
				t.Errorf("GET %s: %q, %v; want OK", url, body, err)
			}
		}
		if p.Forwarded() <= before {
			t.Error("the proxy forwarded nothing")
		}
	})

	t.Run("tls.Config", func(t *testing.T) {
		ep, err := TLSEndpoint(p.Host, p.Good.ClientConfig())
		if err != nil {
			t.Fatal(err)
		}
		if body, err := ping(t, ep.transportConfig(), "http://docker/_ping"); err != nil || body != "OK" {
			t.Errorf("ping: %q, %v", body, err)
		}
	})

	t.Run("wrong CA", func(t *testing.T) {
		ep, err := TLSEndpointFromFiles(p.Host, TLSFiles{CAFile: p.Wrong.CAFile, CertFile: p.Good.CertFile, KeyFile: p.Good.KeyFile})
		if err != nil {
			t.Fatal(err)
		}
		before := p.Forwarded()
		_, err = ping(t, ep.transportConfig(), "http://docker/_ping")
		var cve *tls.CertificateVerificationError
		if !errors.As(err, &cve) {
			t.Errorf("err = %v; want a certificate verification error", err)
		}
		if p.Forwarded() != before {
			t.Error("a connection that trusts the wrong CA reached the daemon")
		}
	})

	t.Run("client certificate from the wrong CA", func(t *testing.T) {
		cfg := p.Wrong.ClientConfig()
		cfg.RootCAs = p.Good.CAPool
		ep, err := TLSEndpoint(p.Host, cfg)
		if err != nil {
			t.Fatal(err)
		}
		before := p.Forwarded()
		if body, err := ping(t, ep.transportConfig(), "http://docker/_ping"); err == nil {
			t.Errorf("an unknown client certificate reached the daemon: %q", body)
		}
		if p.Forwarded() != before {
			t.Error("the proxy forwarded an unauthenticated client")
		}
	})

	t.Run("missing client certificate", func(t *testing.T) {
		cfg := p.Good.ClientConfig()
		cfg.Certificates = nil
		// The endpoint refuses to be built without one...
		if _, err := TLSEndpoint(p.Host, cfg); !errors.Is(err, ErrInsecureEndpoint) {
			t.Fatalf("TLSEndpoint without a client certificate: %v", err)
		}
		// ...and the server refuses a transport that has none.
		before := p.Forwarded()
		if body, err := ping(t, transport.Config{Host: p.Host, TLS: cfg}, "http://docker/_ping"); err == nil {
			t.Errorf("a client without a certificate reached the daemon: %q", body)
		}
		if p.Forwarded() != before {
			t.Error("the proxy forwarded a client without a certificate")
		}
		// The server records its side of a failure just after the client
		// sees it, so an earlier subtest's failure can land after this
		// one started: look for ours among all of them.
		const want = "client didn't provide a certificate"
		found := func() bool {
			for _, err := range p.HandshakeErrors() {
				if strings.Contains(err.Error(), want) {
					return true
				}
			}
			return false
		}
		for deadline := time.Now().Add(5 * time.Second); !found() && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if !found() {
			t.Errorf("server-side handshake errors = %v; want one about the missing client certificate", p.HandshakeErrors())
		}
	})

	t.Run("client limited to TLS 1.1", func(t *testing.T) {
		cfg := p.Good.ClientConfig()
		cfg.MinVersion = tls.VersionTLS10
		cfg.MaxVersion = tls.VersionTLS11
		if _, err := TLSEndpoint(p.Host, cfg); !errors.Is(err, ErrInsecureEndpoint) {
			t.Fatalf("TLSEndpoint with TLS 1.1: %v", err)
		}
		if _, err := transport.NewHTTPClient(transport.Config{Host: p.Host, TLS: cfg}); !errors.Is(err, transport.ErrInvalidConfig) {
			t.Fatalf("transport with TLS 1.1: %v", err)
		}
		// And the daemon side refuses such a client on the wire.
		before := p.Forwarded()
		if c, err := tls.Dial("tcp", p.Addr, cfg); err == nil {
			_ = c.Close()
			t.Error("the server completed a TLS 1.1 handshake")
		}
		if p.Forwarded() != before {
			t.Error("the proxy forwarded a TLS 1.1 client")
		}
	})

	t.Run("server limited to TLS 1.1", func(t *testing.T) {
		old := dockertest.MTLSProxy(t, sock, dockertest.MTLSOptions{ServerMinVersion: tls.VersionTLS10, ServerMaxVersion: tls.VersionTLS11})
		ep, err := TLSEndpoint(old.Host, old.Good.ClientConfig())
		if err != nil {
			t.Fatal(err)
		}
		_, err = ping(t, ep.transportConfig(), "http://docker/_ping")
		if err == nil || !strings.Contains(err.Error(), "protocol version") {
			t.Errorf("err = %v; want a protocol version failure", err)
		}
		if old.Forwarded() != 0 {
			t.Error("our client spoke TLS 1.1 to the daemon")
		}
	})
}

// BenchmarkTransportConfig measures what a client pays per transport it
// builds from an endpoint (a tls.Config clone).
func BenchmarkTransportConfig(b *testing.B) {
	dir := b.TempDir()
	p := dockertest.MTLSProxy(b, filepath.Join(dir, "none.sock"), dockertest.MTLSOptions{})
	ep, err := TLSEndpoint(p.Host, p.Good.ClientConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ep.transportConfig().TLS == nil {
			b.Fatal("no TLS")
		}
	}
}
