package policy

// Golden fixtures, in the manner of Pod Security Admission's test/testdata.
//
// Every fixture is defined in Go (fixtures_*_test.go files call addFixtures
// from an init function) and rendered to
//
//	testdata/<level>/v1/{pass,fail}/<check>_<case>.json
//
// The test fails when a rendered fixture differs from its file, when a file
// is missing, and when a file exists that no fixture produces. Regenerate with
//
//	go test ./policy -run TestFixtures -update
//
// and review the diff. Independently of the files, a pass fixture must be
// allowed and a fail fixture must be denied with at least one finding from its
// check; every baseline fail fixture must also fail at restricted.
//
// The file format is documented in testdata/README.md: the request is our
// model as JSON (Go field names), except that the fields the Engine API
// spells as strings are given in that spelling and parsed as the decoder
// parses them (SecurityOpt, NetworkMode, PidMode, IpcMode, UTSMode,
// UsernsMode, CgroupnsMode, Binds), so bypass spellings such as
// "seccomp:unconfined" or a bare "disable" appear verbatim.

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden fixtures under testdata")

// fixture is one golden request.
type fixture struct {
	level Level
	pass  bool
	check CheckID
	name  string
	file  fixtureFile
}

// fixtureFile is the JSON layout of a fixture file.
type fixtureFile struct {
	// Check is the check the fixture is about; Case names the case.
	Check CheckID `json:"check"`
	Case  string  `json:"case"`
	// Level is the level it runs at; Expect is "pass" or "fail".
	Level  string `json:"level"`
	Expect string `json:"expect"`
	// Config holds exceptions and options besides the level.
	Config *fixtureConfig `json:"config,omitempty"`
	// Exactly one of Container, Exec, Volume is set.
	Container *fixtureContainer `json:"container,omitempty"`
	Exec      *Exec             `json:"exec,omitempty"`
	Volume    *VolumeCreate     `json:"volume,omitempty"`
	// Findings are the evaluator's findings at V1, recorded by -update.
	Findings []fixtureFinding `json:"findings"`
}

type fixtureConfig struct {
	Exceptions    Exceptions `json:"exceptions,omitzero"`
	RequireDigest bool       `json:"requireDigest,omitempty"`
}

type fixtureFinding struct {
	Check  CheckID `json:"check"`
	Field  string  `json:"field"`
	Value  string  `json:"value"`
	Reason string  `json:"reason"`
}

// fixtureContainer is a Container whose string-spelled API fields are given
// raw; the outer fields shadow the embedded typed ones in JSON.
type fixtureContainer struct {
	Container
	SecurityOpt  []string `json:",omitempty"`
	NetworkMode  string   `json:",omitempty"`
	PidMode      string   `json:",omitempty"`
	IpcMode      string   `json:",omitempty"`
	UTSMode      string   `json:",omitempty"`
	UsernsMode   string   `json:",omitempty"`
	CgroupnsMode string   `json:",omitempty"`
	Binds        []string `json:",omitempty"`
}

// toContainer parses the raw fields as the decoder would; a value that does
// not parse becomes an Invalid entry, so the evaluator fails closed.
func (fc *fixtureContainer) toContainer() *Container {
	c := fc.Container
	c.Invalid = slices.Clone(c.Invalid)
	bad := func(field, value string, err error) {
		c.Invalid = append(c.Invalid, InvalidValue{Field: field, Value: value, Reason: err.Error()})
	}
	so, errs := ParseSecurityOpts("HostConfig.SecurityOpt", fc.SecurityOpt)
	c.Security = so
	for _, e := range errs {
		bad(indexField("HostConfig.SecurityOpt", e.Index), e.Value, e)
	}
	var err error
	if c.NetworkMode, err = ParseNetworkMode(fc.NetworkMode); err != nil {
		bad("HostConfig.NetworkMode", fc.NetworkMode, err)
	}
	ns := []struct {
		field string
		raw   string
		dst   *NamespaceMode
		parse func(string) (NamespaceMode, error)
	}{
		{"HostConfig.PidMode", fc.PidMode, &c.PIDMode, ParsePIDMode},
		{"HostConfig.IpcMode", fc.IpcMode, &c.IPCMode, ParseIPCMode},
		{"HostConfig.UTSMode", fc.UTSMode, &c.UTSMode, ParseUTSMode},
		{"HostConfig.UsernsMode", fc.UsernsMode, &c.UsernsMode, ParseUsernsMode},
		{"HostConfig.CgroupnsMode", fc.CgroupnsMode, &c.CgroupnsMode, ParseCgroupnsMode},
	}
	for _, n := range ns {
		if *n.dst, err = n.parse(n.raw); err != nil {
			bad(n.field, n.raw, err)
		}
	}
	c.Mounts = slices.Clone(c.Mounts)
	for i, b := range fc.Binds {
		f := indexField("HostConfig.Binds", i)
		m, err := ParseBind(f, b, c.VolumeDriver)
		if err != nil {
			bad(f, b, err)
			continue
		}
		c.Mounts = append(c.Mounts, m)
	}
	return &c
}

var fixtureSets []func() []fixture

// addFixtures registers a generator of fixtures; call it from init.
func addFixtures(gen func() []fixture) { fixtureSets = append(fixtureSets, gen) }

func (f *fixture) path() string {
	kind := "fail"
	if f.pass {
		kind = "pass"
	}
	return filepath.Join("testdata", f.level.String(), "v1", kind, string(f.check)+"_"+f.name+".json")
}

