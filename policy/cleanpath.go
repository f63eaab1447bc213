package policy

import (
	"path"
	"strings"
)

// maxCleanDepth bounds the components cleanRooted tracks on the stack; deeper
// paths are left to path.Clean.
const maxCleanDepth = 16

// cleanRooted returns path.Clean(p) for a path starting with "/". It returns p
// itself (or a prefix of it) without allocating when p is already clean or only
// has trailing separators, and allocates once otherwise (path.Clean allocates
// twice). p must start with "/".
func cleanRooted(p string) string {
	if isCleanRooted(p) {
		return p
	}
	return cleanRootedSlow(p)
}

// cleanRootedSlow is cleanRooted for a path that is not already clean.
func cleanRootedSlow(p string) string {
	// spans holds the [start, end) offsets in p of the kept components.
	var spans [maxCleanDepth][2]int
	n := 0
	for i := 0; i < len(p); {
		for i < len(p) && p[i] == '/' {
			i++
		}
		j := i
		for j < len(p) && p[j] != '/' {
			j++
		}
		switch comp := p[i:j]; comp {
		case "", ".":
		case "..":
			if n > 0 {
				n-- // a rooted path cannot go above "/"
			}
		default:
			if n == len(spans) {
				return path.Clean(p)
			}
			spans[n] = [2]int{i, j}
			n++
		}
		i = j
	}
	if n == 0 {
		return "/"
	}
	// Already clean up to some prefix: every kept component follows the
	// previous one after exactly one "/".
	pos := 0
	for _, s := range spans[:n] {
		if s[0] != pos+1 || p[pos] != '/' {
			pos = -1
			break
		}
		pos = s[1]
	}
	if pos >= 0 {
		return p[:pos]
	}
	size := 0
	for _, s := range spans[:n] {
		size += 1 + s[1] - s[0]
	}
	var b strings.Builder
	b.Grow(size)
	for _, s := range spans[:n] {
		b.WriteByte('/')
		b.WriteString(p[s[0]:s[1]])
	}
	return b.String()
}

// isCleanRooted reports whether path.Clean(p) == p for a p starting with "/":
// no empty, "." or ".." component and no trailing "/" (except for "/" itself).
func isCleanRooted(p string) bool {
	return scanCleanRooted(p, false)
}

// scanCleanRooted is isCleanRooted; with plain it also reports false when p
// contains a NUL byte or a backslash.
func scanCleanRooted(p string, plain bool) bool {
	n := len(p)
	if n > 1 && p[n-1] == '/' {
		return false
	}
	for i := 1; i < n; i++ {
		if plain && (p[i] == 0 || p[i] == '\\') {
			return false
		}
		if p[i-1] != '/' {
			continue
		}
		// p[i] starts a component.
		switch p[i] {
		case '/':
			return false
		case '.':
			if i+1 == n || p[i+1] == '/' || p[i+1] == '.' && (i+2 == n || p[i+2] == '/') {
				return false
			}
		}
	}
	return true
}
