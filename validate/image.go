package validate

import (
	"strings"

	"github.com/distribution/reference"
)

// maxImageRefBytes bounds an image reference before parsing: a 255-byte
// repository name, a 128-byte tag and a sha512 digest fit.
const maxImageRefBytes = 512

// ImageRef is a parsed, normalised image reference, built on
// github.com/distribution/reference, the parser the Docker daemon uses.
// "nginx:1.25" becomes "docker.io/library/nginx:1.25".
//
// The zero value is not a reference (IsZero reports true); values come from
// [ParseImageRef]. An ImageRef is immutable and safe for concurrent use.
type ImageRef struct {
	named reference.Named
}

// ImageOption configures [ParseImageRef].
type ImageOption func(*imageConfig)

type imageConfig struct {
	requireDigest bool
	defaultLatest bool
}

// RequireDigest accepts only references pinned by digest
// ("nginx@sha256:..." or "nginx:1.25@sha256:...").
func RequireDigest() ImageOption { return func(c *imageConfig) { c.requireDigest = true } }

// DefaultTagLatest makes a reference with neither tag nor digest mean
// ":latest", as the Docker CLI does. By default such a reference is rejected,
// because what "latest" names changes over time.
func DefaultTagLatest() ImageOption { return func(c *imageConfig) { c.defaultLatest = true } }

// ParseImageRef parses and normalises an image reference. By default it
// requires an explicit tag or digest; see [DefaultTagLatest] and
// [RequireDigest]. It rejects upper-case repository names, 64-hex-digit
// strings (which the daemon would read as an image ID), unknown digest
// algorithms, names over 255 bytes and input over 512 bytes. Errors are
// [*Error] values matching [ErrInvalid].
func ParseImageRef(s string, opts ...ImageOption) (ImageRef, error) {
	var cfg imageConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if s == "" {
		return ImageRef{}, newError("image", s, "empty reference")
	}
	if len(s) > maxImageRefBytes {
		return ImageRef{}, newError("image", s, "reference longer than 512 bytes")
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return ImageRef{}, newError("image", s, "invalid reference: "+truncate(referenceReason(err), 96))
	}
	_, tagged := named.(reference.Tagged)
	_, digested := named.(reference.Digested)
	switch {
	case cfg.requireDigest && !digested:
		return ImageRef{}, newError("image", s, "a digest (@sha256:...) is required")
	case !tagged && !digested && !cfg.defaultLatest:
		return ImageRef{}, newError("image", s, "a tag or digest is required")
	case !tagged && !digested:
		named = reference.TagNameOnly(named)
	}
	return ImageRef{named: named}, nil
}

// referenceReason strips the input from the parser's message.
func referenceReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") && !strings.Contains(msg[:i], "(") {
		msg = msg[:i]
	}
	return msg
}

// IsZero reports whether r is the zero ImageRef.
func (r ImageRef) IsZero() bool { return r.named == nil }

// String returns the normalised reference, for example
// "docker.io/library/nginx:1.25". Parsing it again yields an equal ImageRef.
func (r ImageRef) String() string {
	if r.named == nil {
		return ""
	}
	return r.named.String()
}

// Familiar returns the short form the Docker CLI shows, for example
// "nginx:1.25".
func (r ImageRef) Familiar() string {
	if r.named == nil {
		return ""
	}
	return reference.FamiliarString(r.named)
}

// Name returns the repository with its registry, for example
// "docker.io/library/nginx".
func (r ImageRef) Name() string {
	if r.named == nil {
		return ""
	}
	return r.named.Name()
}

// Domain returns the registry, for example "docker.io" or "ghcr.io".
func (r ImageRef) Domain() string {
	if r.named == nil {
		return ""
	}
	return reference.Domain(r.named)
}

// Path returns the repository path within the registry, for example
// "library/nginx".
func (r ImageRef) Path() string {
	if r.named == nil {
		return ""
	}
	return reference.Path(r.named)
}

