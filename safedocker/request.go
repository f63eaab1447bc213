package safedocker

import (
	"errors"
	"fmt"

	"github.com/safedocker/safedocker/internal/engine/docker/decode"
	"github.com/safedocker/safedocker/policy"
)

// ErrUnsupportedRequest is returned (wrapped) by JudgeRequest for a request to
// an endpoint it does not judge. Such a request has not been found safe: a
// caller that forwards requests must refuse it or judge it some other way. It
// is not returned for a judged endpoint whose path or body is malformed; those
// are denials.
var ErrUnsupportedRequest = errors.New("safedocker: request not judged")

// RawRequest is one Docker Engine API request as received on the wire.
type RawRequest struct {
	// Method is the HTTP method, e.g. "POST" (case-sensitive, as the daemon's
	// router matches it).
	Method string
	// Path is the request target as sent, not unescaped: the path with or
	// without a "/vX.Y" version prefix, and an optional query string, e.g.
	// "/v1.47/containers/create?name=web".
	Path string
	// Body is the request body, byte for byte.
	Body []byte
}

// Verdict is JudgeRequest's answer.
type Verdict struct {
	// Allowed is true only when the request was decoded and no check found
	// anything. The zero Verdict is a denial.
	Allowed bool
	// Operation is the judged operation: "container.create", "container.exec"
	// or "volume.create"; "" when the path itself was refused.
	Operation string
	// APIVersion is the version from the path prefix ("1.47"), or "" when the
	// path had none and the daemon's default applies.
	APIVersion string
	// Findings are all the reasons for a denial; nil when Allowed. Besides the
	// evaluator's checks, the check ID "decode" reports a body the daemon
	// would not accept, and "request-path" a path that is not in canonical
	// form. Findings never carry secret values.
	Findings []policy.Finding
}

// The check IDs of the findings JudgeRequest reports itself.
const (
	// CheckDecode reports a body that does not decode as the daemon decodes it.
	CheckDecode policy.CheckID = "decode"
	// CheckRequestPath reports a request path that is not in canonical form.
	CheckRequestPath policy.CheckID = "request-path"
)

// JudgeRequest judges a raw Engine API request with ev. It handles
// POST /containers/create (the "name" query parameter is the container name),
// POST /containers/{id}/exec and POST /volumes/create, with or without a
// "/vX.Y" prefix.
//
// The body is decoded exactly as the daemon decodes it (the daemon's API
// types, encoding/json semantics: case-insensitive keys, the last duplicate
// wins, trailing data rejected), including the legacy reading of daemons
// before v27, which take HostConfig fields from the top level of a create body:
// when that reading differs, both are judged and the request is allowed only
// if both are. Fields the policy model cannot express, and keys the API types
// do not know, deny the request.
//
// A body the daemon would reject, or a path that is not in canonical form
// ("//containers/create", "/containers/./create", a trailing slash,
// percent-encoding, a malformed version prefix), is a denial with a finding
// and a nil error. Any other endpoint returns an error matching
// ErrUnsupportedRequest and a denying Verdict. A nil ev is an error matching
// ErrInvalidInput.
//
// The Content-Type header is not checked: the daemon refuses a body that is
// not application/json, so a caller in front of a daemon must forward that
// header exactly as it judged the body. JudgeRequest is safe for concurrent
// use when ev is.
func JudgeRequest(ev *policy.Evaluator, req RawRequest) (Verdict, error) {
	if ev == nil {
		return Verdict{}, fmt.Errorf("%w: JudgeRequest: nil evaluator", ErrInvalidInput)
	}
	r, err := decode.Decode(req.Method, req.Path, req.Body)
	if err != nil {
		var pe *decode.PathError
		var be *decode.BodyError
		switch {
		case errors.Is(err, decode.ErrUnsupported):
			return Verdict{}, fmt.Errorf("%w: %s %s", ErrUnsupportedRequest, clipString(req.Method, 16), clipString(req.Path, 128))
		case errors.As(err, &pe):
			return Verdict{Findings: []policy.Finding{{
				Check:       CheckRequestPath,
				Field:       "path",
				Value:       pe.Path,
				Reason:      pe.Reason,
				Remediation: "send the canonical path, e.g. /v1.47/containers/create, without //, /./, /../, a trailing slash or percent-encoding",
			}}}, nil
		case errors.As(err, &be):
			return Verdict{Operation: string(be.Op), Findings: []policy.Finding{{
				Check:       CheckDecode,
				Field:       "body",
				Reason:      "the daemon would not accept this body: " + bodyReason(be),
				Remediation: "send exactly one JSON object of the endpoint's type, with a non-empty configuration and no trailing data",
			}}}, nil
		default:
			return Verdict{}, err
		}
	}
	v := Verdict{Operation: string(r.Op), APIVersion: r.Version.String()}
	var d policy.Decision
	switch {
	case r.Container != nil && r.Legacy != nil:
		d = mergeLegacy(ev.ContainerReadings(r.Container, r.Legacy))
	case r.Container != nil:
		d = ev.Container(r.Container)
	case r.Exec != nil:
		d = ev.Exec(r.Exec)
	case r.Volume != nil:
		d = ev.Volume(r.Volume)
	default:
		return Verdict{}, fmt.Errorf("%w: nothing decoded for %s", ErrUnsupportedRequest, r.Op)
	}
	v.Allowed = d.Allowed
	v.Findings = d.Findings
	return v, nil
}

// mergeLegacy combines the decision on the current reading of a create body
// with the decision on the reading of a daemon before v27: allowed only if both
// are, with the legacy reading's extra findings marked as such.
func mergeLegacy(cur, legacy policy.Decision) policy.Decision {
	if legacy.Allowed {
		return cur
	}
	type key struct {
		check        policy.CheckID
		field, value string
	}
	seen := make(map[key]bool, len(cur.Findings))
	for _, f := range cur.Findings {
		seen[key{f.Check, f.Field, f.Value}] = true
	}
	out := cur
	out.Allowed = false
	out.Findings = append([]policy.Finding(nil), cur.Findings...)
	for _, f := range legacy.Findings {
		if seen[key{f.Check, f.Field, f.Value}] {
			continue
		}
		f.Reason += " (as read by a daemon before v27, which takes HostConfig fields from the top level of the body)"
		out.Findings = append(out.Findings, f)
	}
	return out
}

// bodyReason is the decoder's reason without its package prefix.
func bodyReason(be *decode.BodyError) string {
	if be.Err != nil {
		return be.Reason + ": " + clipString(be.Err.Error(), 200)
	}
	return be.Reason
}

// clipString bounds s to n bytes for messages.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
