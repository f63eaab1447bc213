package policy

import "path"

// maxCleanStack bounds the paths cleanRootedSlow cleans in a stack buffer;
// longer ones are left to path.Clean.
const maxCleanStack = 256

// cleanRooted returns path.Clean(p) for a path starting with "/". It returns p
// itself (or a prefix of it) without allocating when p is already clean or only
// has trailing separators, and allocates once otherwise (path.Clean allocates
// twice; paths longer than maxCleanStack are left to it). p must start with "/".
func cleanRooted(p string) string {
	if isCleanRooted(p) {
		return p
	}
	return cleanRootedSlow(p)
}

// cleanRootedSlow is cleanRooted for a path that is not already clean: the
// rooted case of path.Clean, built in a stack buffer so that only the result
// is allocated.
func cleanRootedSlow(p string) string {
	n := len(p)
	if n > maxCleanStack {
		return path.Clean(p)
	}
	var buf [maxCleanStack]byte
	buf[0] = '/'
	w := 1 // bytes written; buf[:1] is the root, which ".." never removes
	for r := 1; r < n; {
		switch {
		case p[r] == '/':
			r++ // empty component
		case p[r] == '.' && (r+1 == n || p[r+1] == '/'):
			r++ // "."
		case p[r] == '.' && p[r+1] == '.' && (r+2 == n || p[r+2] == '/'):
			r += 2 // "..": drop the last component written
			for w > 1 && buf[w-1] != '/' {
				w--
			}
			if w > 1 {
				w-- // its separator
			}
		default:
			if w > 1 {
				buf[w] = '/'
				w++
			}
			for ; r < n && p[r] != '/'; r++ {
				buf[w] = p[r]
				w++
			}
		}
	}
	if string(buf[:w]) == p[:w] {
		return p[:w] // only trailing separators were dropped
	}
	return string(buf[:w])
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
