package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("hello file"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
	}{
		{[]string{"print", "hello", "world"}, 0, "hello world\n"},
		{[]string{"exit", "7"}, 7, ""},
		{[]string{"exit", "256"}, 2, ""},
		{[]string{"sleep", "1ms"}, 0, ""},
		{[]string{"sleep", "forever"}, 2, ""},
		{[]string{"ls", dir}, 0, "a\n"},
		{[]string{"cat", filepath.Join(dir, "a")}, 0, "hello file"},
		{[]string{"cat", filepath.Join(dir, "missing")}, 1, ""},
		{[]string{"write", filepath.Join(dir, "b"), "text"}, 0, ""},
		{[]string{"nope"}, 2, ""},
		{nil, 2, ""},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(tt.args, &out, &errOut)
		if code != tt.wantCode || out.String() != tt.wantStdout {
			t.Errorf("run(%q) = %d, %q (stderr %q); want %d, %q", tt.args, code, out.String(), errOut.String(), tt.wantCode, tt.wantStdout)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b")); err != nil || string(b) != "text" {
		t.Errorf("write: got %q, %v", b, err)
	}
}

func TestSpamWritesExactly(t *testing.T) {
	for _, n := range []int64{0, 1, 63, 64, 65, 100000} {
		var out, errOut bytes.Buffer
		if code := run([]string{"spam", strconv.FormatInt(n, 10)}, &out, &errOut); code != 0 {
			t.Fatalf("spam %d: code %d", n, code)
		}
		if int64(out.Len()) != n {
			t.Errorf("spam %d wrote %d bytes", n, out.Len())
		}
		if strings.Trim(out.String(), "x\n") != "" {
			t.Errorf("spam %d wrote unexpected bytes", n)
		}
	}
}

func TestID(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"id"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "uid=") {
		t.Fatalf("id: %d %q", code, out.String())
	}
}
