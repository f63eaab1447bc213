package policy

import "sort"

// annotations (baseline): HostConfig.Annotations are passed verbatim to the
// OCI runtime, and some runtimes read security-relevant settings from them
// (Kata accepted host paths from annotations, CVE-2020-27151). Every key is
// denied unless Exceptions.Annotations names it or a prefix of it.

func init() { register(checkAnnotations()) }

func checkAnnotations() Check {
	return Check{
		ID:     "annotations",
		Level:  LevelBaseline,
		Title:  "OCI runtime annotations that are not excepted",
		Fields: []string{"HostConfig.Annotations"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      annotationsV1,
		}},
	}
}

func annotationsV1(c *Container, s *Settings, r *Report) {
	if len(c.Annotations) == 0 {
		return
	}
	ex := s.exceptions()
	var denied []string
	for k := range c.Annotations {
		if !ex.annotationAllowed(k) {
			denied = append(denied, k)
		}
	}
	sort.Strings(denied)
	for _, k := range denied {
		r.Deny(keyField("HostConfig.Annotations", k), truncate(k, 128),
			"runtime annotations can change the runtime's isolation",
			"remove the annotation, or allow its key with Exceptions.Annotations")
	}
}
