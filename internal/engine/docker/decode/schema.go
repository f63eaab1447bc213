package decode

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// This file finds the keys of a JSON body that the Docker API types do not
// know. encoding/json drops them silently; a daemon of another version may not.

type nodeKind uint8

const (
	kindOpaque nodeKind = iota // scalars and types with their own unmarshaller
	kindStruct
	kindMap
	kindList
)

// node is the JSON shape of a Go type as encoding/json sees it.
type node struct {
	kind  nodeKind
	exact map[string]*jsonField // kindStruct: by exact JSON name
	list  []*jsonField          // kindStruct: in encoding/json's order, for folded matches
	elem  *node                 // kindMap, kindList
}

// jsonField is one JSON key of a struct.
type jsonField struct {
	name string
	node *node
}

// lookup finds the field a key selects, as encoding/json does: an exact match
// first, else the first case-insensitive (Unicode simple folding) match.
func (n *node) lookup(key []byte) *jsonField {
	if f, ok := n.exact[string(key)]; ok {
		return f
	}
	for _, f := range n.list {
		if bytes.EqualFold(key, []byte(f.name)) {
			return f
		}
	}
	return nil
}

// opaque is the shape of a value whose keys are not looked at. It is never
// modified.
var opaque = &node{kind: kindOpaque}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// buildNode returns the shape of t. memo breaks cycles.
func buildNode(t reflect.Type, memo map[reflect.Type]*node) *node {
	if n, ok := memo[t]; ok {
		return n
	}
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		n := &node{kind: kindOpaque}
		memo[t] = n
		return n
	}
	switch t.Kind() {
	case reflect.Pointer:
		n := buildNode(t.Elem(), memo)
		memo[t] = n
		return n
	case reflect.Slice, reflect.Array:
		n := &node{kind: kindList}
		memo[t] = n
		n.elem = buildNode(t.Elem(), memo)
		return n
	case reflect.Map:
		n := &node{kind: kindMap}
		memo[t] = n
		n.elem = buildNode(t.Elem(), memo)
		return n
	case reflect.Struct:
		n := &node{kind: kindStruct, exact: map[string]*jsonField{}}
		memo[t] = n
		for _, f := range structFields(t) {
			jf := &jsonField{name: f.name, node: buildNode(f.typ, memo)}
			n.list = append(n.list, jf)
			n.exact[f.name] = jf
		}
		return n
	}
	n := &node{kind: kindOpaque}
	memo[t] = n
	return n
}

type goField struct {
	name     string
	typ      reflect.Type
	index    []int
	tagged   bool
	embedded string
}

// structFields lists the JSON fields of struct type t with encoding/json's
// rules: embedded structs without a tag name are flattened; among fields of
// the same name the shallowest wins, then the only tagged one, else none.
func structFields(t reflect.Type) []goField {
	type level struct {
		typ      reflect.Type
		index    []int
		embedded string
	}
	var all []goField
	current := []level{{typ: t}}
	visited := map[reflect.Type]bool{}
	for len(current) > 0 {
		var next []level
		for _, lv := range current {
			if visited[lv.typ] {
				continue
			}
			visited[lv.typ] = true
			for i := 0; i < lv.typ.NumField(); i++ {
				sf := lv.typ.Field(i)
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				index := append(slices.Clone(lv.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					emb := lv.embedded
					if emb == "" {
						emb = sf.Name
					}
					next = append(next, level{typ: ft, index: index, embedded: emb})
					continue
				}
				tagged := name != ""
				if name == "" {
					name = sf.Name
				}
				all = append(all, goField{name: name, typ: sf.Type, index: index, tagged: tagged, embedded: lv.embedded})
			}
		}
		current = next
	}
	// Dominance.
	slices.SortStableFunc(all, func(a, b goField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if len(a.index) != len(b.index) {
			return len(a.index) - len(b.index)
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []goField
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		group := all[i:j]
		i = j
		if len(group) > 1 && len(group[0].index) == len(group[1].index) && group[0].tagged == group[1].tagged {
			continue // ambiguous: encoding/json drops the name
		}
		out = append(out, group[0])
	}
	slices.SortFunc(out, func(a, b goField) int { return slices.Compare(a.index, b.index) })
	return out
}

// unknownKey is a key no field matched, with its raw value.
type unknownKey struct {
	path  string
	key   string
	value []byte
}

// keyScan walks a syntactically valid JSON value along a node tree.
type keyScan struct {
	data    []byte
	pos     int
	unknown []unknownKey
	segs    []string
	// all reports zero-valued unknown keys too (tests compare with
	// encoding/json's DisallowUnknownFields).
	all bool
}

// scanKeys reports the keys of data that select no field of n.
func scanKeys(data []byte, n *node) []unknownKey {
	s := keyScan{data: data}
	s.value(n)
	return s.unknown
}

// scanAllKeys is scanKeys without the zero-value exemption.
func scanAllKeys(data []byte, n *node) []unknownKey {
	s := keyScan{data: data, all: true}
	s.value(n)
	return s.unknown
}

func (s *keyScan) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *keyScan) value(n *node) {
	s.ws()
	if s.pos >= len(s.data) {
		return
	}
	switch s.data[s.pos] {
	case '{':
		s.object(n)
	case '[':
		s.array(n)
	case '"':
		s.str()
	default:
		for s.pos < len(s.data) {
			c := s.data[s.pos]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				return
			}
			s.pos++
		}
	}
}

// str skips a string and returns its raw contents and whether it had escapes.
func (s *keyScan) str() ([]byte, bool) {
	s.pos++ // opening quote
	start := s.pos
	esc := false
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			esc = true
			s.pos += 2
			continue
		case '"':
			raw := s.data[start:s.pos]
			s.pos++
			return raw, esc
		}
		s.pos++
	}
	return s.data[start:min(s.pos, len(s.data))], esc
}

