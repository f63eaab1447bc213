package decode

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Operation names a judged endpoint.
type Operation string

// The judged operations.
const (
	// OpContainerCreate is POST /containers/create.
	OpContainerCreate Operation = "container.create"
	// OpContainerExec is POST /containers/{id}/exec.
	OpContainerExec Operation = "container.exec"
	// OpVolumeCreate is POST /volumes/create.
	OpVolumeCreate Operation = "volume.create"
)

// ErrUnsupported is returned (wrapped) for a request to an endpoint this
// package does not judge. Such a request must not be treated as allowed.
var ErrUnsupported = errors.New("decode: endpoint not judged")

// ErrMalformedPath is matched by every *PathError.
var ErrMalformedPath = errors.New("decode: malformed request path")

// PathError reports a request target that the daemon's router would not serve
// as written, or that this package refuses to interpret: a path that does not
// clean to itself ("//containers/create", "/containers/./create", a trailing
// slash), percent-encoding, a malformed version prefix or query string.
type PathError struct {
	// Path is the request target as given (truncated).
	Path string
	// Reason says what is wrong.
	Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("decode: request path %q: %s", e.Path, e.Reason)
}

// Is reports whether target is ErrMalformedPath.
func (e *PathError) Is(target error) bool { return target == ErrMalformedPath }

// APIVersion is an Engine API version from a "/vX.Y" path prefix. The zero value
// means the path had no prefix: the daemon then applies its own (unknown)
// default version.
type APIVersion struct {
	// Major and Minor are the two numbers of "X.Y".
	Major, Minor int
}

// Known reports whether the path carried a version.
func (v APIVersion) Known() bool { return v != APIVersion{} }

// String returns "1.41", or "" for the zero value.
func (v APIVersion) String() string {
	if !v.Known() {
		return ""
	}
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// less reports whether v is known and lower than major.minor.
func (v APIVersion) less(major, minor int) bool {
	return v.Known() && (v.Major < major || v.Major == major && v.Minor < minor)
}

// atMost reports whether v is unknown or at most major.minor: whether a daemon
// whose newest API is major.minor could serve the request.
func (v APIVersion) atMost(major, minor int) bool {
	return !v.Known() || v.Major < major || v.Major == major && v.Minor <= minor
}

// Route is a parsed request target.
type Route struct {
	// Op is the judged operation.
	Op Operation
	// Version is the API version of the "/vX.Y" prefix; zero when absent.
	Version APIVersion
	// Container is the container reference of an exec request.
	Container string
	// Name is the "name" query parameter of a create request.
	Name string
}

// maxPathLen bounds the request target; the daemon has no such limit but
// judged paths are short.
const maxPathLen = 8 << 10

// ParseRoute parses a method and request target (path with optional query, as
// sent on the wire, in origin form) into a Route. The method must be exactly
// "POST", as the daemon's router matches it. It returns an error wrapping ErrUnsupported
// for an endpoint it does not judge and a *PathError for a target it refuses.
func ParseRoute(method, target string) (Route, error) {
	bad := func(reason string) (Route, error) {
		return Route{}, &PathError{Path: clip(target, 128), Reason: reason}
	}
	if len(target) > maxPathLen {
		return bad("too long")
	}
	p, rawQuery, _ := strings.Cut(target, "?")
	if p == "" || p[0] != '/' {
		return bad("not an absolute path")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			return bad("percent-encoding in the path")
		}
		if c <= ' ' || c >= 0x7f || c == '\\' || c == '#' {
			return bad("unexpected character in the path")
		}
	}
	if path.Clean(p) != p {
		return bad("path does not clean to itself (the daemon's router redirects it)")
	}
	// Split into segments; up to five without allocating.
	var segBuf [5]string
	segs := segBuf[:0]
	for rest := p[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		segs = append(segs, seg) // allocates only for long, unjudged paths
		if !more {
			break
		}
		rest = tail
	}
	var ver APIVersion
	if len(segs) > 0 && len(segs[0]) > 1 && segs[0][0] == 'v' && versionChars(segs[0][1:]) {
		v, ok := parseVersion(segs[0][1:])
		if !ok {
			return bad("malformed API version prefix")
		}
		ver = v
		segs = segs[1:]
	}
	var q url.Values
	if rawQuery != "" {
		var err error
		if q, err = url.ParseQuery(rawQuery); err != nil {
			return bad("malformed query string")
		}
	}
	unsupported := func() (Route, error) {
		return Route{}, fmt.Errorf("%w: %s %s", ErrUnsupported, clip(method, 16), clip(target, 128))
	}
	if method != "POST" {
		return unsupported()
	}
	switch {
	case len(segs) == 2 && segs[0] == "containers" && segs[1] == "create":
		return Route{Op: OpContainerCreate, Version: ver, Name: q.Get("name")}, nil
	case len(segs) == 3 && segs[0] == "containers" && segs[2] == "exec" && segs[1] != "":
		return Route{Op: OpContainerExec, Version: ver, Container: segs[1]}, nil
	case len(segs) > 3 && segs[0] == "containers" && segs[len(segs)-1] == "exec":
		// The daemon's {name:.*} would take "a/b" as the container reference;
		// no container name contains a slash.
		return bad("container reference contains a slash")
	case len(segs) == 2 && segs[0] == "volumes" && segs[1] == "create":
		return Route{Op: OpVolumeCreate, Version: ver}, nil
	}
	return unsupported()
}

// versionChars reports whether s matches the router's [0-9.]+.
func versionChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s != ""
}

// parseVersion accepts exactly "<major>.<minor>" with 1-3 digits each.
func parseVersion(s string) (APIVersion, bool) {
	a, b, ok := strings.Cut(s, ".")
	if !ok || len(a) == 0 || len(a) > 3 || len(b) == 0 || len(b) > 3 {
		return APIVersion{}, false
	}
	ma, err1 := strconv.Atoi(a)
	mi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || ma < 1 {
		return APIVersion{}, false
	}
	return APIVersion{Major: ma, Minor: mi}, true
}

// clip bounds s to n bytes for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
