package policy

import (
	"path"
	"strings"
	"testing"
)

func TestCleanRootedMatchesPathClean(t *testing.T) {
	deep := strings.Repeat("/a", maxCleanStack)
	for _, p := range []string{
		"/", "//", "/.", "/..", "/../..", "/a", "/a/", "/a//b", "/a/./b/", "/a/../b", "/a/b/..",
		"/a/b/../..", "/a/b/../../..", "/srv/data/project0/sub//dir", "/./a", "/a/.", "/a/..b/.c",
		"/..a/b", "/a/b/c/./../d", "///a///b///", deep, deep + "/..", deep + "//x",
	} {
		if got, want := cleanRooted(p), path.Clean(p); got != want {
			t.Errorf("cleanRooted(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestCleanRootedAllocations(t *testing.T) {
	for p, want := range map[string]float64{"/srv/data/x": 0, "/srv/data/x/": 0, "/srv//data/x": 1, "/srv/./x/../y": 1} {
		if got := testing.AllocsPerRun(100, func() { _ = cleanRooted(p) }); got != want {
			t.Errorf("cleanRooted(%q): %v allocations, want %v", p, got, want)
		}
	}
}

func FuzzCleanRooted(f *testing.F) {
	for _, s := range []string{"/", "/a//b/../c/.", "/a/b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		p = "/" + p
		if got, want := cleanRooted(p), path.Clean(p); got != want {
			t.Errorf("cleanRooted(%q) = %q, want %q", p, got, want)
		}
	})
}

func TestIsCleanRooted(t *testing.T) {
	for _, p := range []string{"/", "//", "/.", "/..", "/a", "/a/", "/a//b", "/a/.", "/a/..", "/a/.b", "/a/..b", "/a/b.", "/a/b..", "/./a", "/../a", "/a/./b", "/a/../b", "/..."} {
		if got, want := isCleanRooted(p), path.Clean(p) == p; got != want {
			t.Errorf("isCleanRooted(%q) = %v, want %v", p, got, want)
		}
	}
}

func FuzzIsCleanRooted(f *testing.F) {
	f.Add("a/./b/")
	f.Fuzz(func(t *testing.T, p string) {
		p = "/" + p
		if got, want := isCleanRooted(p), path.Clean(p) == p; got != want {
			t.Errorf("isCleanRooted(%q) = %v, want %v", p, got, want)
		}
	})
}

func FuzzCanonHostPathFastPath(f *testing.F) {
	for _, s := range []string{"/srv/x", "/var/run/docker.sock", "/a\\b", "/a\x00b", "a/b", "", "/a//b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		// The reference: the checks of canonHostPath in order, then path.Clean.
		var want, wantBad string
		switch {
		case p == "":
			wantBad = "empty path"
		case len(p) > maxHostPath:
			wantBad = "long"
		case strings.IndexByte(p, 0) >= 0:
			wantBad = "path contains a NUL byte"
		case strings.IndexByte(p, '\\') >= 0:
			wantBad = "backslash"
		case p[0] != '/':
			wantBad = "path is not absolute"
		default:
			want = path.Clean(p)
			if want == "/var/run" || strings.HasPrefix(want, "/var/run/") {
				want = want[len("/var"):]
			}
		}
		got, bad := canonHostPath(p)
		if got != want || (bad == "") != (wantBad == "") {
			t.Errorf("canonHostPath(%q) = %q, %q; want %q, %q", p, got, bad, want, wantBad)
		}
	})
}
