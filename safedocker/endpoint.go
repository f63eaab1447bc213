package safedocker

import (
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/go-connections/tlsconfig"

	"github.com/safedocker/safedocker/internal/engine/transport"
)

// DefaultSocketPath is the path of the rootful Docker daemon's socket, used by
// [EndpointFromEnv] when DOCKER_HOST is unset or empty.
const DefaultSocketPath = "/var/run/docker.sock"

// maxSocketPathLen is the size of sun_path on Linux minus its terminating NUL.
const maxSocketPathLen = 107

// Endpoint errors. Each is matched with errors.Is through an [*EndpointError]
// (or, for the socket check, a [*SocketError]).
var (
	// ErrInsecureEndpoint is returned when an endpoint would speak to the
	// daemon without verified TLS: tcp:// without TLS, http://,
	// InsecureSkipVerify, a TLS version below 1.2, an unpinned CA, no client
	// certificate, an insecure cipher suite, or a TLS key log. There is no
	// option to override it. It is not returned for Unix sockets, which are
	// refused with ErrSocketNotAcknowledged instead.
	ErrInsecureEndpoint = errors.New("safedocker: insecure endpoint")
	// ErrInvalidEndpoint is returned for an endpoint that cannot be used at
	// all: the zero Endpoint, a malformed host or socket path, an unsupported
	// scheme (ssh://, npipe://, fd://), or TLS files that cannot be loaded.
	ErrInvalidEndpoint = errors.New("safedocker: invalid endpoint")
	// ErrSocketNotAcknowledged is returned when a Unix socket endpoint is
	// requested without [AcknowledgeRootEquivalentSocket].
	ErrSocketNotAcknowledged = errors.New("safedocker: unix socket not acknowledged as root-equivalent")
)

// EndpointError reports an endpoint that was refused. It matches its
// sentinel ([ErrInsecureEndpoint], [ErrInvalidEndpoint] or
// [ErrSocketNotAcknowledged]) and, when there is one, the underlying cause,
// with errors.Is and errors.As.
//
// The message never contains key material or URL credentials: a host with a
// user-info part is refused and reported without it.
type EndpointError struct {
	// Host is the host or socket path as given, with credentials removed.
	Host string
	// Problem says what is wrong, for example "tcp:// without TLS".
	Problem string
	// Fix says how to correct it.
	Fix string
	// Err is the sentinel the error matches.
	Err error
	// Cause is the underlying error, if any (for example a file read error).
	Cause error
}

