package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/safedocker/safedocker/policy"
)

// ErrBody is matched by every *BodyError.
var ErrBody = errors.New("decode: request body rejected")

// BodyError reports a body the daemon would reject (it does not decode into the
// API type, carries trailing data, or lacks a required part), so the request
// cannot take effect. It must be reported as a denial, never as an allowance.
type BodyError struct {
	Op Operation
	// Reason says what is wrong.
	Reason string
	// Err is the underlying decoding error, if any.
	Err error
}

func (e *BodyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("decode: %s body: %s: %v", e.Op, e.Reason, e.Err)
	}
	return fmt.Sprintf("decode: %s body: %s", e.Op, e.Reason)
}

// Is reports whether target is ErrBody.
func (e *BodyError) Is(target error) bool { return target == ErrBody }

// Unwrap returns the decoding error.
func (e *BodyError) Unwrap() error { return e.Err }

// Request is a decoded request to a judged endpoint. Exactly one of Container,
// Exec and Volume is set, according to Route.Op.
type Request struct {
	Route
	// Container is the create request as a current daemon reads it.
	Container *policy.Container
	// Legacy is the create request as a daemon before v27 reads it, set only
	// when the body has top-level HostConfig fields and the API version could
	// be served by such a daemon. Both must be judged. Legacy may share
	// slices and maps with Container: treat both as read-only.
	Legacy *policy.Container
	// Exec is the exec-create request.
	Exec *policy.Exec
	// Volume is the volume-create request.
	Volume *policy.VolumeCreate
}

// legacyCreateRequest has the shape of the create body of daemons before v27
// (runconfig.ContainerConfigWrapper on Linux): the container config, an inner
// HostConfig, a deprecated top-level Cpuset, the networking config, and an
// embedded HostConfig whose fields are read from the top level of the body.
type legacyCreateRequest struct {
	*container.Config
	InnerHostConfig  *container.HostConfig     `json:"HostConfig,omitempty"`
	Cpuset           string                    `json:",omitempty"`
	NetworkingConfig *network.NetworkingConfig `json:"NetworkingConfig,omitempty"`
	*container.HostConfig
}

// hostConfig returns the HostConfig a daemon before v27 uses, and whether it is
// the top-level one (as opposed to the inner one with top-level fields merged).
func (w *legacyCreateRequest) hostConfig() (*container.HostConfig, bool) {
	hc, inner := w.HostConfig, w.InnerHostConfig
	top := true
	switch {
	case hc == nil && inner != nil:
		hc, top = inner, false
	case hc != nil && inner != nil:
		merged := *inner // the current reading keeps the inner HostConfig as sent
		inner = &merged
		if hc.Memory != 0 && inner.Memory == 0 {
			inner.Memory = hc.Memory
		}
		if hc.MemorySwap != 0 && inner.MemorySwap == 0 {
			inner.MemorySwap = hc.MemorySwap
		}
		if hc.CPUShares != 0 && inner.CPUShares == 0 {
			inner.CPUShares = hc.CPUShares
		}
		if hc.CpusetCpus != "" && inner.CpusetCpus == "" {
			inner.CpusetCpus = hc.CpusetCpus
		}
		if hc.VolumeDriver != "" && inner.VolumeDriver == "" {
			inner.VolumeDriver = hc.VolumeDriver
		}
		hc, top = inner, false
	}
	if hc != nil && w.Cpuset != "" && hc.CpusetCpus == "" {
		hc.CpusetCpus = w.Cpuset
	}
	return hc, top
}

type schemaSet struct {
	create, exec, volume *node
}

// schemas are built once; they are never modified afterwards.
var schemas = sync.OnceValue(func() schemaSet {
	memo := map[reflect.Type]*node{}
	return schemaSet{
		create: buildNode(reflect.TypeFor[legacyCreateRequest](), memo),
		exec:   buildNode(reflect.TypeFor[container.ExecOptions](), memo),
		volume: buildNode(reflect.TypeFor[volume.CreateOptions](), memo),
	}
})

// Decode parses method and target with ParseRoute and decodes body for the
// endpoint. Errors: ErrUnsupported (wrapped) for an endpoint not judged, a
// *PathError for a refused path, a *BodyError for a body the daemon would
// reject. A nil error means the request was modelled; values the model cannot
// express are in the model's Invalid list, which always denies.
func Decode(method, target string, body []byte) (*Request, error) {
	rt, err := ParseRoute(method, target)
	if err != nil {
		return nil, err
	}
	req := &Request{Route: rt}
	switch rt.Op {
	case OpContainerCreate:
		err = decodeCreate(req, body)
	case OpContainerExec:
		err = decodeExec(req, body)
	case OpVolumeCreate:
		err = decodeVolume(req, body)
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// loadJSON decodes the first JSON value of body into out as the daemon's
// runconfig loadJSON does (through an interface value, so a top-level null
// leaves out untouched) and rejects trailing data the way json.Decoder.More
// sees it. It returns the length of the value decoded. With strict, any key
// that selects no field is an error too (the daemon ignores such keys): the
// fast path, which makes the key scan unnecessary when it succeeds.
func loadJSON(op Operation, body []byte, out any, strict bool) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&out); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, &BodyError{Op: op, Reason: "invalid JSON: got EOF while reading request body"}
		}
		return 0, &BodyError{Op: op, Reason: "invalid JSON", Err: err}
	}
	n := int(dec.InputOffset())
	if dec.More() {
		return 0, &BodyError{Op: op, Reason: "unexpected content after JSON"}
	}
	return n, nil
}

