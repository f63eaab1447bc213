// Package transport builds the HTTP client that carries Docker Engine API
// requests to one daemon endpoint: a Unix socket, or a TCP address spoken to
// over verified TLS only.
//
// # Pinned destination
//
// The returned client dials only the endpoint in its [Config]. The host part
// of a request URL is ignored, so a request built with any base URL still
// reaches the configured socket or address, and a TLS client always speaks
// TLS, even when a caller (for example an SDK that guesses the scheme) asks
// for "http://". Proxies from the environment (HTTP_PROXY and friends) are
// never used, redirects are never followed, and HTTP/2 is disabled: the
// Engine API is HTTP/1.1 and its attach and exec streams rely on hijacking
// the connection.
//
// # Use with an API client library
//
// An API client that is handed this HTTP client must not reconfigure its
// transport. The Docker SDK (v28) does exactly that in WithHost when it finds
// an *http.Transport: for tcp:// it installs HTTP_PROXY-from-environment and a
// plain dialer. So the engine adapter must
//
//   - apply WithHost BEFORE WithHTTPClient (WithHost then only touches the
//     SDK's default client, which WithHTTPClient replaces);
//   - hand over a client it does not use elsewhere (the SDK wraps the
//     client's Transport in place);
//   - keep the *http.Transport as the Transport (the SDK dials hijacked
//     attach/exec streams itself with tls.Dial and TLSClientConfig, which is
//     why TLSClientConfig is set to the same verified configuration), and
//     call [Check] on it after building the SDK client, which fails if any of
//     the guarantees was undone.
//
// # Timeouts
//
// Dialing is bounded by [DialTimeout], the TLS handshake by
// [TLSHandshakeTimeout], and idle pooled connections are closed after
// [IdleConnTimeout]. There is deliberately no overall request timeout and no
// response-header timeout: container wait, logs follow and attach stream for
// as long as the container runs. Bound every call with its context.
package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Timeouts and bounds of the client returned by [NewHTTPClient].
const (
	// DialTimeout bounds establishing the socket or TCP connection.
	DialTimeout = 30 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake after the TCP connection.
	TLSHandshakeTimeout = 10 * time.Second
	// IdleConnTimeout is how long an idle pooled connection is kept.
	IdleConnTimeout = 90 * time.Second
	// KeepAlive is the TCP keep-alive period for TLS connections.
	KeepAlive = 30 * time.Second
	// MaxResponseHeaderBytes bounds the response headers the daemon may send.
	MaxResponseHeaderBytes = 1 << 20
	// MaxIdleConns bounds the pool of idle connections to the daemon.
	MaxIdleConns = 16
)

// maxUnixPathLen is the size of sun_path on Linux minus the terminating NUL.
const maxUnixPathLen = 107

// ErrInvalidConfig is returned (wrapped) by [NewHTTPClient] when the Config
// does not describe exactly one secure destination: a Unix socket, or a
// tcp:// address with a verifying TLS configuration of version 1.2 or newer.
var ErrInvalidConfig = errors.New("transport: invalid config")

