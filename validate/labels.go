package validate

import (
	"slices"
	"strings"
)

// Limits for labels.
const (
	// MaxLabelKeyLength is the longest label key accepted: 255 bytes.
	MaxLabelKeyLength = 255
	// MaxLabelValueLength is the longest label value accepted: 4096 bytes.
	MaxLabelValueLength = 4096
)

// LabelKey is a label key: 1 to 255 bytes of [a-zA-Z0-9._/-], starting and
// ending with a letter or digit ("com.example.team", "app.kubernetes.io/name").
// Values come from [ParseLabelKey].
type LabelKey struct{ s string }

// String returns the key.
func (k LabelKey) String() string { return k.s }

// IsZero reports whether k is the zero value.
func (k LabelKey) IsZero() bool { return k.s == "" }

// ParseLabelKey parses a label key. It does not apply reserved prefixes; see
// [ParseLabels].
func ParseLabelKey(s string) (LabelKey, error) {
	switch {
	case s == "":
		return LabelKey{}, newError("label key", s, "empty key")
	case len(s) > MaxLabelKeyLength:
		return LabelKey{}, newError("label key", s, "longer than 255 bytes")
	case !isAlnum(s[0]) || !isAlnum(s[len(s)-1]):
		return LabelKey{}, newError("label key", s, "must start and end with a letter or digit")
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !isAlnum(b) && b != '.' && b != '_' && b != '-' && b != '/' {
			return LabelKey{}, newError("label key", s, "only [a-zA-Z0-9._/-] is allowed")
		}
	}
	return LabelKey{s}, nil
}

// Label is one parsed label.
type Label struct {
	// Key is the parsed key.
	Key LabelKey
	// Value is the value: valid UTF-8 without control characters, at most
	// MaxLabelValueLength bytes.
	Value string
}

// LabelOption configures [ParseLabels].
type LabelOption func(*labelConfig)

type labelConfig struct {
	reserved      []string
	allowReserved bool
}

// ReservedLabelPrefixes adds key prefixes that callers may not set, such as
// the ownership labels of the program itself ("io.example.owner").
func ReservedLabelPrefixes(prefixes ...string) LabelOption {
	return func(c *labelConfig) { c.reserved = append(c.reserved, prefixes...) }
}

// AllowDockerLabels lets callers set keys under the prefixes Docker reserves
// for itself (com.docker., io.docker., org.dockerproject.), which are refused
// by default.
func AllowDockerLabels() LabelOption { return func(c *labelConfig) { c.allowReserved = true } }

// ParseLabels parses a label map into labels sorted by key. Keys follow
// [ParseLabelKey] and may not start with a reserved prefix (Docker's own,
// unless [AllowDockerLabels]; and those of [ReservedLabelPrefixes]). Values
// are valid UTF-8 of at most 4096 bytes without control characters.
func ParseLabels(m map[string]string, opts ...LabelOption) ([]Label, error) {
	var cfg labelConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	reserved := cfg.reserved
	if !cfg.allowReserved {
		reserved = append(reserved[:len(reserved):len(reserved)], "com.docker.", "io.docker.", "org.dockerproject.")
	}
	out := make([]Label, 0, len(m))
	for k, val := range m {
		key, err := ParseLabelKey(k)
		if err != nil {
			return nil, err
		}
		for _, p := range reserved {
			if p != "" && strings.HasPrefix(k, p) {
				return nil, newError("label key", k, "reserved prefix "+p)
			}
		}
		if err := checkLabelValue(k, val); err != nil {
			return nil, err
		}
		out = append(out, Label{Key: key, Value: val})
	}
	slices.SortFunc(out, func(a, b Label) int { return strings.Compare(a.Key.s, b.Key.s) })
	return out, nil
}

func checkLabelValue(key, val string) error {
	if len(val) > MaxLabelValueLength {
		return newError("label value", key, "value longer than 4096 bytes")
	}
	if rule, off := scanText(val, false); rule != "" || off >= 0 {
		return newError("label value", key, "value holds a control character or invalid UTF-8")
	}
	return nil
}
