package policy

import "testing"

// BenchmarkSensitivePathCheck measures the mount checks on the allow path: a
// typical read-only bind under an allowed root, a named volume and a tmpfs. It
// must not allocate.
func BenchmarkSensitivePathCheck(b *testing.B) {
	c := mtBinds(b, "1000:1000", "/srv/data/project:/src:ro", "cache:/root/.cache")
	c.Mounts = append(c.Mounts, Mount{Field: "HostConfig.Mounts[0]", Type: MountTmpfs, Target: "/tmp"})
	s := mtRoots("/home/ci/work:rw", "/srv/data")
	fns := []func(*Container, *Settings, *Report){
		hostMountsV1, sensitivePathsV1, mountPropagationV1, selinuxRelabelV1,
		volumeDriverOptionsV1, volumesFromV1, rootWritableBindV1,
	}
	var r Report
	b.ReportAllocs()
	for b.Loop() {
		for _, fn := range fns {
			fn(c, s, &r)
		}
	}
	if len(r.findings) != 0 {
		b.Fatalf("unexpected findings:\n%s", mtList(r.findings))
	}
}

// BenchmarkSensitivePathCheckWorst measures a denied request with many spellings
// of dangerous sources (the deny path allocates its findings).
func BenchmarkSensitivePathCheckWorst(b *testing.B) {
	c := mtBinds(b, "", "/var/run/docker.sock:/s:ro", "//var//lib/../lib/docker:/d", "/:/host:rshared", "/home/a/.ssh:/k:ro,z",
		"/srv/data/a/b/c/d/e/f/g:/g", "/etc/passwd:/p:ro")
	s := mtRoots("/srv/data")
	fns := []func(*Container, *Settings, *Report){
		hostMountsV1, sensitivePathsV1, mountPropagationV1, selinuxRelabelV1,
		volumeDriverOptionsV1, volumesFromV1, rootWritableBindV1,
	}
	b.ReportAllocs()
	for b.Loop() {
		var r Report
		for _, fn := range fns {
			fn(c, s, &r)
		}
		if len(r.findings) == 0 {
			b.Fatal("no findings")
		}
	}
}