// Tag returns the tag, or "" when there is none.
func (r ImageRef) Tag() string {
	if t, ok := r.named.(reference.Tagged); ok {
		return t.Tag()
	}
	return ""
}

// Digest returns the digest ("sha256:..."), or "" when there is none. When a
// reference has both a tag and a digest, the daemon uses the digest.
func (r ImageRef) Digest() string {
	if d, ok := r.named.(reference.Digested); ok {
		return d.Digest().String()
	}
	return ""
}

// ImageAllowList says which registries and repositories images may come
// from. Build it with [NewImageAllowList]. It is immutable and safe for
// concurrent use; a nil *ImageAllowList allows nothing.
type ImageAllowList struct {
	exact    map[string]struct{}
	prefixes []string // each ends in "/"
}

// NewImageAllowList builds an allow-list from patterns, each one of:
//
//   - a repository, exactly: "nginx" (docker.io/library/nginx),
//     "ghcr.io/acme/api";
//   - everything under a path: "ghcr.io/acme/*", "acme/*" (docker.io/acme/...),
//     "docker.io/library/*";
//   - everything in a registry: "registry.example.com:5000/*".
//
// Patterns carry no tag or digest. Registry names are compared without
// regard to case; repository paths exactly. A pattern never matches across a
// path boundary: "ghcr.io/acme/*" does not allow "ghcr.io/acmecorp/x".
func NewImageAllowList(patterns ...string) (*ImageAllowList, error) {
	l := &ImageAllowList{exact: make(map[string]struct{})}
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "/*"); ok {
			if prefix == "" || strings.ContainsAny(prefix, "*@") {
				return nil, newError("image allow-list", p, "bad pattern")
			}
			var norm string
			if !strings.Contains(prefix, "/") && isDomainLike(prefix) {
				// A bare registry; check it as one.
				named, err := reference.ParseNormalizedNamed(prefix + "/x")
				if err != nil {
					return nil, newError("image allow-list", p, "bad registry")
				}
				norm = strings.ToLower(reference.Domain(named))
			} else {
				named, err := reference.ParseNormalizedNamed(prefix + "/x")
				if err != nil || !reference.IsNameOnly(named) {
					return nil, newError("image allow-list", p, "bad repository prefix")
				}
				norm = matchKey(named)
				norm = strings.TrimSuffix(norm, "/x")
			}
			l.prefixes = append(l.prefixes, norm+"/")
			continue
		}
		named, err := reference.ParseNormalizedNamed(p)
		if err != nil || !reference.IsNameOnly(named) {
			return nil, newError("image allow-list", p, "must be a repository without tag or digest, or end in /*")
		}
		l.exact[matchKey(named)] = struct{}{}
	}
	if len(l.exact) == 0 && len(l.prefixes) == 0 {
		return nil, newError("image allow-list", "", "no patterns")
	}
	return l, nil
}

// isDomainLike applies Docker's rule for the first path component: it names
// a registry when it holds '.' or ':' or is "localhost".
func isDomainLike(s string) bool {
	return strings.ContainsAny(s, ".:") || s == "localhost"
}

// matchKey is the repository name with the registry lower-cased.
func matchKey(n reference.Named) string {
	return strings.ToLower(reference.Domain(n)) + "/" + reference.Path(n)
}

// Allows reports whether the allow-list admits ref's repository.
func (l *ImageAllowList) Allows(ref ImageRef) bool {
	if l == nil || ref.named == nil {
		return false
	}
	key := matchKey(ref.named)
	if _, ok := l.exact[key]; ok {
		return true
	}
	for _, p := range l.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Check returns nil when [ImageAllowList.Allows] reports true, and otherwise
// an [*Error] matching [ErrInvalid].
func (l *ImageAllowList) Check(ref ImageRef) error {
	if l.Allows(ref) {
		return nil
	}
	return newError("image", ref.String(), "repository is not on the allow-list")
}
