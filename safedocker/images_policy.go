package safedocker

import (
	"strings"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// ImagePolicy governs image pulls. The zero value denies every pull: list the
// registries (and optionally repositories) that pulls may come from.
//
// Registries and repositories are compared after normalisation, as the daemon
// resolves them: "alpine" is "docker.io/library/alpine", "index.docker.io" is
// "docker.io", and host names are lower-cased. A reference is judged by what
// the daemon will contact, so "docker.io" in Registries allows Docker Hub and
// nothing else.
type ImagePolicy struct {
	// Registries are the registry hosts pulls may come from, as "host" or
	// "host:port" ("docker.io" for Docker Hub). Empty denies every pull.
	Registries []string
	// Repositories, when not empty, narrows the allowed repositories, with the
	// patterns of validate.NewImageAllowList: a repository exactly
	// ("registry.example.com/team/app", "alpine" for docker.io/library/alpine)
	// or everything under a path ("registry.example.com/team/*"), never
	// across a path boundary. A repository must also be in an allowed
	// registry.
	Repositories []string
	// RequireDigest requires every pull to name a digest
	// ("repo@sha256:..."). Pulls also require one when the client's policy
	// evaluator requires digest-pinned images (policy.Config.RequireDigest).
	RequireDigest bool
}

// The check IDs of image findings.
const (
	checkImageRegistry   policy.CheckID = "imageRegistry"
	checkImageRepository policy.CheckID = "imageRepository"
	checkImagePullDigest policy.CheckID = "imagePullDigest"
)

// imageRules is a compiled ImagePolicy. The zero value denies every pull.
type imageRules struct {
	registries map[string]bool
	// repositories is nil when ImagePolicy.Repositories is empty.
	repositories  *validate.ImageAllowList
	requireDigest bool
}

func compileImagePolicy(p ImagePolicy) (imageRules, error) {
	r := imageRules{registries: map[string]bool{}, requireDigest: p.RequireDigest}
	for _, reg := range p.Registries {
		h := normaliseRegistry(reg)
		if h == "" || strings.ContainsAny(h, "/@ \t") {
			return r, argError("ImagePolicy.Registries", "%q is not a registry host", truncate(reg, 64))
		}
		r.registries[h] = true
	}
	if len(p.Repositories) > 0 {
		for _, repo := range p.Repositories {
			if checkArgText("ImagePolicy.Repositories", repo, maxImageRef) != nil {
				return r, argError("ImagePolicy.Repositories", "%q is not a repository pattern", truncate(repo, 64))
			}
		}
		l, err := validate.NewImageAllowList(p.Repositories...)
		if err != nil {
			return r, &ValidationError{Field: "ImagePolicy.Repositories", Reason: err.Error(), Err: err}
		}
		r.repositories = l
	}
	return r, nil
}

// normaliseRegistry lower-cases a registry host and maps Docker Hub's aliases
// onto "docker.io".
func normaliseRegistry(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	switch h {
	case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "docker.io"
	}
	return h
}

// pullRef is a parsed, normalised pull reference.
type pullRef struct {
	ref      validate.ImageRef
	registry string // "docker.io", "127.0.0.1:5000"
	repo     string // full repository name, "docker.io/library/alpine"
	digested bool
}

// maxImageRef bounds an image reference.
const maxImageRef = 512

// parsePullRef parses ref strictly with validate.ParseImageRef: a tag or a
// digest is required (no implicit ":latest").
func parsePullRef(field, ref string) (pullRef, error) {
	if err := checkArgText(field, ref, maxImageRef); err != nil {
		return pullRef{}, err
	}
	r, err := validate.ParseImageRef(ref)
	if err != nil {
		return pullRef{}, &ValidationError{Field: field, Reason: "not a pullable image reference (a tag or digest is required)", Err: err}
	}
	reg := normaliseRegistry(r.Domain())
	return pullRef{ref: r, registry: reg, repo: reg + "/" + r.Path(), digested: r.Digest() != ""}, nil
}

// judge returns the findings for pulling p.
func (r imageRules) judge(p pullRef, requireDigest bool) []policy.Finding {
	var fs []policy.Finding
	if !r.registries[p.registry] {
		fs = append(fs, policy.Finding{Check: checkImageRegistry, Field: "image", Value: p.registry,
			Reason:      "the registry is not in the allow-list",
			Remediation: "pull from an allowed registry, or list it in ImagePolicy.Registries"})
	}
	if r.repositories != nil {
		if !r.repositories.Allows(p.ref) {
			fs = append(fs, policy.Finding{Check: checkImageRepository, Field: "image", Value: truncate(p.repo, 128),
				Reason:      "the repository is not in the allow-list",
				Remediation: "pull an allowed repository, or list it in ImagePolicy.Repositories"})
		}
	}
	if (requireDigest || r.requireDigest) && !p.digested {
		fs = append(fs, policy.Finding{Check: checkImagePullDigest, Field: "image", Value: truncate(p.ref.String(), 128),
			Reason:      "the image is not pinned by digest",
			Remediation: "pull repo@sha256:<digest>"})
	}
	return fs
}

// WithImagePolicy sets the policy for image pulls. The default is the zero
// ImagePolicy, which denies every pull. A malformed registry or repository
// makes New fail.
func WithImagePolicy(p ImagePolicy) Option {
	return optionFunc(func(o *options) error {
		r, err := compileImagePolicy(p)
		if err != nil {
			return err
		}
		o.ops.images = r
		return nil
	})
}
