package decode

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"
)

// pathSeg is one segment of a FieldRule path: a JSON key, then list elements
// ("[]") and map values ("{}") in order.
type pathSeg struct {
	key   string
	marks []string
}

func splitPath(p string) []pathSeg {
	var out []pathSeg
	for _, part := range strings.Split(p, ".") {
		seg := pathSeg{key: part}
		for {
			if k, ok := strings.CutSuffix(seg.key, "[]"); ok {
				seg.key, seg.marks = k, append([]string{"[]"}, seg.marks...)
			} else if k, ok := strings.CutSuffix(seg.key, "{}"); ok {
				seg.key, seg.marks = k, append([]string{"{}"}, seg.marks...)
			} else {
				break
			}
		}
		out = append(out, seg)
	}
	return out
}

// typeAt returns the Go type a path selects in root.
func typeAt(t *testing.T, root reflect.Type, segs []pathSeg) reflect.Type {
	t.Helper()
	cur := root
	for _, sg := range segs {
		for cur.Kind() == reflect.Pointer {
			cur = cur.Elem()
		}
		var next reflect.Type
		for _, f := range structFields(cur) {
			if f.name == sg.key {
				next = f.typ
			}
		}
		if next == nil {
			t.Fatalf("no field %s in %s", sg.key, cur)
		}
		cur = next
		for range sg.marks {
			for cur.Kind() == reflect.Pointer {
				cur = cur.Elem()
			}
			cur = cur.Elem()
		}
	}
	return cur
}

// sample returns a JSON value of type t that differs from its zero value.
func sample(t reflect.Type) any {
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return []any{"sample"} // strslice.StrSlice
	}
	switch t.Kind() {
	case reflect.Pointer:
		return sample(t.Elem())
	case reflect.String:
		return "sample"
	case reflect.Bool:
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float64:
		return 7
	case reflect.Array:
		return []any{1, 2}
	case reflect.Slice:
		return []any{sample(t.Elem())}
	case reflect.Map:
		key := "sample"
		if t.Elem().Kind() == reflect.Struct && t.Elem().NumField() == 0 {
			key = "/sample/80" // ExposedPorts and Volumes
		}
		return map[string]any{key: sample(t.Elem())}
	case reflect.Struct:
		return map[string]any{}
	}
	return nil
}

// baseline returns a body for the request kind with the enclosing elements
// that path needs, so that setting the leaf is the only difference.
func baseline(kind, path string) map[string]any {
	switch kind {
	case "exec":
		return map[string]any{"Cmd": []any{"id"}}
	case "volume":
		return map[string]any{"Name": "vol"}
	}
	mnt := map[string]any{"Type": "bind", "Source": "/s", "Target": "/t"}
	switch {
	case strings.Contains(path, "VolumeOptions"):
		mnt = map[string]any{"Type": "volume", "Source": "vol", "Target": "/t"}
	case strings.Contains(path, "TmpfsOptions"):
		mnt = map[string]any{"Type": "tmpfs", "Target": "/t"}
	case strings.Contains(path, "ImageOptions"):
		mnt = map[string]any{"Type": "image", "Source": "img", "Target": "/t"}
	case strings.Contains(path, "ClusterOptions"):
		mnt = map[string]any{"Type": "cluster", "Source": "c", "Target": "/t"}
	}
	return map[string]any{
		"Image":       "img",
		"Healthcheck": map[string]any{"Test": []any{"CMD", "x"}},
		"HostConfig": map[string]any{
			"Mounts":         []any{mnt},
			"Devices":        []any{map[string]any{}},
			"DeviceRequests": []any{map[string]any{}},
			"PortBindings":   map[string]any{"80/tcp": []any{map[string]any{}}},
		},
		"NetworkingConfig": map[string]any{"EndpointsConfig": map[string]any{"n": map[string]any{}}},
	}
}

// newContainer builds the JSON containers for marks: one list element or one
// map value ("k") each, ending in an empty object.
func newContainer(marks []string) any {
	if len(marks) == 0 {
		return map[string]any{}
	}
	if marks[0] == "[]" {
		return []any{newContainer(marks[1:])}
	}
	return map[string]any{"k": newContainer(marks[1:])}
}

// set stores v at segs in body, descending into the single element of lists
// and maps (creating them as needed). Only the last segment has no marks.
func set(body map[string]any, segs []pathSeg, v any) {
	cur := body
	for i, sg := range segs {
		if i == len(segs)-1 {
			cur[sg.key] = v
			return
		}
		if _, ok := cur[sg.key]; !ok {
			cur[sg.key] = newContainer(sg.marks)
		}
		var x any = cur[sg.key]
		for _, mk := range sg.marks {
			if mk == "[]" {
				x = x.([]any)[0]
				continue
			}
			for _, e := range x.(map[string]any) {
				x = e
				break
			}
		}
		cur = x.(map[string]any)
	}
}

// TestFieldTableIsHonest sets every field of the table, one at a time, to a
// non-zero value: a Mapped field must change the decoded request (the model or
// its Invalid list), a Neutral one must leave it exactly as it was.
func TestFieldTableIsHonest(t *testing.T) {
	roots := map[string]reflect.Type{
		"create": reflect.TypeFor[legacyCreateRequest](),
		"exec":   reflect.TypeFor[container.ExecOptions](),
		"volume": reflect.TypeFor[volume.CreateOptions](),
	}
	targets := map[string]string{"create": "/v1.48/containers/create", "exec": "/v1.48/containers/c/exec", "volume": "/v1.48/volumes/create"}
	for _, rule := range Fields() {
		kind, path, _ := strings.Cut(rule.Path, ":")
		t.Run(rule.Path, func(t *testing.T) {
			segs := splitPath(path)
			typ := typeAt(t, roots[kind], segs)
			base := baseline(kind, path)
			mod := baseline(kind, path)
			v := sample(typ)
			set(mod, segs, v)
			decodeBody := func(b map[string]any) *Request {
				raw, err := json.Marshal(b)
				if err != nil {
					t.Fatal(err)
				}
				r, err := Decode("POST", targets[kind], raw)
				if err != nil {
					t.Fatalf("%s: %v", raw, err)
				}
				return r
			}
			before, after := decodeBody(base), decodeBody(mod)
			changed := !reflect.DeepEqual(before, after)
			if rule.Disposition == Mapped && !changed {
				t.Errorf("mapped field %s set to %v does not change the decoded request", rule.Path, v)
			}
			if rule.Disposition == Neutral && changed {
				t.Errorf("neutral field %s set to %v changes the decoded request:\nbefore %+v\nafter  %+v", rule.Path, v, before.Container, after.Container)
			}
		})
	}
}
