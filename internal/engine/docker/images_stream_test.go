package docker

import (
	"errors"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/internal/engine"
)

func TestReadProgress(t *testing.T) {
	in := strings.Join([]string{
		`{"status":"Pulling from library/x","id":"latest"}`,
		`not json`,
		`{"status":"Downloading","progressDetail":{"current":10,"total":20},"id":"abc"}`,
		`{"id":"` + strings.Repeat("x", maxProgressLine+10) + `"}`,
		``,
		`{"status":"Pull complete","id":"abc"}`,
	}, "\r\n") + "\r\n"
	var got []engine.PullProgress
	if err := readProgress(strings.NewReader(in), func(p engine.PullProgress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	want := []engine.PullProgress{
		{ID: "latest", Status: "Pulling from library/x"},
		{ID: "abc", Status: "Downloading", Current: 10, Total: 20},
		{ID: "abc", Status: "Pull complete"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadProgressError(t *testing.T) {
	in := `{"status":"Pulling"}` + "\n" +
		`{"errorDetail":{"message":"manifest unknown"},"error":"old text"}` + "\n" +
		`{"status":"never read"}` + "\n"
	var n int
	err := readProgress(strings.NewReader(in), func(engine.PullProgress) { n++ })
	var se *streamError
	if !errors.As(err, &se) || se.msg != "manifest unknown" {
		t.Fatalf("err = %v, want stream error %q", err, "manifest unknown")
	}
	if n != 1 {
		t.Fatalf("progress called %d times, want 1", n)
	}
	long := `{"error":"` + strings.Repeat("e", 5000) + `"}`
	err = readProgress(strings.NewReader(long), nil)
	if !errors.As(err, &se) || len(se.msg) > maxStreamError+3 {
		t.Fatalf("long error not bounded: %v", err)
	}
}

func TestReadProgressNoTrailingNewline(t *testing.T) {
	var n int
	if err := readProgress(strings.NewReader(`{"status":"a"}`), func(engine.PullProgress) { n++ }); err != nil || n != 1 {
		t.Fatalf("err %v, n %d", err, n)
	}
	// An oversized last line without a newline is skipped, not an error.
	if err := readProgress(strings.NewReader(strings.Repeat("x", maxProgressLine*2)), nil); err != nil {
		t.Fatal(err)
	}
}
