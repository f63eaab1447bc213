package validate

import (
	"iter"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits for list filters.
const (
	// MaxFilterValues is the most values one filter key may have: 32.
	MaxFilterValues = 32
	// MaxFilterValueLength is the longest filter value accepted: 512 bytes.
	MaxFilterValueLength = 512
)

// ObjectKind names what a list operation lists; each kind has its own
// allow-list of filter keys.
type ObjectKind uint8

// The object kinds with filters.
const (
	ContainerObjects ObjectKind = iota + 1
	ImageObjects
	VolumeObjects
	NetworkObjects
)

// String returns "container", "image", "volume" or "network".
func (k ObjectKind) String() string {
	switch k {
	case ContainerObjects:
		return "container"
	case ImageObjects:
		return "image"
	case VolumeObjects:
		return "volume"
	case NetworkObjects:
		return "network"
	}
	return "ObjectKind(" + strconv.Itoa(int(k)) + ")"
}

// Filters is a parsed set of list filters: each key maps to one or more
// values, sorted and without duplicates. Values come from [ParseFilters];
// the zero value is an empty set. A Filters is immutable and safe for
// concurrent use.
type Filters struct {
	m map[string][]string
}

// Len returns the number of keys.
func (f Filters) Len() int { return len(f.m) }

// IsZero reports whether there are no filters.
func (f Filters) IsZero() bool { return len(f.m) == 0 }

// Keys returns the keys, sorted, in a new slice.
func (f Filters) Keys() []string {
	keys := make([]string, 0, len(f.m))
	for k := range f.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Values returns the values of key, sorted, in a new slice (nil when the
// key is absent).
func (f Filters) Values(key string) []string { return slices.Clone(f.m[key]) }

// All yields each key, in sorted order, with a new slice of its values.
func (f Filters) All() iter.Seq2[string, []string] {
	return func(yield func(string, []string) bool) {
		for _, k := range f.Keys() {
			if !yield(k, slices.Clone(f.m[k])) {
				return
			}
		}
	}
}

// valueCheck validates one filter value.
type valueCheck func(string) bool

// filterKeys returns the allow-list of filter keys for kind.
func filterKeys(kind ObjectKind) map[string]valueCheck {
	switch kind {
	case ContainerObjects:
		return map[string]valueCheck{
			"id": isHexID, "name": isNamePattern, "label": isLabelFilter,
			"status":   oneOf("created", "restarting", "running", "removing", "paused", "exited", "dead"),
			"ancestor": isImageFilter, "before": isNameOrID, "since": isNameOrID,
			"exited": isExitCode, "health": oneOf("starting", "healthy", "unhealthy", "none"),
			"network": isNameOrID, "volume": isVolumeFilter, "publish": isPortFilter,
			"expose": isPortFilter, "is-task": oneOf("true", "false"),
			"isolation": oneOf("default", "process", "hyperv"),
		}
	case ImageObjects:
		return map[string]valueCheck{
			"dangling": oneOf("true", "false"), "label": isLabelFilter,
			"before": isImageFilter, "since": isImageFilter, "reference": isReferencePattern,
			"until": isTimestamp,
		}
	case VolumeObjects:
		return map[string]valueCheck{
			"dangling": oneOf("true", "false", "1", "0"), "driver": isDriverName,
			"label": isLabelFilter, "name": isNamePattern,
		}
	case NetworkObjects:
		return map[string]valueCheck{
			"dangling": oneOf("true", "false", "1", "0"), "driver": isDriverName,
			"id": isHexID, "label": isLabelFilter, "name": isNamePattern,
			"scope": oneOf("swarm", "global", "local"), "type": oneOf("custom", "builtin"),
		}
	}
	return nil
}

// ParseFilters parses list filters for kind against an allow-list of keys
// and value syntax:
//
//   - container: id (hex), name, label, status, ancestor (image reference or
//     ID), before, since, exited (0-255), health, network, volume (name or
//     absolute path), publish, expose (PORT[-END][/PROTO]), is-task,
//     isolation;
//   - image: dangling, label, before, since, reference (with * wildcards),
//     until (RFC 3339 time, Unix seconds or a Go duration);
//   - volume: dangling, driver, label, name;
//   - network: dangling, driver, id, label, name, scope, type.
//
// Names are Docker names with an optional leading "/" or "^" and trailing
// "$" (the daemon matches them as patterns); labels are KEY or KEY=VALUE.
// Each key has 1 to [MaxFilterValues] values of at most
// [MaxFilterValueLength] bytes; duplicates are merged. Unknown kinds and keys
// are refused.
func ParseFilters(kind ObjectKind, in map[string][]string) (Filters, error) {
	allowed := filterKeys(kind)
	if allowed == nil {
		return Filters{}, newError("filters", kind.String(), "unknown object kind")
	}
	if len(in) == 0 {
		return Filters{}, nil
	}
	out := make(map[string][]string, len(in))
	for key, vals := range in {
		check, ok := allowed[key]
		field := "filters[" + truncate(key, 32) + "]"
		if !ok {
			return Filters{}, newError("filters", key, "key not allowed for "+kind.String()+" lists")
		}
		if len(vals) == 0 || len(vals) > MaxFilterValues {
			return Filters{}, newError(field, "", "needs 1 to 32 values")
		}
		list := make([]string, 0, len(vals))
		for _, v := range vals {
			if v == "" || len(v) > MaxFilterValueLength {
				return Filters{}, newError(field, v, "empty or longer than 512 bytes")
			}
			if rule, off := scanText(v, false); rule != "" || off >= 0 {
				return Filters{}, newError(field, v, "control character or invalid UTF-8")
			}
			if !check(v) {
				return Filters{}, newError(field, v, "value not allowed")
			}
			list = append(list, v)
		}
		slices.Sort(list)
		out[key] = slices.Compact(list)
	}
	return Filters{m: out}, nil
}

func oneOf(vals ...string) valueCheck {
	return func(s string) bool { return slices.Contains(vals, s) }
}

func isHexID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

func isNameOrID(s string) bool {
	_, err := parseName("name", strings.TrimPrefix(s, "/"), s)
	return err == nil
}

// isNamePattern accepts a Docker name, optionally anchored: ^name, /name,
// name$. It admits no other regular-expression syntax.
func isNamePattern(s string) bool {
	s = strings.TrimPrefix(s, "^")
	s = strings.TrimPrefix(s, "/")
	s = strings.TrimSuffix(s, "$")
	if s == "" || len(s) > MaxNameLength || !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !isAlnum(b) && b != '_' && b != '.' && b != '-' {
			return false
		}
	}
	return true
}

func isLabelFilter(s string) bool {
	key, val, hasVal := strings.Cut(s, "=")
	if _, err := ParseLabelKey(key); err != nil {
		return false
	}
	return !hasVal || len(val) <= MaxLabelValueLength
}

func isImageFilter(s string) bool {
	if id, ok := strings.CutPrefix(s, "sha256:"); ok {
		return isHexID(id)
	}
	if isHexID(s) && len(s) >= 12 {
		return true
	}
	_, err := ParseImageRef(s, DefaultTagLatest())
	return err == nil
}

// isReferencePattern accepts reference characters plus the * wildcard.
func isReferencePattern(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && !strings.ContainsRune("._-/:@*", rune(c)) {
			return false
		}
	}
	return true
}

func isExitCode(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && isDigits(s) && n >= 0 && n <= 255
}

func isVolumeFilter(s string) bool {
	if strings.HasPrefix(s, "/") {
		return path.Clean(s) == s
	}
	return isNameOrID(s)
}

func isPortFilter(s string) bool {
	ports, proto, hasProto := strings.Cut(s, "/")
	if hasProto && proto != "tcp" && proto != "udp" && proto != "sctp" {
		return false
	}
	_, _, err := parsePortRange(ports)
	return err == nil
}

func isDriverName(s string) bool {
	if !isAlnum(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && !strings.ContainsRune("_.-:/", rune(c)) {
			return false
		}
	}
	return len(s) <= MaxNameLength
}

func isTimestamp(s string) bool {
	if isDigits(s) && len(s) <= 12 {
		return true
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return true
	}
	d, err := time.ParseDuration(s)
	return err == nil && d >= 0
}
