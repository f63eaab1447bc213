package safedocker

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/validate"
)

// Image operations. Safety classes and capabilities:
//
//	ListImages, InspectImage   read         CapImageRead
//	PullImage                  write        CapImagePull (long deadline)
//	RemoveImage                destructive  CapImageRemove
//
// Pulls are judged by the client's ImagePolicy (see WithImagePolicy): a
// registry allow-list, an optional repository allow-list and optional digest
// pinning. Registry credentials come from a CredentialProvider given per
// call; see PullOptions.

// ImageReader lists and inspects images (CapImageRead).
type ImageReader interface {
	ListImages(ctx context.Context, opts ImageListOptions) (ImageList, error)
	InspectImage(ctx context.Context, image string) (ImageDetails, error)
}

// ImagePuller pulls images (CapImagePull).
type ImagePuller interface {
	PullImage(ctx context.Context, image string, opts PullOptions, callOpts ...CallOption) (PullResult, error)
}

// ImageRemover removes images (CapImageRemove).
type ImageRemover interface {
	RemoveImage(ctx context.Context, image string, opts ImageRemoveOptions) (ImageRemoveResult, error)
}

var (
	_ ImageReader  = (*Client)(nil)
	_ ImagePuller  = (*Client)(nil)
	_ ImageRemover = (*Client)(nil)
)

// ImageSummary is one entry of an image list.
type ImageSummary struct {
	ID          string
	ParentID    string
	RepoTags    []string
	RepoDigests []string
	Created     time.Time
	Size        int64
	Labels      map[string]string
	// Containers is the number of containers using the image, -1 when unknown.
	Containers int64
}

// ImageListOptions selects images to list. Every field is optional; the fields
// are the only filters offered.
type ImageListOptions struct {
	// All includes intermediate images.
	All bool
	// Reference matches images by reference pattern, e.g. "alpine" or
	// "registry.example.com/team/*:v1".
	Reference string
	// Labels match images carrying each label ("key" or "key=value").
	Labels []string
	// Dangling, when set, selects only untagged (true) or tagged (false) images.
	Dangling *bool
	// Limit caps the result; 0 means the client's OutputBounds.ListItems, and a
	// larger value is an error.
	Limit int
}

// ImageList is the result of ListImages.
type ImageList struct {
	Images []ImageSummary
	// Total is the number of images the daemon returned.
	Total int
	// Truncated is true when Total exceeds len(Images).
	Truncated bool
}

// ImageDetails is the security-relevant part of an image inspect. Environment
// values baked into the image are never returned: EnvKeys lists the keys only.
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
	User         string
	Entrypoint   []string
	Cmd          []string
	WorkingDir   string
	ExposedPorts []string
	Volumes      []string
	Labels       map[string]string
	StopSignal   string
	EnvKeys      []string
	Layers       []string
}

// PullOptions tunes a pull.
type PullOptions struct {
	// Credentials, when not nil, is called once for this pull with the
	// registry host, after every check passed and just before the request is
	// sent; its Credential goes to the daemon in the X-Registry-Auth header of
	// this one request and is then dropped: it is never stored, logged, put in
	// an audit event or in an error. Nil means anonymous.
	Credentials CredentialProvider
	// Progress, when not nil, receives the daemon's progress messages in order,
	// from the calling goroutine.
	Progress func(PullProgress)
	// Platform optionally selects "os/arch[/variant]", e.g. "linux/amd64".
	Platform string
}

// PullProgress is one progress message of a pull.
type PullProgress struct {
	// ID is the layer or tag the message is about ("" for global messages).
	ID string
	// Status is the daemon's status, e.g. "Downloading", "Pull complete".
	Status string
	// Current and Total are byte counts of a transfer (0 when not a transfer).
	Current int64
	Total   int64
}

// PullResult is the result of PullImage.
type PullResult struct {
	// Ref is the normalised reference that was pulled, e.g.
	// "docker.io/library/alpine:3.20".
	Ref string
	// ID is the pulled image's ID.
	ID string
	// RepoDigests are the image's repository digests after the pull.
	RepoDigests []string
}

// ImageRemoveOptions tunes an image removal.
type ImageRemoveOptions struct {
	// Force removes the image even when stopped containers use it, and untags
	// every tag of an image given by ID.
	Force bool
	// NoPrune keeps untagged parent images.
	NoPrune bool
}

// ImageRemoveResult lists what a removal did.
type ImageRemoveResult struct {
	Untagged []string
	Deleted  []string
}

