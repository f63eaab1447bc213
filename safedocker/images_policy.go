package safedocker

import (
	"strings"

	"github.com/distribution/reference"

	"github.com/safedocker/safedocker/policy"
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
	// Repositories, when not empty, narrows the allowed repositories to these
	// full names ("registry.example.com/team/app", "docker.io/library/alpine");
	// an entry ending in "/*" allows every repository below that prefix. A
	// repository must also be in an allowed registry.
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

// imageRules is a compiled ImagePolicy.
type imageRules struct {
	registries    map[string]bool
	repositories  map[string]bool
	prefixes      []string
	requireDigest bool
}

func compileImagePolicy(p ImagePolicy) (imageRules, error) {
	r := imageRules{registries: map[string]bool{}, repositories: map[string]bool{}, requireDigest: p.RequireDigest}
	for _, reg := range p.Registries {
		h := normaliseRegistry(reg)
		if h == "" || strings.ContainsAny(h, "/@ \t") {
			return r, argError("ImagePolicy.Registries", "%q is not a registry host", truncate(reg, 64))
		}
		r.registries[h] = true
	}
	for _, repo := range p.Repositories {
		if prefix, ok := strings.CutSuffix(repo, "/*"); ok {
			n, err := reference.ParseNormalizedNamed(prefix)
			if err != nil {
				return r, argError("ImagePolicy.Repositories", "%q is not a repository prefix", truncate(repo, 64))
			}
			r.prefixes = append(r.prefixes, repoName(n)+"/")
			continue
		}
		n, err := reference.ParseNormalizedNamed(repo)
		if err != nil || !reference.IsNameOnly(n) {
			return r, argError("ImagePolicy.Repositories", "%q is not a repository name", truncate(repo, 64))
		}
		r.repositories[repoName(n)] = true
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

// repoName is the full repository name with the registry host normalised
// (lower-cased, Docker Hub aliases mapped to "docker.io").
func repoName(n reference.Named) string {
	return normaliseRegistry(reference.Domain(n)) + "/" + reference.Path(n)
}

// pullRef is a parsed, normalised pull reference.
type pullRef struct {
	named    reference.Named
	registry string // "docker.io", "127.0.0.1:5000"
	repo     string // full repository name, "docker.io/library/alpine"
	digested bool
}

// maxImageRef bounds an image reference.
const maxImageRef = 512

// parsePullRef parses ref strictly: a tag or a digest is required (no implicit
// ":latest").
func parsePullRef(field, ref string) (pullRef, error) {
	if err := checkArgText(field, ref, maxImageRef); err != nil {
		return pullRef{}, err
	}
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return pullRef{}, &ValidationError{Field: field, Reason: "not an image reference: " + truncate(err.Error(), 128), Err: err}
	}
	p := pullRef{named: n, registry: normaliseRegistry(reference.Domain(n)), repo: repoName(n)}
	_, p.digested = n.(reference.Digested)
	_, tagged := n.(reference.Tagged)
	if !p.digested && !tagged {
		return pullRef{}, argError(field, "%q names neither a tag nor a digest; add :tag or @sha256:...", truncate(ref, 128))
	}
	return p, nil
}

// judge returns the findings for pulling p.
func (r imageRules) judge(p pullRef, requireDigest bool) []policy.Finding {
	var fs []policy.Finding
	if !r.registries[p.registry] {
		fs = append(fs, policy.Finding{Check: checkImageRegistry, Field: "image", Value: p.registry,
			Reason:      "the registry is not in the allow-list",
			Remediation: "pull from an allowed registry, or list it in ImagePolicy.Registries"})
	}
	if len(r.repositories) > 0 || len(r.prefixes) > 0 {
		ok := r.repositories[p.repo]
		for _, pre := range r.prefixes {
			ok = ok || strings.HasPrefix(p.repo, pre)
		}
		if !ok {
			fs = append(fs, policy.Finding{Check: checkImageRepository, Field: "image", Value: truncate(p.repo, 128),
				Reason:      "the repository is not in the allow-list",
				Remediation: "pull an allowed repository, or list it in ImagePolicy.Repositories"})
		}
	}
	if (requireDigest || r.requireDigest) && !p.digested {
		fs = append(fs, policy.Finding{Check: checkImagePullDigest, Field: "image", Value: truncate(p.named.String(), 128),
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
