package docker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

func frame(stream byte, payload string) []byte {
	hdr := make([]byte, 8, 8+len(payload))
	hdr[0] = stream
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(payload)))
	return append(hdr, payload...)
}

func TestDemux(t *testing.T) {
	var in bytes.Buffer
	in.Write(frame(streamStdout, "hello "))
	in.Write(frame(streamStderr, "oops"))
	in.Write(frame(streamStdout, "world"))
	in.Write(frame(streamSystem, "sys"))
	in.Write(frame(streamStdin, "!"))
	var out, errb, sys bytes.Buffer
	if err := demux(&in, &out, &errb, &sys); err != nil {
		t.Fatal(err)
	}
	if out.String() != "hello world!" || errb.String() != "oops" || sys.String() != "sys" {
		t.Fatalf("stdout %q stderr %q system %q", out.String(), errb.String(), sys.String())
	}
}

func TestDemuxMalformed(t *testing.T) {
	cases := map[string]struct {
		in   []byte
		want error
	}{
		"unknown stream": {frame(9, "x"), errBadFrame},
		"short header":   {[]byte{1, 0, 0}, io.ErrUnexpectedEOF},
		"short payload":  {frame(streamStdout, "abcdef")[:11], io.ErrUnexpectedEOF},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := demux(bytes.NewReader(tc.in), io.Discard, io.Discard, io.Discard)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// A header claiming a 4 GiB frame must not make demux allocate it: the payload is
// streamed through the capture, which keeps only its limit.
func TestDemuxHugeFrameClaimIsStreamed(t *testing.T) {
	hdr := []byte{streamStdout, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}
	r := io.MultiReader(bytes.NewReader(hdr), strings.NewReader(strings.Repeat("a", 100)))
	c := newCapture(10)
	err := demux(r, c, io.Discard, io.Discard)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	got := c.result()
	if string(got.Data) != "aaaaaaaaaa" || got.Total != 100 || !got.Truncated {
		t.Fatalf("capture = %+v", got)
	}
}

func TestCapture(t *testing.T) {
	for _, tc := range []struct {
		limit  int64
		writes []string
		want   string
		total  int64
		trunc  bool
	}{
		{10, []string{"abc", "def"}, "abcdef", 6, false},
		{4, []string{"abc", "def"}, "abcd", 6, true},
		{3, []string{"abc"}, "abc", 3, false},
		{0, []string{"abc"}, "", 3, true},
		{-5, []string{"abc"}, "", 3, true},
	} {
		c := newCapture(tc.limit)
		for _, w := range tc.writes {
			if n, err := c.Write([]byte(w)); n != len(w) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		got := c.result()
		if string(got.Data) != tc.want || got.Total != tc.total || got.Truncated != tc.trunc {
			t.Errorf("limit %d: %+v, want %q total %d truncated %v", tc.limit, got, tc.want, tc.total, tc.trunc)
		}
	}
}

func BenchmarkDemuxCapture(b *testing.B) {
	payload := strings.Repeat("x", 32<<10)
	var in bytes.Buffer
	for range 64 {
		in.Write(frame(streamStdout, payload))
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c := newCapture(1 << 20)
		if err := demux(bytes.NewReader(data), c, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// A small bound over a large stream: memory stays near the bound, not the
// stream size.
func BenchmarkDemuxSmallBound(b *testing.B) {
	payload := strings.Repeat("x", 32<<10)
	var in bytes.Buffer
	for range 256 { // 8 MiB
		in.Write(frame(streamStdout, payload))
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c := newCapture(64 << 10)
		if err := demux(bytes.NewReader(data), c, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