// imageIDPattern is an image ID or ID prefix.
var imageIDPattern = regexp.MustCompile(`^(sha256:)?[a-f0-9]{12,64}$`)

// platformPattern is "os/arch[/variant]".
var platformPattern = regexp.MustCompile(`^[a-z0-9_]+/[a-z0-9_]+(/[a-z0-9_.]+)?$`)

// checkImageRef validates an image given by ID or reference (tag optional).
func checkImageRef(field, ref string) error {
	if err := checkArgText(field, ref, maxImageRef); err != nil {
		return err
	}
	if ref == "" {
		return argError(field, "must not be empty")
	}
	if imageIDPattern.MatchString(ref) {
		return nil
	}
	if _, err := validate.ParseImageRef(ref, validate.DefaultTagLatest()); err != nil {
		return &ValidationError{Field: field, Reason: "not an image ID or reference", Err: err}
	}
	return nil
}

// ListImages lists images, at most the client's list bound. Safety class:
// read. Capability: CapImageRead.
func (c *Client) ListImages(ctx context.Context, opts ImageListOptions) (ImageList, error) {
	var out ImageList
	req := engine.ImageListOptions{All: opts.All}
	var limit int
	validate := func() error {
		var err error
		if limit, err = resolveLimit("Limit", opts.Limit, c.bounds.ListItems); err != nil {
			return err
		}
		if err := checkArgText("Reference", opts.Reference, maxImageRef); err != nil {
			return err
		}
		labels, err := checkLabelFilters("Labels", opts.Labels)
		if err != nil {
			return err
		}
		f := opsFilterSet{}
		f.add("reference", opts.Reference)
		f.add("label", labels...)
		f.add("dangling", boolFilterValue(opts.Dangling)...)
		req.Filters = f
		return checkFilters(validate.ImageObjects, f)
	}
	err := c.run(ctx, operation{name: "image.list", cap: CapImageRead}, validate, nil, func(ctx context.Context) error {
		list, err := c.eng.ImageList(ctx, req)
		if err != nil {
			return err
		}
		out.Total = len(list)
		if len(list) > limit {
			list, out.Truncated = list[:limit], true
		}
		out.Images = make([]ImageSummary, 0, len(list))
		for _, s := range list {
			out.Images = append(out.Images, ImageSummary{
				ID: s.ID, ParentID: s.ParentID, RepoTags: slices.Clone(s.RepoTags), RepoDigests: slices.Clone(s.RepoDigests),
				Created: s.Created, Size: s.Size, Labels: maps.Clone(s.Labels), Containers: s.Containers,
			})
		}
		return nil
	})
	if err != nil {
		return ImageList{}, err
	}
	return out, nil
}

// InspectImage returns the details of one image by ID or reference. Safety
// class: read. Capability: CapImageRead.
func (c *Client) InspectImage(ctx context.Context, image string) (ImageDetails, error) {
	var out ImageDetails
	err := c.run(ctx, operation{name: "image.inspect", cap: CapImageRead, target: image},
		func() error { return checkImageRef("image", image) }, nil,
		func(ctx context.Context) error {
			d, err := c.eng.ImageInspect(ctx, image)
			if err != nil {
				return err
			}
			out = ImageDetails(d)
			return nil
		})
	if err != nil {
		return ImageDetails{}, err
	}
	return out, nil
}

// PullImage pulls image, which must name a tag or a digest. The client's
// ImagePolicy judges the registry, the repository and digest pinning before
// anything reaches the daemon. opts.Credentials, when set, is called once, with
// the registry host, just before the pull is sent. Progress messages go to
// opts.Progress. Safety class: write. Capability: CapImagePull. The deadline
// is the long-running one (Deadlines.Long).
//
// Errors never carry the credential: when one was used, the daemon's message
// is redacted and the returned error does not unwrap to the daemon's error
// (it still matches the sentinel). A failing provider yields a
// *CredentialError. callOpts may tighten the policy for this call, for example
// Tighten(policy.RequireDigestPinning()).
func (c *Client) PullImage(ctx context.Context, image string, opts PullOptions, callOpts ...CallOption) (PullResult, error) {
	var out PullResult
	var p pullRef
	var requireDigest bool
	validate := func() error {
		ev, err := c.callEvaluator(callOpts)
		if err != nil {
			return err
		}
		requireDigest = ev.Settings().RequireDigest
		if p, err = parsePullRef("image", image); err != nil {
			return err
		}
		if opts.Platform != "" && !platformPattern.MatchString(opts.Platform) {
			return argError("Platform", "%q is not os/arch[/variant]", truncate(opts.Platform, 64))
		}
		return nil
	}
	judge := func() verdict { return c.opsVerdict(c.ops.images.judge(p, requireDigest)) }
	err := c.run(ctx, operation{name: "image.pull", cap: CapImagePull, target: image, long: true}, validate, judge,
		func(ctx context.Context) error {
			res, err := c.pull(ctx, p, opts)
			out = res
			return err
		})
	if err != nil {
		return PullResult{}, err
	}
	return out, nil
}

