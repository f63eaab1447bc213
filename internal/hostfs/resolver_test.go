package hostfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// tree builds a directory tree under a fresh temporary directory (resolved, so
// that a symlinked TMPDIR does not disturb the expectations) and returns its
// root. dirs are created; links map a link path to its target; "$" in a target
// stands for the root.
func tree(t *testing.T, dirs []string, links map[string]string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("hostfs resolves Linux host paths")
	}
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for l, target := range links {
		if len(target) > 0 && target[0] == '$' {
			target = root + target[1:]
		}
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestResolveHostPath(t *testing.T) {
	root := tree(t,
		[]string{"real/sub", "a/b", "plain"},
		map[string]string{
			"etc":         "/etc",             // absolute link out of the tree
			"rel":         "real/sub",         // relative link
			"a/up":        "../real",          // relative link with ..
			"chain1":      "chain2",           // chain of links
			"chain2":      "rel",              //
			"dangling":    "$/missing/deeper", // dangling absolute link
			"a/b/back":    "../../etc",        // link to a link
			"loop1":       "loop2",
			"loop2":       "loop1",
			"plain/file2": "../real",
		})
	if err := os.WriteFile(filepath.Join(root, "real/f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, want string
	}{
		{root + "/real/sub", root + "/real/sub"},
		{root + "/etc", "/etc"},
		{root + "/etc/nonexistent", "/etc/nonexistent"},
		{root + "/etc/nonexistent/deeper/x", "/etc/nonexistent/deeper/x"},
		{root + "/rel/x", root + "/real/sub/x"},
		{root + "/a/up/sub", root + "/real/sub"},
		{root + "/chain1/new", root + "/real/sub/new"},
		{root + "/dangling/x", root + "/missing/deeper/x"},
		{root + "/a/b/back/passwd", "/etc/passwd"},
		{root + "//real/./sub/", root + "/real/sub"},
		{root + "/a/../etc", "/etc"}, // lexical clean first, as the daemon does
		{root + "/missing", root + "/missing"},
		{root + "/plain/file2/f", root + "/real/f"},
		{"/", "/"},
	}
	var r Resolver
	for _, tt := range tests {
		got, err := r.ResolveHostPath(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ResolveHostPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestResolveHostPathErrors(t *testing.T) {
	root := tree(t, []string{"d"}, map[string]string{"loop1": "loop2", "loop2": "loop1"})
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var r Resolver
	var re *ResolveError

	_, err := r.ResolveHostPath(root + "/loop1/x")
	if !errors.Is(err, ErrTooManyLinks) || !errors.As(err, &re) || re.Path != root+"/loop1/x" {
		t.Errorf("loop: got %v, want *ResolveError matching ErrTooManyLinks", err)
	}
	for _, p := range []string{"", "relative/x", "/a\x00b"} {
		if _, err := r.ResolveHostPath(p); !errors.Is(err, ErrNotAbsolute) {
			t.Errorf("ResolveHostPath(%q) = %v, want ErrNotAbsolute", p, err)
		}
	}
	// A regular file followed by more components: ENOTDIR, not a missing tail.
	if _, err := r.ResolveHostPath(root + "/file/x"); err == nil || errors.Is(err, ErrTooManyLinks) {
		t.Errorf("file/x: got %v, want a not-a-directory error", err)
	}
	if err != nil && err.Error() == "" {
		t.Error("empty error message")
	}
}

func TestResolveHostPathMaxLinks(t *testing.T) {
	links := map[string]string{}
	for i := 0; i < 5; i++ {
		links["l"+string(rune('0'+i))] = "l" + string(rune('1'+i))
	}
	root := tree(t, []string{"l5"}, links)
	if got, err := (Resolver{}).ResolveHostPath(root + "/l0"); err != nil || got != root+"/l5" {
		t.Fatalf("chain of 5 with the default bound: %q, %v", got, err)
	}
	if _, err := (Resolver{MaxLinks: 4}).ResolveHostPath(root + "/l0"); !errors.Is(err, ErrTooManyLinks) {
		t.Fatalf("chain of 5 with MaxLinks 4: %v, want ErrTooManyLinks", err)
	}
	if _, err := (Resolver{MaxLinks: 5}).ResolveHostPath(root + "/l0"); err != nil {
		t.Fatalf("chain of 5 with MaxLinks 5: %v", err)
	}
}

func TestResolveHostPathPermission(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	root := tree(t, []string{"closed/inner"}, nil)
	if err := os.Chmod(filepath.Join(root, "closed"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "closed"), 0o755) })
	_, err := (Resolver{}).ResolveHostPath(root + "/closed/inner/x")
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("got %v, want a permission error", err)
	}
}

func TestHostPathExists(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "real/sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"good": "real", "dangling": "nowhere", "loop": "loop"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	var r Resolver
	for _, tt := range []struct {
		p      string
		exists bool
	}{
		{dir + "/real/sub", true},
		{dir + "/good/sub", true},
		{dir + "/good/missing", false},
		{dir + "/dangling", false},
		{dir + "/missing/deeper", false},
	} {
		got, err := r.HostPathExists(tt.p)
		if err != nil || got != tt.exists {
			t.Errorf("HostPathExists(%s) = %v, %v; want %v", tt.p, got, err, tt.exists)
		}
	}
	if _, err := r.HostPathExists(dir + "/loop/x"); !errors.Is(err, ErrTooManyLinks) {
		t.Errorf("HostPathExists through a symlink loop: %v; want ErrTooManyLinks", err)
	}
	if _, err := r.HostPathExists("relative"); !errors.Is(err, ErrNotAbsolute) {
		t.Errorf("HostPathExists(relative): %v; want ErrNotAbsolute", err)
	}
}
