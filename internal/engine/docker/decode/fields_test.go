package decode

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"
)

// leafPaths walks t as encoding/json sees it and returns the path of every
// field: structs are entered, lists add "[]" and maps "{}" unless their
// element is a leaf, in which case the list or map itself is the field.
func leafPaths(t reflect.Type, prefix string, out *[]string, depth int) {
	if depth > 12 {
		*out = append(*out, prefix)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		*out = append(*out, prefix)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := structFields(t)
		if len(fields) == 0 {
			*out = append(*out, prefix)
			return
		}
		for _, f := range fields {
			p := f.name
			if prefix != "" {
				p = prefix + "." + f.name
			}
			leafPaths(f.typ, p, out, depth+1)
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		e := t.Elem()
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		if isLeaf(e) {
			*out = append(*out, prefix)
			return
		}
		mark := "[]"
		if t.Kind() == reflect.Map {
			mark = "{}"
		}
		leafPaths(e, prefix+mark, out, depth+1)
	default:
		*out = append(*out, prefix)
	}
}

// isLeaf reports whether t has no JSON fields of its own.
func isLeaf(t reflect.Type) bool {
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		return len(structFields(t)) == 0
	case reflect.Slice, reflect.Array, reflect.Map:
		e := t.Elem()
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		return isLeaf(e)
	}
	return true
}

// requestFields lists every field of the three request types, as FieldRule paths.
func requestFields() []string {
	var create, exec, vol []string
	leafPaths(reflect.TypeFor[container.CreateRequest](), "", &create, 0)
	leafPaths(reflect.TypeFor[container.ExecOptions](), "", &exec, 0)
	leafPaths(reflect.TypeFor[volume.CreateOptions](), "", &vol, 0)
	// The legacy wrapper's own fields beyond CreateRequest's.
	modern := map[string]bool{}
	for _, f := range structFields(reflect.TypeFor[container.CreateRequest]()) {
		modern[f.name] = true
	}
	for _, f := range structFields(reflect.TypeFor[legacyCreateRequest]()) {
		if f.embedded == "" && !modern[f.name] {
			create = append(create, f.name)
		}
	}
	var all []string
	for _, p := range create {
		all = append(all, "create:"+p)
	}
	for _, p := range exec {
		all = append(all, "exec:"+p)
	}
	for _, p := range vol {
		all = append(all, "volume:"+p)
	}
	return all
}

func covered(rules []FieldRule, p string) (FieldRule, bool) {
	for _, r := range rules {
		if r.Path == p || r.Subtree && (strings.HasPrefix(p, r.Path+".") || strings.HasPrefix(p, r.Path+"[]") || strings.HasPrefix(p, r.Path+"{}")) {
			return r, true
		}
	}
	return FieldRule{}, false
}

// TestFieldTableCoversEveryField fails when a field of the Docker request types
// is neither mapped nor listed as neutral: a Docker upgrade that adds a field
// must be reviewed here.
func TestFieldTableCoversEveryField(t *testing.T) {
	rules := Fields()
	paths := requestFields()
	if len(paths) < 150 {
		t.Fatalf("walk found only %d fields; the walker is broken", len(paths))
	}
	for _, p := range paths {
		if _, ok := covered(rules, p); !ok {
			t.Errorf("field %s is neither mapped nor listed as neutral in Fields()", p)
		}
	}
	// No stale or duplicate rows.
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.Path] {
			t.Errorf("duplicate row %s", r.Path)
		}
		seen[r.Path] = true
		if r.Disposition != Mapped && r.Disposition != Neutral {
			t.Errorf("row %s has no disposition", r.Path)
		}
		if r.Note == "" {
			t.Errorf("row %s has no note", r.Path)
		}
		found := slices.ContainsFunc(paths, func(p string) bool {
			return p == r.Path || strings.HasPrefix(p, r.Path+".") || strings.HasPrefix(p, r.Path+"[]") || strings.HasPrefix(p, r.Path+"{}")
		})
		if !found {
			t.Errorf("row %s names no field of the request types", r.Path)
		}
	}
}

// TestFieldWalkerSeesNewFields proves the walker would catch an added field.
func TestFieldWalkerSeesNewFields(t *testing.T) {
	type inner struct{ A, B string }
	type probe struct {
		container.HostConfig
		Extra  inner             `json:"NewThing"`
		Nested map[string]*inner `json:"Nested,omitempty"`
	}
	var got []string
	leafPaths(reflect.TypeFor[probe](), "", &got, 0)
	for _, want := range []string{"NewThing.A", "Nested{}.B", "Privileged", "Memory", "Mounts[].BindOptions.Propagation"} {
		if !slices.Contains(got, want) {
			t.Errorf("walker missed %s (got %d paths)", want, len(got))
		}
	}
}
