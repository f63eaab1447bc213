package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzEvaluateContainer feeds arbitrary fixture-format requests to the
// evaluator. Properties: it never panics; a decision is allowed exactly when
// it has no findings; every finding names a check and a reason; whatever
// baseline denies, restricted denies too.
func FuzzEvaluateContainer(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/v1/*/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var ff fixtureFile
		if json.Unmarshal(b, &ff) == nil && ff.Container != nil {
			c, _ := json.Marshal(ff.Container)
			f.Add(c)
		}
	}
	f.Add([]byte(`{"SecurityOpt":["seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":null,\"name\":\"mount\",\"action\":\"SCMP_ACT_LOG\",\"includes\":{\"caps\":[\"\"]}}]}"]}`))
	base, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	restricted, err := base.Tighten(RaiseLevel(LevelRestricted))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fc fixtureContainer
		if json.Unmarshal(data, &fc) != nil {
			return
		}
		c := fc.toContainer()
		db := base.Container(c)
		dr := restricted.Container(c)
		for _, d := range []Decision{db, dr} {
			if d.Allowed != (len(d.Findings) == 0) {
				t.Fatalf("allowed=%v with %d findings", d.Allowed, len(d.Findings))
			}
			for _, fd := range d.Findings {
				if fd.Check == "" || fd.Reason == "" {
					t.Fatalf("incomplete finding %+v", fd)
				}
			}
		}
		if !db.Allowed && dr.Allowed {
			t.Fatalf("baseline denies (%v) but restricted allows", db.Findings)
		}
	})
}
