package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestValidChecks runs the registry invariants over every built-in check.
func TestValidChecks(t *testing.T) {
	checks := DefaultChecks()
	if _, err := validateChecks(checks); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(checks, func(a, b Check) int { return strings.Compare(string(a.ID), string(b.ID)) }) {
		t.Error("DefaultChecks is not sorted by ID")
	}
	for _, c := range checks {
		if len(c.Title) < 10 || strings.HasSuffix(c.Title, ".") {
			t.Errorf("%s: title %q should be a short phrase without a final period", c.ID, c.Title)
		}
		if len(c.Fields) == 0 {
			t.Errorf("%s: no Fields", c.ID)
		}
		if c.Versions[0].MinimumVersion != V1 {
			t.Errorf("%s: first version is not V1", c.ID)
		}
	}
	// The non-mount checks this file's author owns must all be registered.
	want := []CheckID{"annotations", "apparmor", "capabilities", "capabilitiesRestricted", "cgroupParent",
		"commands", "devices", "env", "hostNamespaces", "imageDigest", "loopbackPorts", "noNewPrivileges",
		"privileged", "readOnlyRootfs", "resourceLimits", "runAsNonRoot", "runtime", "seccomp", "selinux",
		"sysctls", "systemPaths", "unrecognised", "workingDir", "writableCgroups"}
	for _, id := range want {
		if !slices.ContainsFunc(checks, func(c Check) bool { return c.ID == id }) {
			t.Errorf("check %s is not registered", id)
		}
	}
}

func TestDefaultChecksAreCopies(t *testing.T) {
	a := DefaultChecks()
	a[0].Fields[0] = "mutated"
	a[0].Versions[0].Container = nil
	a[0].ID = "mutated"
	b := DefaultChecks()
	if b[0].ID == "mutated" || b[0].Fields[0] == "mutated" {
		t.Fatal("DefaultChecks shares memory with the registry")
	}
}

func synthetic(id CheckID, level Level, versions ...Version) Check {
	c := Check{ID: id, Level: level, Title: "synthetic check " + string(id), Fields: []string{"X"}}
	for _, v := range versions {
		v := v
		c.Versions = append(c.Versions, VersionedCheck{
			MinimumVersion: v,
			Container: func(_ *Container, _ *Settings, r *Report) {
				r.Deny("X", string(id)+"@"+string(rune('0'+v)), "synthetic", "none")
			},
		})
	}
	return c
}

func TestNewEvaluatorRejectsBadCheckSets(t *testing.T) {
	good := synthetic("a", LevelBaseline, V1)
	noFn := synthetic("b", LevelBaseline, V1)
	noFn.Versions[0].Container = nil
	noTitle := synthetic("c", LevelBaseline, V1)
	noTitle.Title = " "
	tests := []struct {
		name   string
		checks []Check
		field  string
	}{
		{"empty", nil, "checks"},
		{"empty ID", []Check{synthetic("", LevelBaseline, V1)}, "checks[0].ID"},
		{"bad ID", []Check{synthetic("a b", LevelBaseline, V1)}, "checks[0].ID"},
		{"duplicate", []Check{good, synthetic("a", LevelRestricted, V1)}, `check "a"`},
		{"privileged level", []Check{synthetic("p", LevelPrivileged, V1)}, `check "p".Level`},
		{"unknown level", []Check{synthetic("p", Level(9), V1)}, `check "p".Level`},
		{"no versions", []Check{synthetic("v", LevelBaseline)}, `check "v".Versions`},
		{"first not V1", []Check{synthetic("v", LevelBaseline, 2)}, `check "v".Versions[0].MinimumVersion`},
		{"unsorted", []Check{synthetic("v", LevelBaseline, V1, 3, 2)}, `check "v".Versions[2].MinimumVersion`},
		{"repeated", []Check{synthetic("v", LevelBaseline, V1, V1)}, `check "v".Versions[1].MinimumVersion`},
		{"no function", []Check{noFn}, `check "b".Versions[0]`},
		{"no title", []Check{noTitle}, `check "c".Title`},
	}
	for _, tt := range tests {
		_, err := NewEvaluator(Config{}, tt.checks...)
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want a *ConfigError", tt.name, err)
			continue
		}
		if ce.Field != tt.field {
			t.Errorf("%s: field %q, want %q (%v)", tt.name, ce.Field, tt.field, err)
		}
	}
}

func TestVersionSelection(t *testing.T) {
	checks := []Check{synthetic("a", LevelBaseline, V1, 3), synthetic("b", LevelBaseline, V1), synthetic("r", LevelRestricted, V1, 2)}
	for _, tt := range []struct {
		level   Level
		version Version
		want    []string
		resolve Version
	}{
		{LevelBaseline, V1, []string{"a@1", "b@1"}, V1},
		{LevelBaseline, 2, []string{"a@1", "b@1"}, 2},
		{LevelBaseline, VersionLatest, []string{"a@3", "b@1"}, 3},
		{LevelRestricted, 2, []string{"a@1", "b@1", "r@2"}, 2},
		{LevelRestricted, V1, []string{"a@1", "b@1", "r@1"}, V1},
	} {
		e, err := NewEvaluator(Config{Level: tt.level, Version: tt.version}, checks...)
		if err != nil {
			t.Fatal(err)
		}
		d := e.Container(&Container{})
		var got []string
		for _, f := range d.Findings {
			got = append(got, f.Value)
		}
		if !slices.Equal(got, tt.want) || d.Version != tt.resolve || d.Level != tt.level {
			t.Errorf("%v v%d: ran %v (version %d), want %v (version %d)", tt.level, tt.version, got, d.Version, tt.want, tt.resolve)
		}
	}
	if _, err := NewEvaluator(Config{Version: 4}, checks...); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("pinning an unknown version: err = %v", err)
	}
}
