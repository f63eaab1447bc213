package hostfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/safedocker/safedocker/policy"
)

// DefaultMaxLinks is the number of symbolic links a Resolver follows before it
// gives up, the same bound as the Linux kernel's.
const DefaultMaxLinks = 40

// ErrTooManyLinks is matched by a *ResolveError when resolution followed more
// than the Resolver's MaxLinks symbolic links (a loop, or a deliberately long
// chain).
var ErrTooManyLinks = errors.New("hostfs: too many levels of symbolic links")

// ErrNotAbsolute is matched by a *ResolveError when the path to resolve is not
// an absolute path or contains a NUL byte.
var ErrNotAbsolute = errors.New("hostfs: not an absolute path")

// ResolveError reports a path that could not be resolved. It unwraps to
// ErrTooManyLinks, ErrNotAbsolute or the underlying *fs.PathError (for example
// permission denied, or a component that is not a directory).
type ResolveError struct {
	// Path is the path that was being resolved.
	Path string
	// Err is the cause.
	Err error
}

// Error returns "hostfs: resolve <path>: <cause>".
func (e *ResolveError) Error() string {
	return "hostfs: resolve " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ResolveError) Unwrap() error { return e.Err }

// Resolver resolves host paths by following symbolic links on this host. The
// zero value is ready to use. A Resolver is safe for concurrent use.
type Resolver struct {
	// MaxLinks bounds the number of symbolic links followed for one path; zero
	// or negative means DefaultMaxLinks.
	MaxLinks int
}

var _ policy.PathResolver = Resolver{}

// ResolveHostPath returns the absolute, clean path that p leads to once every
// symbolic link in it is followed. p is first cleaned lexically, as the daemon
// cleans a bind source. Components are resolved one by one from the root; at the
// first component that does not exist the rest of the path is appended
// unchanged and the result cleaned, so a missing tail under a symlinked parent
// resolves to where the daemon would create it.
//
// It fails with a *ResolveError when p is not absolute, when more than MaxLinks
// links are followed, or when a component cannot be examined (permission denied,
// or a non-directory followed by more components).
func (r Resolver) ResolveHostPath(p string) (string, error) {
	if !filepath.IsAbs(p) || strings.IndexByte(p, 0) >= 0 {
		return "", &ResolveError{Path: p, Err: ErrNotAbsolute}
	}
	maxLinks := r.MaxLinks
	if maxLinks <= 0 {
		maxLinks = DefaultMaxLinks
	}
	resolved := "/"
	rest := filepath.Clean(p)[1:]
	links := 0
	for rest != "" {
		var comp string
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			comp, rest = rest[:i], rest[i+1:]
		} else {
			comp, rest = rest, ""
		}
		switch comp {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, comp)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Clean(next + "/" + rest), nil
		}
		if err != nil {
			return "", &ResolveError{Path: p, Err: err}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		links++
		if links > maxLinks {
			return "", &ResolveError{Path: p, Err: ErrTooManyLinks}
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", &ResolveError{Path: p, Err: err}
		}
		if filepath.IsAbs(target) {
			resolved = "/"
		}
		if rest == "" {
			rest = target
		} else {
			rest = target + "/" + rest
		}
	}
	return resolved, nil
}

var _ policy.PathStatter = Resolver{}

// HostPathExists reports whether p exists on this host once every symbolic
// link in it is followed (os.Stat of the resolved path). A dangling symlink
// does not exist. It fails with a *ResolveError when p cannot be resolved or
// examined (permission denied, say).
func (r Resolver) HostPathExists(p string) (bool, error) {
	resolved, err := r.ResolveHostPath(p)
	if err != nil {
		return false, err
	}
	switch _, err := os.Stat(resolved); {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, &ResolveError{Path: p, Err: err}
	}
}
