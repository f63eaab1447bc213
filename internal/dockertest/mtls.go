package dockertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// MTLSOptions configures [MTLSProxy]. The zero value is a server that
// accepts TLS 1.2 and 1.3 and requires a client certificate signed by the
// proxy's CA.
type MTLSOptions struct {
	// ServerMinVersion is the lowest TLS version the proxy accepts. The
	// default is TLS 1.2. Set it to tls.VersionTLS10 together with
	// ServerMaxVersion tls.VersionTLS11 to stand up a TLS 1.1-only server.
	ServerMinVersion uint16
	// ServerMaxVersion is the highest TLS version the proxy accepts. The
	// default is TLS 1.3.
	ServerMaxVersion uint16
}

// TLSPair is a CA with one client certificate it signed, as PEM files and as
// crypto/tls values. Files have mode 0600 and live in a test temp dir.
type TLSPair struct {
	// CAFile, CertFile and KeyFile are the CA certificate, the client
	// certificate and the client's private key, PEM-encoded.
	CAFile, CertFile, KeyFile string
	// CAPool holds only the CA certificate.
	CAPool *x509.CertPool
	// ClientCert is the client certificate with its private key.
	ClientCert tls.Certificate
}

// ClientConfig returns a fresh client configuration trusting only the CA and
// presenting the client certificate, TLS 1.2 minimum.
func (p TLSPair) ClientConfig() *tls.Config {
	return &tls.Config{
		RootCAs:      p.CAPool,
		Certificates: []tls.Certificate{p.ClientCert},
		MinVersion:   tls.VersionTLS12,
	}
}

// TLSProxy is a mutual-TLS TCP listener on 127.0.0.1 that forwards every
// accepted connection, byte for byte, to the daemon socket. Its server
// certificate is valid for 127.0.0.1, ::1 and localhost and is signed by
// Good's CA, and it accepts only client certificates signed by Good's CA.
//
// Its methods are safe for concurrent use; its fields must not be changed.
type TLSProxy struct {
	// Host is "tcp://127.0.0.1:<port>".
	Host string
	// Addr is "127.0.0.1:<port>".
	Addr string
	// Good is the proxy's CA and a client certificate it accepts.
	Good TLSPair
	// Wrong is an unrelated CA and a client certificate signed by it: a
	// client trusting Wrong's CA must refuse the proxy, and the proxy must
	// refuse Wrong's client certificate.
	Wrong TLSPair

	forwarded atomic.Int64
	rejected  atomic.Int64
	mu        sync.Mutex
	errs      []error
}

// Forwarded returns how many connections completed the handshake and were
// forwarded to the daemon.
func (p *TLSProxy) Forwarded() int { return int(p.forwarded.Load()) }

// Rejected returns how many connections failed the TLS handshake.
func (p *TLSProxy) Rejected() int { return int(p.rejected.Load()) }

// HandshakeErrors returns the server-side errors of every failed handshake,
// in the order the server recorded them. The server records its side of a
// failure after the client has seen it, so a test that makes several
// failing connections in a row must look for its own error in this list
// rather than at the last one.
func (p *TLSProxy) HandshakeErrors() []error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]error(nil), p.errs...)
}

// MTLSProxy generates the certificates, starts a [TLSProxy] in front of the
// daemon socket at upstreamSocket, and stops it in t.Cleanup.
func MTLSProxy(t testing.TB, upstreamSocket string, opts MTLSOptions) *TLSProxy {
	t.Helper()
	dir := t.TempDir()
	goodCA, goodKey := newCA(t, "safedocker-test good CA")
	wrongCA, wrongKey := newCA(t, "safedocker-test wrong CA")
	serverCert := newLeaf(t, goodCA, goodKey, "127.0.0.1", true)

	p := &TLSProxy{
		Good:  writePair(t, filepath.Join(dir, "good"), goodCA, newLeaf(t, goodCA, goodKey, "safedocker-test client", false)),
		Wrong: writePair(t, filepath.Join(dir, "wrong"), wrongCA, newLeaf(t, wrongCA, wrongKey, "safedocker-test wrong client", false)),
	}

	cfg := &tls.Config{
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.Good.CAPool,
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   opts.ServerMaxVersion,
	}
	if opts.ServerMinVersion != 0 {
		cfg.MinVersion = opts.ServerMinVersion
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		// TLS 1.0/1.1 need CBC suites, which Go no longer offers by default.
		cfg.CipherSuites = []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	p.Addr = ln.Addr().String()
	p.Host = "tcp://" + p.Addr

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
	)
	track := func(c net.Conn, add bool) {
		mu.Lock()
		defer mu.Unlock()
		if add {
			conns[c] = struct{}{}
		} else {
			delete(conns, c)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			track(raw, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer track(raw, false)
				defer raw.Close()
				p.serve(tls.Server(raw, cfg), upstreamSocket)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return p
}

func (p *TLSProxy) serve(conn *tls.Conn, upstreamSocket string) {
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if err := conn.Handshake(); err != nil {
		p.rejected.Add(1)
		p.mu.Lock()
		p.errs = append(p.errs, err)
		p.mu.Unlock()
		return
	}
	_ = conn.SetDeadline(time.Time{})
	up, err := net.DialTimeout("unix", upstreamSocket, 10*time.Second)
	if err != nil {
		return // the client sees the connection close
	}
	defer up.Close()
	p.forwarded.Add(1)
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(up, conn)
		if uc, ok := up.(*net.UnixConn); ok {
			_ = uc.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(conn, up)
		_ = conn.CloseWrite()
		done <- struct{}{}
	}()
	<-done
	<-done
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	return n
}

func newCA(t testing.TB, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	return cert, key
}

// newLeaf issues a server certificate (for 127.0.0.1, ::1 and localhost)
// or a client certificate.
func newLeaf(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, server bool) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func writePair(t testing.TB, dir string, ca *x509.Certificate, client tls.Certificate) TLSPair {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(client.PrivateKey)
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	pair := TLSPair{
		CAFile:     filepath.Join(dir, "ca.pem"),
		CertFile:   filepath.Join(dir, "cert.pem"),
		KeyFile:    filepath.Join(dir, "key.pem"),
		CAPool:     x509.NewCertPool(),
		ClientCert: client,
	}
	pair.CAPool.AddCert(ca)
	for path, block := range map[string]*pem.Block{
		pair.CAFile:   {Type: "CERTIFICATE", Bytes: ca.Raw},
		pair.CertFile: {Type: "CERTIFICATE", Bytes: client.Certificate[0]},
		pair.KeyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatalf("dockertest: %v", err)
		}
	}
	return pair
}