func (s *keyScan) object(n *node) {
	s.pos++ // {
	for {
		s.ws()
		if s.pos >= len(s.data) {
			return
		}
		switch s.data[s.pos] {
		case '}':
			s.pos++
			return
		case ',':
			s.pos++
			continue
		case '"':
		default:
			s.pos = len(s.data) // not valid JSON; stop
			return
		}
		keyStart := s.pos
		key, esc := s.str()
		if esc {
			var k string
			if json.Unmarshal(s.data[keyStart:s.pos], &k) == nil {
				key = []byte(k)
			}
		}
		s.ws()
		if s.pos < len(s.data) && s.data[s.pos] == ':' {
			s.pos++
		}
		switch n.kind {
		case kindStruct:
			f := n.lookup(key)
			if f == nil {
				s.ws()
				vs := s.pos
				s.value(opaque)
				if s.all || !zeroJSON(s.data[vs:s.pos]) {
					s.unknown = append(s.unknown, unknownKey{path: joinPath(s.segs), key: string(key), value: s.data[vs:s.pos]})
				}
				continue
			}
			s.segs = append(s.segs, f.name)
			s.value(f.node)
			s.segs = s.segs[:len(s.segs)-1]
		case kindMap:
			s.segs = append(s.segs, "{}")
			s.value(n.elem)
			s.segs = s.segs[:len(s.segs)-1]
		default:
			s.value(opaque)
		}
	}
}

func (s *keyScan) array(n *node) {
	s.pos++ // [
	elem := opaque
	if n.kind == kindList {
		elem = n.elem
	}
	for {
		s.ws()
		if s.pos >= len(s.data) {
			return
		}
		switch s.data[s.pos] {
		case ']':
			s.pos++
			return
		case ',':
			s.pos++
			continue
		}
		start := s.pos
		s.segs = append(s.segs, "[]")
		s.value(elem)
		s.segs = s.segs[:len(s.segs)-1]
		if s.pos == start {
			s.pos = len(s.data) // no progress: not valid JSON; stop
			return
		}
	}
}

// zeroJSON reports whether a raw JSON value is null, false, "", {} or a
// number equal to zero: a value that selects nothing in any daemon version.
func zeroJSON(v []byte) bool {
	v = bytes.TrimSpace(v)
	switch string(v) {
	case "null", "false", `""`:
		return true
	}
	if len(v) >= 2 && v[0] == '{' && v[len(v)-1] == '}' && len(bytes.TrimSpace(v[1:len(v)-1])) == 0 {
		return true
	}
	if len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
		f, err := strconv.ParseFloat(string(v), 64)
		return err == nil && f == 0
	}
	return false
}

// joinPath renders scanner segments as a field path: "HostConfig.Mounts[].Foo".
func joinPath(segs []string) string {
	var b strings.Builder
	for _, sg := range segs {
		if sg != "[]" && sg != "{}" && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(sg)
	}
	return b.String()
}