// evaluate judges the fixture's request with New at the fixture's level, V1.
func evaluateFixture(t testing.TB, ff *fixtureFile, level Level) Decision {
	t.Helper()
	cfg := Config{Level: level, Version: V1}
	if ff.Config != nil {
		cfg.Exceptions = ff.Config.Exceptions
		cfg.RequireDigest = ff.Config.RequireDigest
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("%s/%s: %v", ff.Check, ff.Case, err)
	}
	switch {
	case ff.Container != nil && ff.Exec == nil && ff.Volume == nil:
		return e.Container(ff.Container.toContainer())
	case ff.Exec != nil && ff.Container == nil && ff.Volume == nil:
		return e.Exec(ff.Exec)
	case ff.Volume != nil && ff.Container == nil && ff.Exec == nil:
		return e.Volume(ff.Volume)
	}
	t.Fatalf("%s/%s: a fixture needs exactly one of container, exec, volume", ff.Check, ff.Case)
	return Decision{}
}

func toFixtureFindings(fs []Finding) []fixtureFinding {
	out := []fixtureFinding{}
	for _, f := range fs {
		out = append(out, fixtureFinding{Check: f.Check, Field: f.Field, Value: f.Value, Reason: f.Reason})
	}
	return out
}

// render produces the file bytes: the fixture with its findings, with zero
// values pruned from the request (empty lists are kept: they differ from null).
func renderFixture(t testing.TB, ff fixtureFile) []byte {
	t.Helper()
	raw, err := json.Marshal(ff)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"container", "exec", "volume", "config"} {
		if v, ok := m[k]; ok {
			if p, keep := prune(v); keep {
				m[k] = p
			} else {
				m[k] = map[string]any{}
			}
		}
	}
	out, err := json.MarshalIndent(orderedFixture(m), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// prune drops nulls, false, "", 0 and objects that become empty; it keeps
// arrays (an empty list differs from null).
func prune(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case bool:
		return x, x
	case string:
		return x, x != ""
	case json.Number:
		return x, x.String() != "0"
	case []any:
		for i := range x {
			if p, keep := prune(x[i]); keep {
				x[i] = p
			} else if _, isMap := x[i].(map[string]any); isMap {
				x[i] = map[string]any{}
			}
		}
		return x, true
	case map[string]any:
		for k, e := range x {
			if p, keep := prune(e); keep {
				x[k] = p
			} else {
				delete(x, k)
			}
		}
		return x, len(x) > 0
	}
	return v, true
}

// orderedFixture keeps the top-level keys in a readable order.
type orderedFixture map[string]any

func (o orderedFixture) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for _, k := range []string{"check", "case", "level", "expect", "config", "container", "exec", "volume", "findings"} {
		v, ok := o[k]
		if !ok {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func allFixtures(t testing.TB) []fixture {
	var out []fixture
	for _, gen := range fixtureSets {
		for _, f := range gen() {
			f.file.Check, f.file.Case, f.file.Level = f.check, f.name, f.level.String()
			f.file.Expect = "fail"
			if f.pass {
				f.file.Expect = "pass"
			}
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatal("no fixtures registered")
	}
	return out
}

func TestFixtures(t *testing.T) {
	want := map[string]bool{}
	for _, f := range allFixtures(t) {
		p := f.path()
		if want[p] {
			t.Errorf("two fixtures render to %s", p)
			continue
		}
		want[p] = true
		d := evaluateFixture(t, &f.file, f.level)
		checkExpectation(t, p, f.pass, f.check, d)
		f.file.Findings = toFixtureFindings(d.Findings)
		b := renderFixture(t, f.file)
		if *update {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		disk, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("missing fixture %s (run go test ./policy -run TestFixtures -update): %v", p, err)
			continue
		}
		if !bytes.Equal(disk, b) {
			t.Errorf("fixture %s is out of date (run go test ./policy -run TestFixtures -update and review the diff)", p)
			continue
		}
		// The file alone must reproduce its recorded verdict.
		var ff fixtureFile
		dec := json.NewDecoder(bytes.NewReader(disk))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ff); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		lvl, err := ParseLevel(ff.Level)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		got := toFixtureFindings(evaluateFixture(t, &ff, lvl).Findings)
		if !slices.Equal(got, ff.Findings) {
			t.Errorf("%s: the file's request yields %v, the file records %v", p, got, ff.Findings)
		}
	}
	// Extra files.
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		parts := strings.Split(filepath.ToSlash(p), "/")
		if len(parts) != 5 || parts[2] != "v1" {
			return nil // not a golden fixture path
		}
		if !want[p] {
			if *update {
				return os.Remove(p)
			}
			t.Errorf("extra fixture %s: no fixture produces it (run -update to remove it)", p)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

func checkExpectation(t *testing.T, p string, pass bool, check CheckID, d Decision) {
	t.Helper()
	if pass {
		if !d.Allowed {
			t.Errorf("%s: pass fixture denied: %v", p, d.Findings)
		}
		return
	}
	if d.Allowed {
		t.Errorf("%s: fail fixture allowed", p)
		return
	}
	if !slices.ContainsFunc(d.Findings, func(f Finding) bool { return f.Check == check }) {
		t.Errorf("%s: fail fixture denied, but not by %s: %v", p, check, d.Findings)
	}
}

// TestFixturesMonotonic: what baseline denies, restricted denies too.
func TestFixturesMonotonic(t *testing.T) {
	for _, f := range allFixtures(t) {
		if f.level != LevelBaseline || f.pass {
			continue
		}
		if d := evaluateFixture(t, &f.file, LevelRestricted); d.Allowed {
			t.Errorf("%s: denied at baseline but allowed at restricted", f.path())
		}
	}
}