// Error returns "safedocker: endpoint <host>: <problem>; fix: <fix>".
func (e *EndpointError) Error() string {
	var b strings.Builder
	b.WriteString("safedocker: endpoint")
	if e.Host != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Host))
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	if e.Fix != "" {
		b.WriteString("; fix: ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause, for errors.Is and errors.As.
func (e *EndpointError) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

func endpointErr(sentinel error, host, problem, fix string) *EndpointError {
	return &EndpointError{Host: redactHost(host), Problem: problem, Fix: fix, Err: sentinel}
}

// redactHost removes a user-info part (which may hold a password) from a
// URL-shaped host.
func redactHost(host string) string {
	if i := strings.Index(host, "://"); i >= 0 {
		rest := host[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			return host[:i+3] + "REDACTED@" + rest[at+1:]
		}
	}
	return host
}

// EndpointKind says how an [Endpoint] reaches the daemon.
type EndpointKind uint8

// The endpoint kinds.
const (
	// EndpointKindInvalid is the kind of the zero Endpoint, which cannot be used.
	EndpointKindInvalid EndpointKind = iota
	// EndpointKindTLS is mutual TLS over TCP.
	EndpointKindTLS
	// EndpointKindUnixSocket is an acknowledged local Unix socket.
	EndpointKindUnixSocket
)

// String returns "invalid", "tls" or "unix".
func (k EndpointKind) String() string {
	switch k {
	case EndpointKindInvalid:
		return "invalid"
	case EndpointKindTLS:
		return "tls"
	case EndpointKindUnixSocket:
		return "unix"
	}
	return "EndpointKind(" + strconv.Itoa(int(k)) + ")"
}

// socketAcknowledgement is unexported so that only a constant can be passed
// where one is expected: a runtime string (from a flag, a file or the
// environment) cannot be converted to it outside this package.
type socketAcknowledgement string

// AcknowledgeRootEquivalentSocket is the only value that lets
// [UnixSocketEndpoint] and [EndpointFromEnv] use a Unix socket. Access to a
// rootful Docker daemon's socket is equivalent to root on its host; writing
// this constant in code records that the program's author accepted that.
// Grep for it to find every such place.
const AcknowledgeRootEquivalentSocket socketAcknowledgement = "I understand that the Docker socket is root-equivalent"

// Endpoint is a daemon address that the library accepts: mutual TLS over TCP,
// or a Unix socket acknowledged as root-equivalent. Build one with
// [TLSEndpoint], [TLSEndpointFromFiles], [UnixSocketEndpoint] or
// [EndpointFromEnv]; every way of building an insecure endpoint is refused,
// and none can be overridden.
//
// The zero Endpoint is invalid: its Kind is [EndpointKindInvalid], [Endpoint.Validate]
// reports [ErrInvalidEndpoint], and a client refuses it.
//
// An Endpoint is an immutable value, safe to copy and for concurrent use.
type Endpoint struct {
	kind       EndpointKind
	host       string      // "tcp://host:port" or "unix:///path"
	socketPath string      // unix only, as given (cleaned)
	tls        *tls.Config // TLS only; never mutated, cloned on the way out
}

// Kind returns how the endpoint reaches the daemon.
func (e Endpoint) Kind() EndpointKind { return e.kind }

// String describes the endpoint without secrets, for example
// "tls tcp://docker.example.com:2376 (mutual TLS, CA pinned)" or
// "unix /var/run/docker.sock (root-equivalent socket, acknowledged)".
func (e Endpoint) String() string {
	switch e.kind {
	case EndpointKindTLS:
		return "tls " + e.host + " (mutual TLS, CA pinned)"
	case EndpointKindUnixSocket:
		return "unix " + e.socketPath + " (root-equivalent socket, acknowledged)"
	}
	return "invalid endpoint (zero value)"
}

// Validate returns nil for an endpoint built by one of the constructors and an
// [*EndpointError] matching [ErrInvalidEndpoint] for the zero Endpoint. It
// does no I/O.
func (e Endpoint) Validate() error {
	switch e.kind {
	case EndpointKindTLS:
		if e.tls != nil && e.host != "" {
			return nil
		}
	case EndpointKindUnixSocket:
		if e.socketPath != "" {
			return nil
		}
	}
	return endpointErr(ErrInvalidEndpoint, "", "the zero Endpoint is not usable",
		"build it with TLSEndpoint, TLSEndpointFromFiles, UnixSocketEndpoint or EndpointFromEnv")
}

// transportConfig returns the configuration the client's HTTP transport is
// built from. The TLS configuration is a fresh clone on every call. For the
// zero Endpoint it returns the zero Config, which transport.NewHTTPClient
// refuses.
func (e Endpoint) transportConfig() transport.Config {
	switch e.kind {
	case EndpointKindTLS:
		if e.tls == nil {
			return transport.Config{}
		}
		return transport.Config{Host: e.host, TLS: e.tls.Clone()}
	case EndpointKindUnixSocket:
		return transport.Config{Host: e.host, SocketPath: e.socketPath}
	}
	return transport.Config{}
}

// TLSFiles names the PEM files of a mutual-TLS endpoint. All three are
// required.
type TLSFiles struct {
	// CAFile holds the CA certificate(s) that signed the daemon's
	// certificate. Only these CAs are trusted; the system pool is not used.
	CAFile string
	// CertFile holds the client certificate presented to the daemon.
	CertFile string
	// KeyFile holds the client certificate's unencrypted private key.
	KeyFile string
}

// TLSEndpoint returns a mutual-TLS endpoint for host, which must be
// "tcp://host:port" or "https://host[:port]" (port 443 when omitted). The
// configuration cfg must:
//
//   - verify the daemon (InsecureSkipVerify false; there is no override),
//   - pin the daemon's CA (RootCAs non-nil; the system pool is not accepted),
//   - present a client certificate (Certificates or GetClientCertificate),
//   - allow no TLS version below 1.2 (a zero MinVersion becomes TLS 1.2),
//   - use no insecure cipher suite and no KeyLogWriter.
//
// When cfg.CipherSuites is empty the secure defaults of the Docker TLS
// library apply; when cfg.ServerName is empty the host name from host is
// verified. Other fields, including VerifyConnection, are kept. cfg is
// cloned: later changes to it have no effect.
//
// A client certificate is always required: a daemon that accepts TLS clients
// without a certificate lets anyone who can reach its port act as root on its
// host, so this library does not offer to connect to one.
//
// Refusals are [*EndpointError] values matching [ErrInsecureEndpoint] (a nil
// cfg, that is plain tcp://; http://; unix://; or a weak cfg) or
// [ErrInvalidEndpoint] (a malformed host or key pair). TLSEndpoint does no
// I/O.
func TLSEndpoint(host string, cfg *tls.Config) (Endpoint, error) {
	hostport, serverName, err := parseTLSHost(host)
	if err != nil {
		return Endpoint{}, err
	}
	if cfg == nil {
		return Endpoint{}, endpointErr(ErrInsecureEndpoint, host, "tcp:// without TLS (nil TLS configuration) is refused",
			"pass a *tls.Config with RootCAs and a client certificate, or use TLSEndpointFromFiles with the daemon's CA and your client certificate")
	}
	secured, err := secureTLSConfig(host, cfg)
	if err != nil {
		return Endpoint{}, err
	}
	if secured.ServerName == "" {
		secured.ServerName = serverName
	}
	return Endpoint{kind: EndpointKindTLS, host: "tcp://" + hostport, tls: secured}, nil
}

// TLSEndpointFromFiles is [TLSEndpoint] with a configuration loaded from PEM
// files by the Docker TLS library: only the CAs in files.CAFile are trusted,
// the client certificate and key are presented, and TLS 1.2 is the minimum.
//
// It reads the three local files, so that a missing or mismatched file is
// reported here rather than at the first request; it makes no network
// connection. A load failure is an [*EndpointError] matching
// [ErrInvalidEndpoint] whose Cause is the load error.
func TLSEndpointFromFiles(host string, files TLSFiles) (Endpoint, error) {
	if _, _, err := parseTLSHost(host); err != nil {
		return Endpoint{}, err
	}
	var missing []string
	if files.CAFile == "" {
		missing = append(missing, "CAFile")
	}
	if files.CertFile == "" {
		missing = append(missing, "CertFile")
	}
	if files.KeyFile == "" {
		missing = append(missing, "KeyFile")
	}
	if len(missing) > 0 {
		sentinel := ErrInsecureEndpoint
		if len(missing) == 1 && missing[0] != "CAFile" {
			// A lone missing cert or key is a mistake rather than a choice.
			sentinel = ErrInvalidEndpoint
		}
		return Endpoint{}, endpointErr(sentinel, host,
			"TLS files missing: "+strings.Join(missing, ", "),
			"set CAFile (the daemon's CA), CertFile and KeyFile (the client certificate and key), for example ca.pem, cert.pem and key.pem")
	}
	cfg, err := loadTLSFiles(files)
	if err != nil {
		e := endpointErr(ErrInvalidEndpoint, host, "cannot load TLS files",
			"check that CAFile, CertFile and KeyFile exist, are readable PEM files, and that the key matches the certificate and is not encrypted")
		e.Cause = err
		return Endpoint{}, e
	}
	return TLSEndpoint(host, cfg)
}

// parseTLSHost checks a TLS host and returns "host:port" and the bare host
// name (for certificate verification).
func parseTLSHost(host string) (hostport, name string, err error) {
	scheme, _, ok := strings.Cut(host, "://")
	if !ok {
		return "", "", endpointErr(ErrInvalidEndpoint, host, "host has no scheme",
			"write it as tcp://host:port, for example tcp://docker.example.com:2376")
	}
	switch strings.ToLower(scheme) {
	case "tcp", "https":
	case "http":
		return "", "", endpointErr(ErrInsecureEndpoint, host, "http:// is plain text and is refused",
			"enable TLS on the daemon (--tlsverify) and use tcp://host:2376 with TLSEndpoint or TLSEndpointFromFiles")
	case "unix":
		return "", "", endpointErr(ErrInsecureEndpoint, host, "a unix socket is not a TLS endpoint",
			"use UnixSocketEndpoint(path, AcknowledgeRootEquivalentSocket) for a local socket")
	default:
		return "", "", endpointErr(ErrInvalidEndpoint, host, "unsupported scheme "+strconv.Quote(scheme),
			"use tcp://host:port with TLS, or a local unix socket")
	}
	u, perr := url.Parse(host)
	if perr != nil {
		return "", "", endpointErr(ErrInvalidEndpoint, host, "malformed host",
			"write it as tcp://host:port, for example tcp://docker.example.com:2376")
	}
	if u.User != nil {
		return "", "", endpointErr(ErrInvalidEndpoint, host, "credentials in the host are refused",
			"remove user:password@ from the host; the daemon authenticates the client certificate")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", endpointErr(ErrInvalidEndpoint, host, "a path, query or fragment in the host is refused",
			"write it as tcp://host:port only")
	}
	h, port := u.Hostname(), u.Port()
	if port == "" && strings.EqualFold(scheme, "https") && !strings.HasSuffix(u.Host, ":") {
		port = "443"
	}
	if h == "" || port == "" {
		return "", "", endpointErr(ErrInvalidEndpoint, host, "host and port are required",
			"write it as tcp://host:port, for example tcp://docker.example.com:2376")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", endpointErr(ErrInvalidEndpoint, host, "invalid port "+strconv.Quote(port),
			"use a port between 1 and 65535; the Docker TLS port is 2376")
	}
	return net.JoinHostPort(h, port), h, nil
}

