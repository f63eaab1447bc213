package decode

import (
	"errors"
	"testing"
)

func TestParseRoute(t *testing.T) {
	ok := []struct {
		method, target string
		want           Route
	}{
		{"POST", "/containers/create", Route{Op: OpContainerCreate}},
		{"POST", "/v1.41/containers/create?name=web", Route{Op: OpContainerCreate, Version: APIVersion{1, 41}, Name: "web"}},
		{"POST", "/v1.47/containers/create?name=a&name=b&platform=linux", Route{Op: OpContainerCreate, Version: APIVersion{1, 47}, Name: "a"}},
		{"POST", "/containers/web/exec", Route{Op: OpContainerExec, Container: "web"}},
		{"POST", "/v1.51/containers/0123abcd/exec", Route{Op: OpContainerExec, Version: APIVersion{1, 51}, Container: "0123abcd"}},
		{"POST", "/containers/create/exec", Route{Op: OpContainerExec, Container: "create"}},
		{"POST", "/volumes/create", Route{Op: OpVolumeCreate}},
		{"POST", "/v1.24/volumes/create?", Route{Op: OpVolumeCreate, Version: APIVersion{1, 24}}},
	}
	for _, tc := range ok {
		got, err := ParseRoute(tc.method, tc.target)
		if err != nil || got != tc.want {
			t.Errorf("ParseRoute(%q, %q) = %+v, %v; want %+v", tc.method, tc.target, got, err, tc.want)
		}
	}
	unsupported := [][2]string{
		{"GET", "/containers/json"},
		{"POST", "/containers/web/start"},
		{"POST", "/v1.41/exec/abc/start"},
		{"post", "/containers/create"},
		{"PUT", "/containers/create"},
		{"POST", "/vx/containers/create"},
		{"POST", "/containers"},
		{"POST", "/"},
		{"POST", "/networks/create"},
		{"POST", "/containers/exec"},
	}
	for _, tc := range unsupported {
		_, err := ParseRoute(tc[0], tc[1])
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseRoute(%q, %q) error = %v; want ErrUnsupported", tc[0], tc[1], err)
		}
	}
	malformed := []string{
		"//containers/create",
		"/containers//create",
		"/containers/./create",
		"/containers/../containers/create",
		"/v1.41/../containers/create",
		"/containers/create/",
		"/containers%2Fcreate",
		"/containers/create%00",
		"/v1..41/containers/create",
		"/v1/containers/create",
		"/v1.41.0/containers/create",
		"/v.41/containers/create",
		"/v0.41/containers/create",
		"/v1.4.1/containers/create",
		"/containers/a/b/exec",
		"containers/create",
		"",
		"/containers/create?name=%zz",
		"/containers/create?a=1;b=2",
		"/containers\\create",
		"/containers/create#frag",
		"/containers/cre ate",
	}
	for _, target := range malformed {
		_, err := ParseRoute("POST", target)
		var pe *PathError
		if !errors.As(err, &pe) || !errors.Is(err, ErrMalformedPath) || errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseRoute(POST, %q) error = %v; want a *PathError", target, err)
		}
	}
}

func TestAPIVersion(t *testing.T) {
	var zero APIVersion
	if zero.Known() || zero.String() != "" || zero.less(1, 44) || !zero.atMost(1, 45) {
		t.Error("zero APIVersion must be unknown: never less, always atMost")
	}
	v := APIVersion{1, 41}
	if !v.Known() || v.String() != "1.41" || !v.less(1, 44) || v.less(1, 41) || !v.atMost(1, 45) || v.atMost(1, 40) {
		t.Errorf("APIVersion{1,41} comparisons wrong")
	}
}