// pull fetches the credential, pulls and inspects the result.
func (c *Client) pull(ctx context.Context, p pullRef, opts PullOptions) (PullResult, error) {
	var auth *engine.RegistryAuth
	var secrets []string
	if opts.Credentials != nil {
		cred, err := opts.Credentials(ctx, p.registry)
		if err != nil {
			return PullResult{}, &CredentialError{Registry: p.registry, err: err}
		}
		if !cred.IsZero() {
			auth = &engine.RegistryAuth{
				ServerAddress: p.registry,
				Username:      cred.Username,
				Password:      cred.Password.reveal(),
				IdentityToken: cred.IdentityToken.reveal(),
				RegistryToken: cred.RegistryToken.reveal(),
			}
			secrets = credentialForms(cred)
		}
	}
	req := engine.PullRequest{Ref: p.ref.String(), Platform: opts.Platform, Auth: auth}
	if opts.Progress != nil {
		req.Progress = func(m engine.PullProgress) {
			opts.Progress(PullProgress{ID: redactSecrets(m.ID, secrets), Status: redactSecrets(m.Status, secrets), Current: m.Current, Total: m.Total})
		}
	}
	err := c.eng.ImagePull(ctx, req)
	if err != nil {
		return PullResult{}, scrubError(err, secrets)
	}
	d, err := c.eng.ImageInspect(ctx, req.Ref)
	if err != nil {
		return PullResult{}, scrubError(err, secrets)
	}
	return PullResult{Ref: req.Ref, ID: d.ID, RepoDigests: d.RepoDigests}, nil
}

// credentialForms returns every form in which a credential could appear in a
// daemon or registry message: the secrets themselves, their URL-escaped form
// and the basic-auth header value.
func credentialForms(c Credential) []string {
	out := c.secrets()
	for _, s := range c.secrets() {
		if e := url.QueryEscape(s); e != s {
			out = append(out, e)
		}
	}
	if !c.Password.IsZero() {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password.reveal())))
	}
	// Longest first, so that a secret containing another is replaced whole.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// scrubError returns err unchanged when no credential was used; otherwise a new
// error matching the same engine sentinel (and context error) whose message is
// redacted and which does not unwrap to the original chain, so no part of it
// can reveal the credential.
func scrubError(err error, secrets []string) error {
	if len(secrets) == 0 {
		return err
	}
	msg := redactSecrets(err.Error(), secrets)
	sentinel := engine.ErrDaemon
	for _, s := range []error{engine.ErrNotFound, engine.ErrConflict, engine.ErrRejected, engine.ErrForbidden,
		engine.ErrUnavailable, engine.ErrNotImplemented, engine.ErrTimeout, engine.ErrCanceled, engine.ErrDaemon} {
		if errors.Is(err, s) {
			sentinel = s
			break
		}
	}
	msg = strings.TrimPrefix(msg, sentinel.Error()+": ")
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w: %s", sentinel, context.DeadlineExceeded, msg)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %w: %s", sentinel, context.Canceled, msg)
	}
	return fmt.Errorf("%w: %s", sentinel, msg)
}

// RemoveImage removes an image by ID or reference. Safety class: destructive.
// Capability: CapImageRemove.
func (c *Client) RemoveImage(ctx context.Context, image string, opts ImageRemoveOptions) (ImageRemoveResult, error) {
	var out ImageRemoveResult
	err := c.run(ctx, operation{name: "image.remove", cap: CapImageRemove, target: image},
		func() error { return checkImageRef("image", image) }, nil,
		func(ctx context.Context) error {
			items, err := c.eng.ImageRemove(ctx, image, engine.ImageRemoveOptions{Force: opts.Force, NoPrune: opts.NoPrune})
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Untagged != "" {
					out.Untagged = append(out.Untagged, it.Untagged)
				}
				if it.Deleted != "" {
					out.Deleted = append(out.Deleted, it.Deleted)
				}
			}
			return nil
		})
	if err != nil {
		return ImageRemoveResult{}, err
	}
	return out, nil
}
