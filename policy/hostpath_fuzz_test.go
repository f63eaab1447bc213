package policy

import (
	"path"
	"strings"
	"testing"
)

// fuzzDenied is an independent list of paths that must never be reachable
// through an allowed bind: written out by hand, compared with strings.Split, not
// with the package's table or helpers.
var fuzzDenied = []string{
	"/run/docker.sock", "/var/run/docker.sock", "/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock", "/run/podman/podman.sock", "/run/user/1000/docker.sock",
	"/etc", "/etc/shadow", "/proc", "/sys", "/dev", "/boot", "/root", "/usr/bin", "/bin",
	"/sbin", "/lib/modules", "/lib64", "/var/lib/docker", "/var/lib/containerd", "/var/log",
}

// fuzzCredential are components that must never be reachable either.
var fuzzCredential = []string{".ssh", ".aws", ".kube", ".docker", ".gnupg", ".netrc"}

func fuzzSplit(p string) []string {
	if p == "/" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// fuzzPrefix reports whether a's components are a prefix of b's.
func fuzzPrefix(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fuzzCanon is an independent canonicaliser: path.Clean plus the /var/run alias.
func fuzzCanon(p string) []string {
	parts := fuzzSplit(path.Clean(p))
	if len(parts) >= 2 && parts[0] == "var" && parts[1] == "run" {
		parts = append([]string{"run"}, parts[2:]...)
	}
	return parts
}

// FuzzHostPath checks the property: a bind source that hostMounts and
// sensitivePaths allow never lies under, nor is an ancestor of, a denied path or
// a credential component once cleaned, unless an allowed root names the
// sensitive area itself (the root is at or below the denied path, or names the
// ancestor exactly).
func FuzzHostPath(f *testing.F) {
	for _, seed := range [][2]string{
		{"/srv/data/x", "/srv/data"},
		{"/var/run/docker.sock", "/"},
		{"//var//run/../run/docker.sock", "/"},
		{"/srv/data/../../etc", "/srv/data"},
		{"/home/a/.ssh/id_rsa", "/home/a"},
		{"/", "/"},
		{"/var/log/app/x", "/var/log/app"},
		{"/etc", "/etc"},
		{"/run", "/run/containerd"},
		{`/srv\..\etc`, "/srv"},
		{"/srv/data/./x/", "/srv/data/"},
		{"/ETC/x", "/"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, src, root string) {
		c := &Container{Mounts: []Mount{{Field: "HostConfig.Mounts[0]", Type: MountBind, Source: src, Target: "/x", ReadOnly: true}}}
		s := &Settings{}
		s.Exceptions.BindRoots = []BindRoot{{Path: root}, {Path: "/tmp"}, {Path: "/home/alice/src"}}
		var r Report
		hostMountsV1(c, s, &r)
		sensitivePathsV1(c, s, &r)
		if cp, err := CleanHostPath(src); err == nil {
			if again, err := CleanHostPath(cp); err != nil || again != cp {
				t.Fatalf("CleanHostPath not idempotent: %q -> %q -> %q, %v", src, cp, again, err)
			}
		}
		if len(r.findings) != 0 {
			return
		}
		// Allowed: the source must be a sane absolute Linux path...
		if src == "" || src[0] != '/' || strings.ContainsAny(src, "\\\x00") {
			t.Fatalf("allowed unparsable source %q", src)
		}
		p := fuzzCanon(src)
		// ...under one of the roots, component-wise...
		var covering [][]string
		for _, rt := range []string{root, "/tmp", "/home/alice/src"} {
			if rt == "" || rt[0] != '/' || strings.ContainsAny(rt, "\\\x00") {
				continue
			}
			if rc := fuzzCanon(rt); fuzzPrefix(rc, p) {
				covering = append(covering, rc)
			}
		}
		if len(covering) == 0 {
			t.Fatalf("allowed %q outside every root (root %q)", src, root)
		}
		excused := func(anchor int) bool {
			for _, rc := range covering {
				if len(rc) >= anchor {
					return true
				}
			}
			return false
		}
		// ...and neither under nor above a denied path unless a root reaches it.
		for _, d := range fuzzDenied {
			dc := fuzzCanon(d)
			if fuzzPrefix(dc, p) && !excused(len(dc)) {
				t.Fatalf("allowed %q lies under denied %q (root %q)", src, d, root)
			}
			if fuzzPrefix(p, dc) && len(p) < len(dc) && !excused(len(p)) {
				t.Fatalf("allowed %q is an ancestor of denied %q (root %q)", src, d, root)
			}
		}
		for i, comp := range p {
			for _, cred := range fuzzCredential {
				if asciiLower(comp) == cred && !excused(i+1) {
					t.Fatalf("allowed %q contains credential component %q (root %q)", src, comp, root)
				}
			}
		}
	})
}

// asciiLower lower-cases ASCII letters only (Linux does not fold Unicode).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func FuzzCanonicalWindowsPath(f *testing.F) {
	for _, s := range []string{`\\.\pipe\docker_engine`, "//./pipe/x", `C:\x`, `\\?\UNC\a\b`, "/etc", "é:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		canon, kind := canonicalWindowsPath(p)
		if kind == winNone {
			return
		}
		if strings.ContainsRune(canon, '/') {
			t.Fatalf("canonical %q of %q keeps a slash", canon, p)
		}
		if again, k2 := canonicalWindowsPath(canon); again != canon || k2 != kind {
			t.Fatalf("not idempotent: %q -> %q (%d) -> %q (%d)", p, canon, kind, again, k2)
		}
	})
}
