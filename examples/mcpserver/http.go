package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Token rules.
const (
	// minTokenLen is the shortest bearer token accepted. Tokens this long
	// (e.g. `openssl rand -hex 32` gives 64) cannot be guessed online, which is
	// why failed attempts are logged but not rate limited by address: the
	// address is not an identity behind a proxy.
	minTokenLen = 32
	// maxTokenLen bounds a token line.
	maxTokenLen = 4096
	// maxTokens bounds the number of tokens.
	maxTokens = 1024
	// tokensEnv holds comma-separated tokens when -token-file is not given.
	tokensEnv = "SAFEDOCKER_MCP_TOKENS"
)

// tokenSet is the set of accepted bearer tokens, kept as SHA-256 digests.
// Lookup compares every digest in constant time, so neither the position of a
// match nor a common prefix shows in the timing. Safe for concurrent use: it is
// never modified after construction.
type tokenSet struct {
	digests [][sha256.Size]byte
}

// newTokenSet validates tokens and returns their set.
func newTokenSet(tokens []string) (*tokenSet, error) {
	if len(tokens) == 0 {
		return nil, errors.New("no bearer tokens configured")
	}
	if len(tokens) > maxTokens {
		return nil, fmt.Errorf("too many tokens (%d, at most %d)", len(tokens), maxTokens)
	}
	ts := &tokenSet{}
	for i, t := range tokens {
		if len(t) < minTokenLen {
			return nil, fmt.Errorf("token %d is shorter than %d characters; generate one with `openssl rand -hex 32`", i+1, minTokenLen)
		}
		if len(t) > maxTokenLen {
			return nil, fmt.Errorf("token %d is longer than %d characters", i+1, maxTokenLen)
		}
		for _, r := range t {
			if r <= ' ' || r == 0x7f || r == ',' {
				return nil, fmt.Errorf("token %d holds a space, comma or control character", i+1)
			}
		}
		ts.digests = append(ts.digests, sha256.Sum256([]byte(t)))
	}
	return ts, nil
}

// lookup returns the client identity of token, or false. The identity is
// "token:" and the first 12 bytes of the token's SHA-256 in hex: stable,
// distinct per token, and useless to an attacker who reads the audit log.
func (ts *tokenSet) lookup(token string) (string, bool) {
	d := sha256.Sum256([]byte(token))
	found := 0
	for i := range ts.digests {
		found |= subtle.ConstantTimeCompare(d[:], ts.digests[i][:])
	}
	if found != 1 {
		return "", false
	}
	return tokenIdentity(d), true
}

// tokenIdentity names the client holding the token with digest d.
func tokenIdentity(d [sha256.Size]byte) string {
	return "token:" + hex.EncodeToString(d[:12])
}

// loadTokens reads tokens from path (one per line; blank lines and lines
// starting with # are ignored). The file must be a regular file readable by
// its owner only, like an SSH key. With path "", tokens come from
// SAFEDOCKER_MCP_TOKENS through getenv (comma-separated).
func loadTokens(path string, getenv func(string) string) ([]string, error) {
	if path == "" {
		var out []string
		for _, t := range strings.Split(getenv(tokensEnv), ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("token file %s is not a regular file", path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("token file %s has mode %#o; it must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
	}
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, int64(maxTokens)*(maxTokenLen+1)+1))
	sc.Buffer(make([]byte, 0, 256), maxTokenLen+1)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	return out, nil
}

// authMiddleware requires a valid bearer token on every request, whatever its
// method or path (the old Python server let HEAD and OPTIONS through), logs
// each failure (never the token), and puts the token's identity into the
// request context for the MCP handler (as auth.TokenInfo.UserID, which the SDK
// also uses to bind a session to the client that opened it).
func authMiddleware(ts *tokenSet, log *slog.Logger, next http.Handler) http.Handler {
	verify := func(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		id, ok := ts.lookup(token)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		// Static tokens do not expire; the expiry only satisfies the SDK's check.
		return &auth.TokenInfo{UserID: id, Expiration: time.Now().Add(24 * time.Hour)}, nil
	}
	inner := auth.RequireBearerToken(verify, nil)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		inner.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			reason := "invalid token"
			if _, ok := bearer(r); !ok {
				reason = "missing bearer token"
			}
			log.LogAttrs(r.Context(), slog.LevelWarn, "mcp auth failure",
				slog.String("event", "auth_failure"), slog.String("reason", reason),
				slog.String("method", r.Method), slog.String("remote", r.RemoteAddr))
		}
	})
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	f := strings.Fields(r.Header.Get("Authorization"))
	if len(f) != 2 || !strings.EqualFold(f[0], "bearer") {
		return "", false
	}
	return f[1], true
}

// statusRecorder remembers the status code written through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush passes flushes through, for the event streams of the transport.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// httpHandler serves srv over the streamable HTTP transport behind the token
// check and cross-origin protection. The SDK's DNS-rebinding protection and
// request-body bound stay on.
func httpHandler(srv *mcp.Server, ts *tokenSet, log *slog.Logger) http.Handler {
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		SessionTimeout: 30 * time.Minute,
	})
	return authMiddleware(ts, log, http.NewCrossOriginProtection().Handler(h))
}

// isLoopback reports whether addr ("host:port") listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