// secureTLSConfig validates cfg against the endpoint rules and returns a
// hardened clone.
func secureTLSConfig(host string, cfg *tls.Config) (*tls.Config, error) {
	if cfg.InsecureSkipVerify {
		return nil, endpointErr(ErrInsecureEndpoint, host, "InsecureSkipVerify is refused",
			"set InsecureSkipVerify to false and put the daemon's CA in RootCAs; there is no override")
	}
	if cfg.MinVersion != 0 && cfg.MinVersion < tls.VersionTLS12 {
		return nil, endpointErr(ErrInsecureEndpoint, host,
			"MinVersion "+tls.VersionName(cfg.MinVersion)+" is below TLS 1.2",
			"set MinVersion to tls.VersionTLS12 or tls.VersionTLS13, or leave it zero")
	}
	if cfg.MaxVersion != 0 && cfg.MaxVersion < tls.VersionTLS12 {
		return nil, endpointErr(ErrInsecureEndpoint, host,
			"MaxVersion "+tls.VersionName(cfg.MaxVersion)+" is below TLS 1.2",
			"leave MaxVersion zero or set it to tls.VersionTLS12 or newer")
	}
	if cfg.RootCAs == nil {
		return nil, endpointErr(ErrInsecureEndpoint, host, "the daemon's CA is not pinned (RootCAs is nil)",
			"set RootCAs to a pool holding only the CA that signed the daemon's certificate (x509.NewCertPool + AppendCertsFromPEM)")
	}
	if len(cfg.Certificates) == 0 && cfg.GetClientCertificate == nil {
		return nil, endpointErr(ErrInsecureEndpoint, host, "no client certificate",
			"set Certificates (tls.LoadX509KeyPair) or GetClientCertificate; the daemon must run with --tlsverify and require client certificates")
	}
	for i, c := range cfg.Certificates {
		if len(c.Certificate) == 0 || c.PrivateKey == nil {
			return nil, endpointErr(ErrInvalidEndpoint, host,
				"Certificates["+strconv.Itoa(i)+"] has no certificate or no private key",
				"load the pair with tls.LoadX509KeyPair or tls.X509KeyPair")
		}
	}
	insecure := tls.InsecureCipherSuites()
	for _, id := range cfg.CipherSuites {
		if slices.ContainsFunc(insecure, func(s *tls.CipherSuite) bool { return s.ID == id }) {
			return nil, endpointErr(ErrInsecureEndpoint, host,
				"insecure cipher suite "+tls.CipherSuiteName(id),
				"remove it from CipherSuites, or leave CipherSuites empty for secure defaults")
		}
	}
	if cfg.KeyLogWriter != nil {
		return nil, endpointErr(ErrInsecureEndpoint, host, "KeyLogWriter would write TLS session secrets",
			"set KeyLogWriter to nil")
	}
	c := cfg.Clone()
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	if len(c.CipherSuites) == 0 {
		c.CipherSuites = defaultCipherSuites()
	}
	return c, nil
}