// readJSON is the daemon's httputils.ReadJSON: an empty body is the zero
// request, otherwise as loadJSON but decoding into out directly.
func readJSON(op Operation, body []byte, out any, strict bool) (int, error) {
	if len(body) == 0 {
		return 0, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(out); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, &BodyError{Op: op, Reason: "invalid JSON: got EOF while reading request body"}
		}
		return 0, &BodyError{Op: op, Reason: "invalid JSON", Err: err}
	}
	n := int(dec.InputOffset())
	if dec.More() {
		return 0, &BodyError{Op: op, Reason: "unexpected content after JSON"}
	}
	return n, nil
}

func decodeCreate(req *Request, body []byte) error {
	// One decode serves both readings: the legacy wrapper has the same keys as
	// the current CreateRequest (Config fields, HostConfig, NetworkingConfig)
	// plus the top-level HostConfig fields and Cpuset, which a current daemon
	// ignores. TestLegacyWrapperShape pins that no key changes meaning.
	var w legacyCreateRequest
	var unknown []unknownKey
	if _, err := loadJSON(OpContainerCreate, body, &w, true); err != nil {
		// An unknown key or a real error: decode as the daemon does, then
		// find the unknown keys.
		w = legacyCreateRequest{}
		n, err := loadJSON(OpContainerCreate, body, &w, false)
		if err != nil {
			return err
		}
		unknown = scanKeys(body[:n], schemas().create)
	}
	if w.Config == nil {
		return &BodyError{Op: OpContainerCreate, Reason: "no container configuration (the daemon answers \"config cannot be empty\")"}
	}
	req.Container = mapCreate(req.Route, w.Config, w.InnerHostConfig, w.NetworkingConfig, "HostConfig.", unknown)
	if w.HostConfig == nil || !req.Version.atMost(1, 45) {
		// No top-level HostConfig fields (a lone Cpuset only sets the
		// neutral CpusetCpus), or an API version only daemons v27 and later
		// serve: they ignore such fields.
		return nil
	}
	hc, top := w.hostConfig()
	if !top {
		// Merged into the inner HostConfig: only a few fields can differ.
		req.Legacy = patchLegacy(req.Container, hc)
		return nil
	}
	req.Legacy = mapCreate(req.Route, w.Config, hc, w.NetworkingConfig, "", unknown)
	return nil
}

// patchLegacy returns the legacy reading when the top-level fields were merged
// into the inner HostConfig (hc): cur with the merged fields applied, or nil
// when the merge changes nothing the model holds (CpusetCpus is neutral).
func patchLegacy(cur *policy.Container, hc *container.HostConfig) *policy.Container {
	r := cur.Resources
	if r.Memory == hc.Memory && r.MemorySwap == hc.MemorySwap && r.CPUShares == hc.CPUShares && cur.VolumeDriver == hc.VolumeDriver {
		return nil
	}
	l := *cur
	l.Resources.Memory = hc.Memory
	l.Resources.MemorySwap = hc.MemorySwap
	l.Resources.CPUShares = hc.CPUShares
	if cur.VolumeDriver != hc.VolumeDriver {
		l.VolumeDriver = hc.VolumeDriver
		cloned := false // l.Mounts is shared with cur until a mount changes
		for i := range l.Mounts {
			m := &l.Mounts[i]
			// Named volumes in Binds and the anonymous volumes of
			// Config.Volumes take the container-wide driver.
			if m.Type == policy.MountVolume && m.VolumeDriver != hc.VolumeDriver &&
				(strings.HasPrefix(m.Field, "HostConfig.Binds[") || strings.HasPrefix(m.Field, "Config.Volumes[")) {
				if !cloned {
					l.Mounts = slices.Clone(cur.Mounts)
					m = &l.Mounts[i]
					cloned = true
				}
				m.VolumeDriver = hc.VolumeDriver
			}
		}
	}
	return &l
}

func decodeExec(req *Request, body []byte) error {
	var o container.ExecOptions
	var unknown []unknownKey
	if _, err := readJSON(OpContainerExec, body, &o, true); err != nil {
		o = container.ExecOptions{}
		n, err := readJSON(OpContainerExec, body, &o, false)
		if err != nil {
			return err
		}
		unknown = scanKeys(body[:n], schemas().exec)
	}
	if len(o.Cmd) == 0 {
		return &BodyError{Op: OpContainerExec, Reason: "no exec command specified (the daemon rejects it)"}
	}
	req.Exec = mapExec(req.Route, &o, unknown)
	return nil
}

func decodeVolume(req *Request, body []byte) error {
	var o volume.CreateOptions
	var unknown []unknownKey
	if _, err := readJSON(OpVolumeCreate, body, &o, true); err != nil {
		o = volume.CreateOptions{}
		n, err := readJSON(OpVolumeCreate, body, &o, false)
		if err != nil {
			return err
		}
		unknown = scanKeys(body[:n], schemas().volume)
	}
	req.Volume = mapVolume(req.Route, &o, unknown)
	return nil
}