// Config describes where the client connects. Exactly one form is valid:
//
//   - Unix socket: Host is "unix://" followed by SocketPath, SocketPath is an
//     absolute path, and TLS is nil.
//   - TLS over TCP: Host is "tcp://host:port", SocketPath is empty, and TLS
//     is non-nil, verifies the server (InsecureSkipVerify false) and allows
//     no version below TLS 1.2.
//
// The zero value is invalid. NewHTTPClient clones TLS, so the caller may
// reuse or discard it afterwards.
type Config struct {
	// Host is "unix:///path" or "tcp://host:port". An API client uses it as
	// its base host (for the Docker SDK: WithHost).
	Host string
	// SocketPath is the Unix socket path; empty for TCP.
	SocketPath string
	// TLS is the client TLS configuration; nil for a Unix socket.
	TLS *tls.Config
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// validate checks cfg and returns the address to dial ("unix" path or
// "tcp" host:port).
func (cfg Config) validate() (network, addr string, err error) {
	switch {
	case strings.HasPrefix(cfg.Host, "unix://"):
		if cfg.TLS != nil {
			return "", "", invalid("a unix socket takes no TLS configuration")
		}
		p := strings.TrimPrefix(cfg.Host, "unix://")
		if p != cfg.SocketPath {
			return "", "", invalid("host %q does not match socket path %q", cfg.Host, cfg.SocketPath)
		}
		if !filepath.IsAbs(p) || filepath.Clean(p) != p {
			return "", "", invalid("socket path %q must be absolute and clean", p)
		}
		if len(p) > maxUnixPathLen || strings.ContainsRune(p, 0) {
			return "", "", invalid("socket path %q is not a valid unix socket path", p)
		}
		return "unix", p, nil
	case strings.HasPrefix(cfg.Host, "tcp://"):
		if cfg.SocketPath != "" {
			return "", "", invalid("a tcp host takes no socket path")
		}
		if cfg.TLS == nil {
			return "", "", invalid("tcp without TLS is refused")
		}
		if err := checkTLS(cfg.TLS); err != nil {
			return "", "", err
		}
		u, err := url.Parse(cfg.Host)
		if err != nil {
			return "", "", invalid("host %q: %v", cfg.Host, err)
		}
		if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return "", "", invalid("host %q must be tcp://host:port only", cfg.Host)
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil || host == "" || port == "" {
			return "", "", invalid("host %q must be tcp://host:port", cfg.Host)
		}
		return "tcp", u.Host, nil
	}
	return "", "", invalid("host %q must start with unix:// or tcp://", cfg.Host)
}

// checkTLS is a second line of defence behind the endpoint constructors.
func checkTLS(c *tls.Config) error {
	if c.InsecureSkipVerify {
		return invalid("TLS verification must not be skipped")
	}
	if c.MinVersion != 0 && c.MinVersion < tls.VersionTLS12 {
		return invalid("TLS minimum version below 1.2")
	}
	if c.MaxVersion != 0 && c.MaxVersion < tls.VersionTLS12 {
		return invalid("TLS maximum version below 1.2")
	}
	return nil
}

// NewHTTPClient returns an HTTP/1.1 client whose every connection goes to the
// destination in cfg (see the package documentation for the guarantees and
// timeouts). It performs no I/O. It returns an error wrapping
// [ErrInvalidConfig] if cfg is not valid.
//
// The returned client is safe for concurrent use; call CloseIdleConnections
// on it when done.
func NewHTTPClient(cfg Config) (*http.Client, error) {
	network, addr, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: DialTimeout, KeepAlive: KeepAlive}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	tr := &http.Transport{
		Proxy:                  nil, // never from the environment
		MaxIdleConns:           MaxIdleConns,
		MaxIdleConnsPerHost:    MaxIdleConns,
		IdleConnTimeout:        IdleConnTimeout,
		TLSHandshakeTimeout:    TLSHandshakeTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
		ForceAttemptHTTP2:      false,
		Protocols:              protocols,
		// A non-nil empty map disables HTTP/2 upgrades over TLS.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	switch network {
	case "unix":
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", addr)
		}
	case "tcp":
		tlsCfg := cfg.TLS.Clone()
		if tlsCfg.MinVersion < tls.VersionTLS12 {
			tlsCfg.MinVersion = tls.VersionTLS12
		}
		if tlsCfg.ServerName == "" {
			host, _, _ := net.SplitHostPort(addr)
			tlsCfg.ServerName = host
		}
		if !slices.Contains(tlsCfg.NextProtos, "http/1.1") {
			tlsCfg.NextProtos = []string{"http/1.1"}
		}
		dialTLS := func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialTLS(ctx, dialer, addr, tlsCfg)
		}
		// Plain and TLS dials both speak TLS to the pinned address.
		tr.DialContext = dialTLS
		tr.DialTLSContext = dialTLS
		// Set so that an SDK inspecting the transport picks https and dials
		// hijacked streams with verified TLS. The transport itself dials
		// with DialTLSContext; it is the same configuration.
		tr.TLSClientConfig = tlsCfg.Clone()
		// A marker for Check: the Docker SDK's WithHost resets it to false
		// together with installing a proxy and a plain dialer.
		tr.DisableCompression = true
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

// Check reports whether rt is a transport built by [NewHTTPClient] that
// still has its guarantees: an *http.Transport with no proxy, and for TLS a
// pinned TLS dialer and a verifying TLS configuration of version 1.2 or
// newer. Call it on the client's original Transport after handing the
// client to a library that may reconfigure it. It returns an error wrapping
// [ErrInvalidConfig] otherwise.
func Check(rt http.RoundTripper) error {
	tr, ok := rt.(*http.Transport)
	if !ok || tr == nil {
		return invalid("transport is %T, not the *http.Transport from NewHTTPClient", rt)
	}
	if tr.Proxy != nil {
		return invalid("transport uses a proxy (was it reconfigured after NewHTTPClient?)")
	}
	if tr.DialContext == nil {
		return invalid("transport has no pinned dialer")
	}
	if tr.TLSClientConfig != nil {
		if err := checkTLS(tr.TLSClientConfig); err != nil {
			return err
		}
		if tr.DialTLSContext == nil {
			return invalid("TLS transport has no pinned TLS dialer")
		}
		if !tr.DisableCompression {
			return invalid("TLS transport was reconfigured after NewHTTPClient")
		}
	}
	return nil
}

func dialTLS(ctx context.Context, d *net.Dialer, addr string, cfg *tls.Config) (net.Conn, error) {
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	hctx, cancel := context.WithTimeout(ctx, TLSHandshakeTimeout)
	defer cancel()
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(hctx); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("transport: TLS handshake with %s: %w", addr, err)
	}
	return conn, nil
}
