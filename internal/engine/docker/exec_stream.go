package docker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/safedocker/safedocker/internal/engine"
)

// The stream numbers of the Engine API's multiplexed attach format: each frame is
// an 8-byte header (stream, three zero bytes, big-endian uint32 length) followed
// by the payload.
const (
	streamStdin  = 0
	streamStdout = 1
	streamStderr = 2
	streamSystem = 3
)

// errBadFrame reports a multiplexed stream that does not follow the format.
var errBadFrame = errors.New("docker: malformed multiplexed stream")

// demux copies a multiplexed attach stream into the writers by stream number
// until r ends. It never holds more than one copy buffer in memory, whatever
// length a frame header claims: payloads are streamed, not buffered. A clean end
// between frames returns nil; an end inside a frame returns io.ErrUnexpectedEOF.
func demux(r io.Reader, stdout, stderr, system io.Writer) error {
	var hdr [8]byte
	buf := make([]byte, 32<<10)
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var w io.Writer
		switch hdr[0] {
		case streamStdin, streamStdout:
			w = stdout
		case streamStderr:
			w = stderr
		case streamSystem:
			w = system
		default:
			return fmt.Errorf("%w: unknown stream %d", errBadFrame, hdr[0])
		}
		n := int64(binary.BigEndian.Uint32(hdr[4:8]))
		copied, err := io.CopyBuffer(w, io.LimitReader(r, n), buf)
		if err != nil {
			return err
		}
		if copied < n {
			return io.ErrUnexpectedEOF
		}
	}
}

// capture is an io.Writer that keeps at most limit bytes and counts the rest. It
// never fails, so a copy into it always drains its source.
type capture struct {
	limit int64
	data  []byte
	total int64
}

func newCapture(limit int64) *capture {
	if limit < 0 {
		limit = 0
	}
	return &capture{limit: limit}
}

func (c *capture) Write(p []byte) (int, error) {
	c.total += int64(len(p))
	if room := c.limit - int64(len(c.data)); room > 0 {
		keep := p
		if int64(len(keep)) > room {
			keep = keep[:room]
		}
		if need := len(c.data) + len(keep); need > cap(c.data) {
			// Grow by doubling, never beyond the limit, so a capture costs at
			// most about twice its limit in allocations.
			n := int64(max(2*cap(c.data), need, 4096))
			n = min(n, c.limit)
			grown := make([]byte, len(c.data), n)
			copy(grown, c.data)
			c.data = grown
		}
		c.data = append(c.data, keep...)
	}
	return len(p), nil
}

func (c *capture) result() engine.Captured {
	return engine.Captured{
		Data:      c.data,
		Total:     c.total,
		Truncated: c.total > int64(len(c.data)),
	}
}
