package docker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/safedocker/safedocker/internal/engine"
)

// maxProgressLine bounds one JSON message of a progress stream. Longer lines are
// skipped whole (they are never buffered beyond this size).
const maxProgressLine = 64 << 10

// maxStreamError bounds the daemon's error text kept from a progress stream.
const maxStreamError = 1 << 10

// progressMessage is the part of a JSON progress message we read.
type progressMessage struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	ProgressDetail struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// streamError is an error message found in a progress stream.
type streamError struct{ msg string }

func (e *streamError) Error() string { return "daemon: " + e.msg }

// readProgress reads newline-delimited JSON progress messages from r until it
// ends, passing each to progress (when not nil) and returning the first error
// message as a *streamError. Each line is bounded by maxProgressLine; longer
// lines and lines that are not JSON objects are skipped.
func readProgress(r io.Reader, progress func(engine.PullProgress)) error {
	br := bufio.NewReaderSize(r, maxProgressLine)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Skip the rest of an oversized line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err == nil {
				continue
			}
			line = nil
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			var m progressMessage
			if json.Unmarshal(line, &m) == nil {
				if msg := m.errorText(); msg != "" {
					return &streamError{msg: msg}
				}
				if progress != nil {
					progress(engine.PullProgress{
						ID:      m.ID,
						Status:  m.Status,
						Current: m.ProgressDetail.Current,
						Total:   m.ProgressDetail.Total,
					})
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("docker: reading progress: %w", err)
		}
	}
}

func (m *progressMessage) errorText() string {
	msg := m.Error
	if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
		msg = m.ErrorDetail.Message
	}
	if len(msg) > maxStreamError {
		msg = msg[:maxStreamError] + "..."
	}
	return msg
}
