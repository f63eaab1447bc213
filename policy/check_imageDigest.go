package policy

import "strings"

// imageDigest (baseline, only with Config.RequireDigest): the image must be
// pinned by a content digest ("name@sha256:<64 hex>", also sha384 and sha512),
// so a re-tagged or re-pushed image cannot change what runs.

func init() { register(checkImageDigest()) }

func checkImageDigest() Check {
	return Check{
		ID:     "imageDigest",
		Level:  LevelBaseline,
		Title:  "Images not pinned by digest (only when digests are required)",
		Fields: []string{"Config.Image"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      imageDigestV1,
		}},
	}
}

func imageDigestV1(c *Container, s *Settings, r *Report) {
	if !s.RequireDigest || hasDigest(c.Image) {
		return
	}
	r.Deny("Config.Image", truncate(c.Image, 256), "the image is not pinned by digest",
		"reference the image as name@sha256:<digest>")
}

// hasDigest reports whether ref ends in a well-formed @algorithm:hex digest.
func hasDigest(ref string) bool {
	i := strings.LastIndexByte(ref, '@')
	if i <= 0 {
		return false
	}
	alg, hex, ok := strings.Cut(ref[i+1:], ":")
	if !ok {
		return false
	}
	var n int
	switch alg {
	case "sha256":
		n = 64
	case "sha384":
		n = 96
	case "sha512":
		n = 128
	default:
		return false
	}
	if len(hex) != n {
		return false
	}
	for j := 0; j < len(hex); j++ {
		if !(hex[j] >= '0' && hex[j] <= '9' || hex[j] >= 'a' && hex[j] <= 'f') {
			return false
		}
	}
	return true
}
