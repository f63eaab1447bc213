package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Images lists, inspects, pulls and removes images. Implementations must be safe
// for concurrent use.
type Images interface {
	// ImageList lists images; opts.Filters must already be allow-listed.
	ImageList(ctx context.Context, opts ImageListOptions) ([]ImageSummary, error)
	// ImageInspect returns the details of one image by ID or reference.
	ImageInspect(ctx context.Context, ref string) (ImageDetails, error)
	// ImagePull pulls req.Ref, sending req.Auth (when not nil), encoded, as the
	// X-Registry-Auth header value, and reports each progress message to
	// req.Progress. It returns when the pull has ended; an error message in the
	// progress stream is returned as an error wrapping ErrDaemon.
	ImagePull(ctx context.Context, req PullRequest) error
	// ImageRemove removes an image by ID or reference.
	ImageRemove(ctx context.Context, ref string, opts ImageRemoveOptions) ([]ImageDeleted, error)
}

// ImageListOptions selects images.
type ImageListOptions struct {
	// All includes intermediate images.
	All bool
	// Filters are Engine API list filters (key to values), already validated.
	Filters map[string][]string
}

// ImageSummary is one entry of an image list.
type ImageSummary struct {
	ID          string
	ParentID    string
	RepoTags    []string
	RepoDigests []string
	Created     time.Time
	Size        int64
	Labels      map[string]string
	// Containers is the number of containers using the image, or -1 when the daemon
	// did not count them.
	Containers int64
}

// ImageDetails is the security-relevant part of an image inspect. Environment
// values baked into the image are not carried: EnvKeys holds the keys only.
type ImageDetails struct {
	ID           string
	RepoTags     []string
	RepoDigests  []string
	Created      time.Time
	Size         int64
	Architecture string
	Variant      string
	OS           string
	Author       string
	// User, Entrypoint, Cmd, WorkingDir, ExposedPorts, Volumes, Labels, StopSignal
	// come from the image config.
	User         string
	Entrypoint   []string
	Cmd          []string
	WorkingDir   string
	ExposedPorts []string
	Volumes      []string
	Labels       map[string]string
	StopSignal   string
	EnvKeys      []string
	// Layers are the rootfs diff IDs.
	Layers []string
}

// PullRequest is an image pull. Auth is a secret: it must never be logged, stored
// or put in an error.
type PullRequest struct {
	// Ref is the normalised reference to pull ("registry/repo:tag" or
	// "registry/repo@sha256:...").
	Ref string
	// Platform is an optional "os/arch[/variant]".
	Platform string
	// Auth is the registry credential for this pull (nil = anonymous).
	Auth *RegistryAuth
	// Progress, when not nil, receives every progress message in order, from the
	// calling goroutine.
	Progress func(PullProgress)
}

// PullProgress is one progress message of a pull.
type PullProgress struct {
	// ID is the layer ID or tag the message is about ("" for global messages).
	ID string
	// Status is the daemon's status text, e.g. "Downloading", "Pull complete".
	Status string
	// Current and Total are the byte counts of a transfer (0 when not a transfer).
	Current int64
	Total   int64
}

// ImageRemoveOptions tunes an image removal.
type ImageRemoveOptions struct {
	// Force removes the image even if containers use it, and untags all tags.
	Force bool
	// NoPrune keeps untagged parent images.
	NoPrune bool
}

// ImageDeleted is one item of an image removal: a removed tag or a deleted image.
type ImageDeleted struct {
	Untagged string
	Deleted  string
}

// RegistryAuth is a registry credential for one pull. The adapter encodes it into
// the X-Registry-Auth header value. Its String, GoString, Format and LogValue
// print a placeholder, never a field's value, so a stray log line cannot leak it.
type RegistryAuth struct {
	// ServerAddress is the registry host the credential is for.
	ServerAddress string
	Username      string
	Password      string
	// IdentityToken is an OAuth refresh token; when set, Username and Password are
	// not used by the registry's token server.
	IdentityToken string
	// RegistryToken is a bearer token sent to the registry as is.
	RegistryToken string
}

const redactedAuth = "engine.RegistryAuth{REDACTED}"

// String returns a placeholder.
func (RegistryAuth) String() string { return redactedAuth }

// GoString returns a placeholder.
func (RegistryAuth) GoString() string { return redactedAuth }

// Format prints a placeholder for every verb.
func (RegistryAuth) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redactedAuth) }

// LogValue returns a placeholder.
func (RegistryAuth) LogValue() slog.Value { return slog.StringValue(redactedAuth) }