// UnixSocketEndpoint returns an endpoint for the Unix socket at path (an
// absolute path; a "unix://" prefix is accepted). ack must be
// [AcknowledgeRootEquivalentSocket]: anything else is refused with an
// [*EndpointError] matching [ErrSocketNotAcknowledged].
//
// A rootless daemon's socket ($XDG_RUNTIME_DIR/docker.sock) is recommended
// over the rootful /var/run/docker.sock; [Endpoint.CheckSocket] reports
// which one the path is. UnixSocketEndpoint does no I/O: the socket is
// checked by CheckSocket, which a client runs before connecting.
func UnixSocketEndpoint(path string, ack socketAcknowledgement) (Endpoint, error) {
	given := path
	if scheme, rest, ok := strings.Cut(path, "://"); ok {
		if !strings.EqualFold(scheme, "unix") {
			return Endpoint{}, endpointErr(ErrInvalidEndpoint, given, "not a unix socket path",
				"pass a filesystem path such as /run/user/1000/docker.sock, or use TLSEndpoint for tcp://")
		}
		path = rest
	}
	if ack != AcknowledgeRootEquivalentSocket {
		return Endpoint{}, endpointErr(ErrSocketNotAcknowledged, given,
			"a Docker socket is root-equivalent and needs an explicit acknowledgement",
			"pass safedocker.AcknowledgeRootEquivalentSocket, or prefer a TLS endpoint or a rootless daemon")
	}
	switch {
	case path == "":
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, given, "empty socket path",
			"pass the socket path, for example "+DefaultSocketPath)
	case strings.ContainsRune(path, 0) || strings.HasPrefix(path, "@"):
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, given, "abstract or NUL-containing socket paths are refused",
			"pass a filesystem path such as "+DefaultSocketPath)
	case !filepath.IsAbs(path):
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, given, "relative socket path",
			"pass an absolute path, for example "+DefaultSocketPath)
	}
	path = filepath.Clean(path)
	if len(path) > maxSocketPathLen {
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, given,
			"socket path longer than "+strconv.Itoa(maxSocketPathLen)+" bytes",
			"use a shorter path (a symlink in a short directory works)")
	}
	return Endpoint{kind: EndpointKindUnixSocket, host: "unix://" + path, socketPath: path}, nil
}

// loadTLSFiles builds a client configuration with the Docker TLS library:
// exclusive root pool (the CA is pinned), client key pair, TLS 1.2 minimum.
func loadTLSFiles(files TLSFiles) (*tls.Config, error) {
	return tlsconfig.Client(tlsconfig.Options{
		CAFile:             files.CAFile,
		CertFile:           files.CertFile,
		KeyFile:            files.KeyFile,
		ExclusiveRootPools: true,
		MinVersion:         tls.VersionTLS12,
	})
}

// defaultCipherSuites returns the Docker TLS library's client cipher suites
// (ECDHE with AEAD only). They apply to TLS 1.2; TLS 1.3 suites are fixed.
func defaultCipherSuites() []uint16 {
	return slices.Clone(tlsconfig.ClientDefault().CipherSuites)
}
