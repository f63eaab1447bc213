package safedocker

import (
	"context"
	"unicode"
	"unicode/utf8"
)

// MaxClientIDLen is the longest client identity, in bytes, that operations accept.
const MaxClientIDLen = 256

type clientIDKey struct{}

// WithClientID returns a copy of ctx carrying the caller's identity: the key the
// per-client rate limit uses and the "client" attribute of every audit event.
// It should be an authenticated identity (a user, a token subject, an MCP
// session), never a value the caller may choose freely.
//
// An identity longer than MaxClientIDLen bytes, not valid UTF-8 or holding
// control characters is not rejected here; every operation called with it fails
// with ErrInvalidInput.
func WithClientID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, clientIDKey{}, id)
}

// ClientIDFrom returns the identity stored by WithClientID, and whether one was
// stored.
func ClientIDFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(clientIDKey{}).(string)
	return id, ok
}

// validClientID reports whether id may be used as a limiter key and logged.
func validClientID(id string) bool {
	if id == "" || len(id) > MaxClientIDLen || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
