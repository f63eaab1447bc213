package safedocker

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The environment variables read by [EndpointFromEnv].
const (
	envDockerHost      = "DOCKER_HOST"
	envDockerTLSVerify = "DOCKER_TLS_VERIFY"
	envDockerCertPath  = "DOCKER_CERT_PATH"
)

// EndpointFromEnv builds an endpoint from DOCKER_HOST, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH under the same rules as the other constructors. It is
// shorthand for EndpointFromEnvFunc(os.LookupEnv, ack).
//
// Unlike the Docker SDK's environment handling, an empty DOCKER_TLS_VERIFY
// never means "do not verify": it means the endpoint is refused.
//
//   - DOCKER_HOST unset or empty: the rootful socket [DefaultSocketPath],
//     which needs ack to be [AcknowledgeRootEquivalentSocket].
//   - DOCKER_HOST=unix:///path: that socket; needs the acknowledgement.
//     DOCKER_TLS_VERIFY and DOCKER_CERT_PATH are ignored.
//   - DOCKER_HOST=tcp://host:port (or https://host[:port]): needs
//     DOCKER_TLS_VERIFY set to a true value ("1", "true") and
//     DOCKER_CERT_PATH naming a directory with ca.pem, cert.pem and key.pem
//     (there is no default directory); see [TLSEndpointFromFiles], whose
//     file reading applies. ack is not needed.
//   - http://, ssh://, npipe://, fd:// and anything else: refused.
//
// To refuse Unix sockets outright, pass "" as ack.
func EndpointFromEnv(ack socketAcknowledgement) (Endpoint, error) {
	return EndpointFromEnvFunc(os.LookupEnv, ack)
}

// EndpointFromEnvFunc is [EndpointFromEnv] reading variables through lookup
// (which has the signature of os.LookupEnv) instead of the process
// environment; tests use it. A nil lookup is refused with ErrInvalidEndpoint.
func EndpointFromEnvFunc(lookup func(string) (string, bool), ack socketAcknowledgement) (Endpoint, error) {
	if lookup == nil {
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, "", "nil environment lookup function",
			"pass os.LookupEnv or a test lookup")
	}
	host, _ := lookup(envDockerHost)
	host = strings.TrimSpace(host)
	if host == "" {
		return UnixSocketEndpoint(DefaultSocketPath, ack)
	}
	scheme, _, ok := strings.Cut(host, "://")
	if !ok {
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, host, "DOCKER_HOST has no scheme",
			"set DOCKER_HOST to tcp://host:2376 (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH) or unix:///path/to/docker.sock")
	}
	switch strings.ToLower(scheme) {
	case "unix":
		return UnixSocketEndpoint(host, ack)
	case "tcp", "https":
		// Checked below.
	default:
		// http:// and unix:// get their specific messages from the TLS path.
		_, _, err := parseTLSHost(host)
		return Endpoint{}, err
	}
	if _, _, err := parseTLSHost(host); err != nil {
		return Endpoint{}, err
	}
	verify, set := lookup(envDockerTLSVerify)
	verify = strings.TrimSpace(verify)
	if !set || verify == "" {
		return Endpoint{}, endpointErr(ErrInsecureEndpoint, host,
			"DOCKER_TLS_VERIFY is not set, so the connection would not be verified",
			"set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem")
	}
	on, err := strconv.ParseBool(verify)
	if err != nil {
		return Endpoint{}, endpointErr(ErrInvalidEndpoint, host,
			"DOCKER_TLS_VERIFY="+strconv.Quote(verify)+" is not a boolean",
			"set DOCKER_TLS_VERIFY=1")
	}
	if !on {
		return Endpoint{}, endpointErr(ErrInsecureEndpoint, host,
			"DOCKER_TLS_VERIFY is false, and TLS without verification is refused",
			"set DOCKER_TLS_VERIFY=1; there is no override")
	}
	dir, _ := lookup(envDockerCertPath)
	dir = strings.TrimSpace(dir)
	if dir == "" {
		return Endpoint{}, endpointErr(ErrInsecureEndpoint, host,
			"DOCKER_CERT_PATH is not set",
			"set DOCKER_CERT_PATH to the directory with ca.pem, cert.pem and key.pem (for example ~/.docker)")
	}
	return TLSEndpointFromFiles(host, TLSFiles{
		CAFile:   filepath.Join(dir, "ca.pem"),
		CertFile: filepath.Join(dir, "cert.pem"),
		KeyFile:  filepath.Join(dir, "key.pem"),
	})
}
