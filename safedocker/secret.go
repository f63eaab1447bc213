package safedocker

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// secretPlaceholder is what every printing method of a set Secret shows.
const secretPlaceholder = "[REDACTED]"

// secretUnset is what every printing method of the zero Secret shows.
const secretUnset = "[unset]"

// Secret holds a sensitive string, such as a registry password or token, that
// must never be printed. Its String, GoString, Format (every verb: %v %+v %#v %s
// %q %x %X %d ...), LogValue, MarshalText and MarshalJSON all print "[REDACTED]"
// (or "[unset]" for the zero Secret), never the value, so a Secret can pass
// through fmt, log/slog and encoding/json without leaking.
//
// The value can be read back only inside this package, by the code that hands it
// to the engine adapter for one request; there is no exported accessor.
//
// The zero value is the empty secret. A Secret is immutable and safe to copy and
// share between goroutines.
type Secret struct {
	value string
}

// NewSecret returns a Secret holding value.
func NewSecret(value string) Secret { return Secret{value: value} }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// reveal returns the value. It is the only way to read it; call it only where
// the value is handed to the engine adapter, never to build a message.
func (s Secret) reveal() string { return s.value }

func (s Secret) placeholder() string {
	if s.value == "" {
		return secretUnset
	}
	return secretPlaceholder
}

// String returns "[REDACTED]", or "[unset]" for the zero Secret.
func (s Secret) String() string { return s.placeholder() }

// GoString returns "[REDACTED]", or "[unset]" for the zero Secret.
func (s Secret) GoString() string { return s.placeholder() }

// Format prints the placeholder for every verb; %q quotes it.
func (s Secret) Format(f fmt.State, verb rune) {
	p := s.placeholder()
	if verb == 'q' {
		p = strconv.Quote(p)
	}
	_, _ = io.WriteString(f, p)
}

// LogValue returns the placeholder, so log/slog never records the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.placeholder()) }

// MarshalText returns the placeholder.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.placeholder()), nil }

// MarshalJSON returns the placeholder as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.placeholder())), nil }
