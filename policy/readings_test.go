package policy

import (
	"reflect"
	"slices"
	"testing"
)

// TestContainerReadingsEqualsTwoEvaluations pairs every container fixture with
// others whose Mounts are replaced by (shared with) the first one's, so that
// every other field differs while the mount checks' findings are reused: the
// decisions must be exactly those of two full evaluations.
func TestContainerReadingsEqualsTwoEvaluations(t *testing.T) {
	var fs []fixture
	for _, f := range allFixtures(t) {
		if f.file.Container != nil {
			fs = append(fs, f)
		}
	}
	reused := 0
	for i, f := range fs {
		cfg := Config{Level: f.level, Version: V1}
		if f.file.Config != nil {
			cfg.Exceptions = f.file.Config.Exceptions
			cfg.RequireDigest = f.file.Config.RequireDigest
		}
		e, err := New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", f.path(), err)
		}
		cur := f.file.Container.toContainer()
		for _, j := range []int{i, (i + 1) % len(fs), (i + 7) % len(fs), (i * 13) % len(fs)} {
			alt := fs[j].file.Container.toContainer()
			alt.Mounts = cur.Mounts // shared: the reuse path
			cloned := *alt
			cloned.Mounts = slices.Clone(cur.Mounts) // not shared: two evaluations
			for _, a := range []*Container{alt, &cloned} {
				gotCur, gotAlt := e.ContainerReadings(cur, a)
				wantCur, wantAlt := e.Container(cur), e.Container(a)
				for _, fd := range wantCur.Findings {
					if a == alt && (fd.Check == "hostMounts" || fd.Check == "sensitivePaths") {
						reused++
					}
				}
				if !reflect.DeepEqual(gotCur, wantCur) || !reflect.DeepEqual(gotAlt, wantAlt) {
					t.Errorf("%s with the fields of %s: ContainerReadings =\n %+v\n %+v\nwant\n %+v\n %+v",
						f.path(), fs[j].path(), gotCur, gotAlt, wantCur, wantAlt)
				}
			}
		}
	}
	if reused < 10 {
		t.Errorf("only %d reused mount findings: the fixtures no longer exercise the reuse", reused)
	}
}

func TestContainerReadingsNil(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := &Container{Image: "alpine", Mounts: []Mount{{Field: "HostConfig.Binds[0]", Type: MountBind, Source: "/etc", Target: "/x"}}}
	for _, pair := range [][2]*Container{{nil, c}, {c, nil}, {nil, nil}} {
		gotCur, gotAlt := e.ContainerReadings(pair[0], pair[1])
		if !reflect.DeepEqual(gotCur, e.Container(pair[0])) || !reflect.DeepEqual(gotAlt, e.Container(pair[1])) {
			t.Errorf("ContainerReadings(%v, %v) differs from two Container calls", pair[0], pair[1])
		}
	}
}

// TestMountsOnlyChecksReadOnlyMounts keeps mountsOnly honest: the functions it
// names find the same things in requests that share Mounts and differ in
// everything else, and they are the current versions of their checks.
func TestMountsOnlyChecksReadOnlyMounts(t *testing.T) {
	var fs []fixture
	for _, f := range allFixtures(t) {
		if f.file.Container != nil {
			fs = append(fs, f)
		}
	}
	s := mtRoots("/srv/data", "/home/alice")
	for _, fn := range []func(*Container, *Settings, *Report){hostMountsV1, sensitivePathsV1} {
		if !mountsOnly(fn) {
			t.Fatal("mountsOnly does not recognise its own functions")
		}
		for i, f := range fs {
			cur := f.file.Container.toContainer()
			alt := fs[(i+5)%len(fs)].file.Container.toContainer()
			alt.Mounts = cur.Mounts
			if a, b := ckRun(fn, cur, s), ckRun(fn, alt, s); !reflect.DeepEqual(a, b) {
				t.Errorf("%s: findings depend on more than the mounts:\n %v\n %v", f.path(), a, b)
			}
		}
	}
	for _, c := range DefaultChecks() {
		for _, v := range c.Versions {
			if v.Container != nil && mountsOnly(v.Container) && c.ID != "hostMounts" && c.ID != "sensitivePaths" {
				t.Errorf("check %s uses a mounts-only function", c.ID)
			}
		}
	}
	if mountsOnly(func(*Container, *Settings, *Report) {}) {
		t.Error("mountsOnly accepts an arbitrary function")
	}
}
