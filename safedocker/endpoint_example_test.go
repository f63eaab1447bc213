package safedocker_test

import (
	"errors"
	"fmt"

	"github.com/safedocker/safedocker/safedocker"
)

// A local socket needs the acknowledgement constant; the constructor does
// no I/O, and the socket is checked before the client connects.
func ExampleUnixSocketEndpoint() {
	ep, err := safedocker.UnixSocketEndpoint("unix:///run/user/1000/docker.sock", safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ep.Kind())
	fmt.Println(ep)
	// Output:
	// unix
	// unix /run/user/1000/docker.sock (root-equivalent socket, acknowledged)
}

// A remote daemon is reached over mutual TLS only, with the files the
// daemon's operator issued (the same ca.pem, cert.pem and key.pem the docker
// CLI uses with --tlsverify).
func ExampleTLSEndpointFromFiles() {
	ep, err := safedocker.TLSEndpointFromFiles("tcp://docker.example.com:2376", safedocker.TLSFiles{
		CAFile:   "/etc/safedocker/ca.pem",
		CertFile: "/etc/safedocker/cert.pem",
		KeyFile:  "/etc/safedocker/key.pem",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ep)
}

// Plain-text endpoints are refused with a typed error saying how to fix them.
func ExampleTLSEndpoint_refused() {
	_, err := safedocker.TLSEndpoint("http://docker.example.com:2375", nil)
	fmt.Println(errors.Is(err, safedocker.ErrInsecureEndpoint))
	var ee *safedocker.EndpointError
	if errors.As(err, &ee) {
		fmt.Println(ee.Problem)
		fmt.Println(ee.Fix)
	}
	// Output:
	// true
	// http:// is plain text and is refused
	// enable TLS on the daemon (--tlsverify) and use tcp://host:2376 with TLSEndpoint or TLSEndpointFromFiles
}

// The environment helper applies the same rules: DOCKER_HOST=tcp://...
// without DOCKER_TLS_VERIFY is refused rather than silently unverified.
func ExampleEndpointFromEnvFunc() {
	env := map[string]string{"DOCKER_HOST": "tcp://docker.example.com:2376"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	_, err := safedocker.EndpointFromEnvFunc(lookup, safedocker.AcknowledgeRootEquivalentSocket)
	fmt.Println(errors.Is(err, safedocker.ErrInsecureEndpoint))

	env = map[string]string{} // no DOCKER_HOST: the local socket, acknowledged
	ep, err := safedocker.EndpointFromEnvFunc(lookup, safedocker.AcknowledgeRootEquivalentSocket)
	fmt.Println(ep, err)
	// Output:
	// true
	// unix /var/run/docker.sock (root-equivalent socket, acknowledged) <nil>
}
