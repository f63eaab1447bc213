package validate

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted, want an error", what)
	}
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("%s: error %v is not a *Error matching ErrInvalid", what, err)
	}
	if errors.Is(err, ErrCommandDenied) {
		t.Fatalf("%s: error %v matches ErrCommandDenied", what, err)
	}
}

const dig = "sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa"

func TestParseImageRef(t *testing.T) {
	ok := []struct {
		in, str, familiar, domain, path, tag, digest string
		opts                                         []ImageOption
	}{
		{"nginx:1.25", "docker.io/library/nginx:1.25", "nginx:1.25", "docker.io", "library/nginx", "1.25", "", nil},
		{"ubuntu:22.04", "docker.io/library/ubuntu:22.04", "ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", "", nil},
		{"nginx", "docker.io/library/nginx:latest", "nginx:latest", "docker.io", "library/nginx", "latest", "", []ImageOption{DefaultTagLatest()}},
		{"acme/api:v1", "docker.io/acme/api:v1", "acme/api:v1", "docker.io", "acme/api", "v1", "", nil},
		{"ghcr.io/acme/api:v1", "ghcr.io/acme/api:v1", "ghcr.io/acme/api:v1", "ghcr.io", "acme/api", "v1", "", nil},
		{"localhost:5000/myimage:dev", "localhost:5000/myimage:dev", "localhost:5000/myimage:dev", "localhost:5000", "myimage", "dev", "", nil},
		{"index.docker.io/library/busybox:1", "docker.io/library/busybox:1", "busybox:1", "docker.io", "library/busybox", "1", "", nil},
		{"busybox@" + dig, "docker.io/library/busybox@" + dig, "busybox@" + dig, "docker.io", "library/busybox", "", dig, []ImageOption{RequireDigest()}},
		{"busybox:1.36@" + dig, "docker.io/library/busybox:1.36@" + dig, "busybox:1.36@" + dig, "docker.io", "library/busybox", "1.36", dig, nil},
		{"[::1]:5000/x:y", "[::1]:5000/x:y", "[::1]:5000/x:y", "[::1]:5000", "x", "y", "", nil},
	}
	for _, tc := range ok {
		r, err := ParseImageRef(tc.in, tc.opts...)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		got := []string{r.String(), r.Familiar(), r.Domain(), r.Path(), r.Tag(), r.Digest()}
		want := []string{tc.str, tc.familiar, tc.domain, tc.path, tc.tag, tc.digest}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, want)
		}
		if r.IsZero() || r.Name() != tc.domain+"/"+tc.path {
			t.Errorf("%q: Name %q IsZero %v", tc.in, r.Name(), r.IsZero())
		}
	}
	bad := []struct {
		in   string
		opts []ImageOption
	}{
		{"", nil},
		{"nginx", nil},       // no tag by default
		{"UPPERCASE:1", nil}, // repository must be lower case
		{"nginx:1.25", []ImageOption{RequireDigest()}},
		{strings.Repeat("a", 256) + ":1", nil},
		{strings.Repeat("a", 600), nil},
		{"7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa", nil},
		{"nginx@sha256:abc", nil},
		{"nginx@md5:7cc4b5aefd1d0cadf8d97d4350462ba5", nil},
		{"nginx:tag with space", nil},
		{"nginx:\x00", nil},
		{"-nginx:1", nil},
		{"nginx::1", nil},
		{"http://docker.io/nginx:1", nil},
	}
	for _, tc := range bad {
		_, err := ParseImageRef(tc.in, tc.opts...)
		wantInvalid(t, fmt.Sprintf("ParseImageRef(%q)", tc.in), err)
	}
	var zero ImageRef
	if !zero.IsZero() || zero.String() != "" || zero.Tag() != "" || zero.Digest() != "" || zero.Name() != "" {
		t.Error("zero ImageRef is not empty")
	}
}

func TestImageAllowList(t *testing.T) {
	l, err := NewImageAllowList("nginx", "ghcr.io/acme/*", "acme/*", "Registry.Example.com:5000/*", "docker.io/library/*x")
	if err == nil {
		t.Fatalf("pattern with * inside accepted: %v", l)
	}
	l, err = NewImageAllowList("nginx", "ghcr.io/acme/*", "acme/*", "Registry.Example.com:5000/*")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{
		"nginx:1":                                true,
		"docker.io/library/nginx:1":              true,
		"nginx/other:1":                          false,
		"library/nginx2:1":                       false,
		"ghcr.io/acme/api:1":                     true,
		"ghcr.io/acme/team/deep:1":               true,
		"GHCR.io/acme/api:1":                     true,
		"ghcr.io/acmecorp/api:1":                 false,
		"ghcr.io/acme:1":                         false,
		"acme/tool:1":                            true,
		"docker.io/acme/tool:1":                  true,
		"acmeevil/tool:1":                        false,
		"registry.example.com:5000/anything/x:1": true,
		"registry.example.com/anything:1":        false,
		"evil.com/nginx:1":                       false,
	}
	for in, want := range cases {
		r, err := ParseImageRef(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := l.Allows(r); got != want {
			t.Errorf("Allows(%q) = %v, want %v", in, got, want)
		}
		if err := l.Check(r); (err == nil) != want {
			t.Errorf("Check(%q) = %v", in, err)
		} else if err != nil {
			wantInvalid(t, in, err)
		}
	}
	var nilList *ImageAllowList
	r, _ := ParseImageRef("nginx:1")
	if nilList.Allows(r) || l.Allows(ImageRef{}) {
		t.Error("nil list or zero ref allowed")
	}
	for _, p := range []string{"", "*", "/*", "nginx:1", "nginx@" + dig, "UPPER", "ghcr.io/*/x"} {
		if _, err := NewImageAllowList(p); err == nil {
			t.Errorf("pattern %q accepted", p)
		}
	}
	if _, err := NewImageAllowList(); err == nil {
		t.Error("empty allow-list accepted")
	}
}

func TestNames(t *testing.T) {
	good := []string{"mycontainer", "my-container", "my_container", "my.container", "container123",
		"123container", "ab", strings.Repeat("a", MaxNameLength),
		"4f2a1c3b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"}
	bad := []string{"", "a", "-container", ".container", "_c", "my container", "c/x", "c:1",
		strings.Repeat("a", MaxNameLength+1), "naïve", "x\n", "--all"}
	parsers := map[string]func(string) (string, error){
		"container": func(s string) (string, error) { n, err := ParseContainerName(s); return n.String(), err },
		"volume":    func(s string) (string, error) { n, err := ParseVolumeName(s); return n.String(), err },
		"network":   func(s string) (string, error) { n, err := ParseNetworkName(s); return n.String(), err },
	}
	for kind, parse := range parsers {
		for _, s := range good {
			if got, err := parse(s); err != nil || got != s {
				t.Errorf("%s %q: %q, %v", kind, s, got, err)
			}
		}
		for _, s := range bad {
			_, err := parse(s)
			wantInvalid(t, kind+" "+s, err)
		}
	}
	if n, err := ParseContainerName("/web"); err != nil || n.String() != "web" {
		t.Errorf("leading slash: %q, %v", n, err)
	}
	if _, err := ParseVolumeName("/web"); err == nil {
		t.Error("volume name with slash accepted")
	}
	if _, err := ParseContainerName("//web"); err == nil {
		t.Error("double slash accepted")
	}
	var zero ContainerName
	if !zero.IsZero() {
		t.Error("zero name not zero")
	}
}

func TestLabels(t *testing.T) {
	for _, k := range []string{"app", "com.example.team", "app.kubernetes.io/name", "a-b_c.d", "A1"} {
		if got, err := ParseLabelKey(k); err != nil || got.String() != k {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"", "invalid key", ".app", "app.", "app/", "a=b", "ключ", strings.Repeat("a", 256), "a\x00"} {
		_, err := ParseLabelKey(k)
		wantInvalid(t, "label key "+k, err)
	}
	got, err := ParseLabels(map[string]string{"b": "2", "a": "1", "com.example.x": ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Key.String() != "a" || got[1].Key.String() != "b" || got[0].Value != "1" {
		t.Errorf("not sorted: %+v", got)
	}
	bad := []map[string]string{
		{"com.docker.compose.project": "x"},
		{"io.docker.x": "x"},
		{"org.dockerproject.x": "x"},
		{"io.safedocker.owner": "x"},
		{"ok": strings.Repeat("v", MaxLabelValueLength+1)},
		{"ok": "a\x1bb"},
		{"ok": "\xff"},
		{"bad key": "x"},
	}
	for _, m := range bad {
		_, err := ParseLabels(m, ReservedLabelPrefixes("io.safedocker."))
		wantInvalid(t, fmt.Sprint(m), err)
	}
	if _, err := ParseLabels(map[string]string{"com.docker.compose.project": "x"}, AllowDockerLabels()); err != nil {
		t.Errorf("AllowDockerLabels: %v", err)
	}
	if _, err := ParseLabels(map[string]string{"io.safedocker.owner": "x"}, AllowDockerLabels(), ReservedLabelPrefixes("io.safedocker.")); err == nil {
		t.Error("reserved prefix accepted with AllowDockerLabels")
	}
}

func TestEnvVar(t *testing.T) {
	const secret = "hunter2-secret-value"
	e, err := ParseEnvVar("API_TOKEN=" + secret)
	if err != nil {
		t.Fatal(err)
	}
	if e.Key() != "API_TOKEN" || e.Value() != secret || e.Pair() != "API_TOKEN="+secret {
		t.Errorf("accessors: %q %q %q", e.Key(), e.Value(), e.Pair())
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("env", "var", e, "list", []EnvVar{e})
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("env", "var", e)
	outputs := []string{
		e.String(), e.GoString(), fmt.Sprint(e), fmt.Sprintf("%v %+v %#v %s %q %x %d", e, e, e, e, e, e, e),
		fmt.Sprintf("%v", []EnvVar{e}), fmt.Sprintf("%+v", struct{ E EnvVar }{e}),
		fmt.Sprintf("%#v", map[string]EnvVar{"k": e}), logBuf.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, secret) {
			t.Errorf("output leaks the value: %s", out)
		}
		if !strings.Contains(out, "API_TOKEN") {
			t.Errorf("output lacks the key: %s", out)
		}
	}
	if e.String() != "API_TOKEN" {
		t.Errorf("String = %q", e.String())
	}
	if e2, err := ParseEnvVar("PEM=-----BEGIN-----\nabc\n-----END-----"); err != nil || e2.Value() == "" {
		t.Errorf("newline value: %v", err)
	}
	if e3, err := ParseEnvVar("EMPTY="); err != nil || e3.Value() != "" || e3.Key() != "EMPTY" {
		t.Errorf("empty value: %v", err)
	}
	if e4, err := ParseEnvVar("A=b=c"); err != nil || e4.Value() != "b=c" {
		t.Errorf("= in value: %v", err)
	}
	bad := []string{"", "=x", "NOEQUALS" + secret, "1A=x", "A-B=x", "A B=x", "A.B=x", "KÉ=x",
		"A=" + strings.Repeat("x", MaxEnvValueLength+1), "A=a\x00b", "A=\xff", strings.Repeat("K", 257) + "=x"}
	for _, s := range bad {
		_, err := ParseEnvVar(s)
		wantInvalid(t, "env", err)
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "a\x00b") {
			t.Errorf("error leaks the input: %v", err)
		}
	}
	if _, err := NewEnvVar("GOOD", "v"); err != nil {
		t.Error(err)
	}
	list, err := ParseEnv([]string{"A=1", "B=2"})
	if err != nil || len(list) != 2 {
		t.Errorf("ParseEnv: %v %v", list, err)
	}
	_, err = ParseEnv([]string{"A=1", "A=" + secret})
	wantInvalid(t, "duplicate", err)
	if strings.Contains(err.Error(), secret) {
		t.Errorf("duplicate error leaks: %v", err)
	}
	loads := map[string]bool{"LD_PRELOAD=/x.so": true, "LD_AUDIT=/x": true, "BASH_ENV=/x": true, "ENV=/x": true,
		"PS4=$(id)": true, "PS4=+ ": false, "PROMPT_COMMAND=`id`": true, "F=() { id; }": true, "PATH=/bin": false}
	for s, want := range loads {
		e, err := ParseEnvVar(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if e.LoadsCode() != want {
			t.Errorf("LoadsCode(%q) = %v", s, !want)
		}
	}
}

func TestParsePortSpec(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	ok := []struct {
		in   string
		want PortSpec
		str  string
	}{
		{"8080", PortSpec{ContainerPort: 8080, ContainerPortEnd: 8080, Protocol: TCP}, "8080/tcp"},
		{"8080:80", PortSpec{HostPort: 8080, HostPortEnd: 8080, ContainerPort: 80, ContainerPortEnd: 80, Protocol: TCP}, "8080:80/tcp"},
		{"127.0.0.1:8080:80/tcp", PortSpec{HostIP: lo, HostPort: 8080, HostPortEnd: 8080, ContainerPort: 80, ContainerPortEnd: 80, Protocol: TCP}, "127.0.0.1:8080:80/tcp"},
		{"127.0.0.1::80/UDP", PortSpec{HostIP: lo, ContainerPort: 80, ContainerPortEnd: 80, Protocol: UDP}, "127.0.0.1::80/udp"},
		{"[::1]:53:53/udp", PortSpec{HostIP: netip.IPv6Loopback(), HostPort: 53, HostPortEnd: 53, ContainerPort: 53, ContainerPortEnd: 53, Protocol: UDP}, "[::1]:53:53/udp"},
		{"[::ffff:127.0.0.1]:1:2", PortSpec{HostIP: lo, HostPort: 1, HostPortEnd: 1, ContainerPort: 2, ContainerPortEnd: 2, Protocol: TCP}, "127.0.0.1:1:2/tcp"},
		{"8000-8009:80-89", PortSpec{HostPort: 8000, HostPortEnd: 8009, ContainerPort: 80, ContainerPortEnd: 89, Protocol: TCP}, "8000-8009:80-89/tcp"},
		{"8000-8009:80", PortSpec{HostPort: 8000, HostPortEnd: 8009, ContainerPort: 80, ContainerPortEnd: 80, Protocol: TCP}, "8000-8009:80/tcp"},
		{"132/sctp", PortSpec{ContainerPort: 132, ContainerPortEnd: 132, Protocol: SCTP}, "132/sctp"},
		{"0.0.0.0:80:80", PortSpec{HostIP: netip.IPv4Unspecified(), HostPort: 80, HostPortEnd: 80, ContainerPort: 80, ContainerPortEnd: 80, Protocol: TCP}, "0.0.0.0:80:80/tcp"},
		{"65535", PortSpec{ContainerPort: 65535, ContainerPortEnd: 65535, Protocol: TCP}, "65535/tcp"},
	}
	for _, tc := range ok {
		got, err := ParsePortSpec(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.in, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("%q: String %q, want %q", tc.in, got.String(), tc.str)
		}
		again, err := ParsePortSpec(got.String())
		if err != nil || again != got {
			t.Errorf("%q: round trip %+v, %v", tc.in, again, err)
		}
	}
	if p, _ := ParsePortSpec("127.0.0.1:80:80"); !p.LoopbackOnly() {
		t.Error("loopback not reported")
	}
	if p, _ := ParsePortSpec("80:80"); p.LoopbackOnly() {
		t.Error("all interfaces reported as loopback")
	}
	bad := []string{"", "0", "65536", "-1", "invalid", "80/http", "99999:80", "80:0", ":80", "1.2.3.4:80",
		"::1:80:80", "[::1]80:80", "[fe80::1%eth0]:80:80", "300.0.0.1:80:80", "80-70", "1-2000",
		"8000-8009:80-85", "80:8000-8009", "+80", "80 ", "0x50", "1:2:3:4", "[::1]:80", "a:80:80"}
	for _, s := range bad {
		_, err := ParsePortSpec(s)
		wantInvalid(t, "port "+s, err)
	}
}

func TestParseDuration(t *testing.T) {
	d, err := ParseDuration("1m30s", time.Second, time.Hour)
	if err != nil || d != 90*time.Second {
		t.Errorf("1m30s: %v %v", d, err)
	}
	for _, s := range []string{"", "30", "abc", "-1s", "2h", "500ms", strings.Repeat("1", 40) + "s"} {
		_, err := ParseDuration(s, time.Second, time.Hour)
		wantInvalid(t, "duration "+s, err)
	}
}

func TestParseByteSize(t *testing.T) {
	ok := map[string]int64{"512": 512, "512b": 512, "1024k": 1 << 20, "512m": 512 << 20, "512M": 512 << 20,
		"2g": 2 << 30, "2GiB": 2 << 30, "10MB": 10 << 20, "1.5g": 3 << 29, "1t": 1 << 40, "0": 0, "1.25k": 1280}
	for s, want := range ok {
		got, err := ParseByteSize(s, 0, 1<<50)
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "abc", "512 m", "512x", "1e3", "0x10", ".5g", "1.g", "1.2345g", "-1",
		"1i", "1ib", "1bi", "99999999999999999999", "9223372036854775807k", "2p"} {
		_, err := ParseByteSize(s, 0, 1<<62)
		wantInvalid(t, "size "+s, err)
	}
	_, err := ParseByteSize("4m", 6<<20, 1<<30)
	wantInvalid(t, "below min", err)
	_, err = ParseByteSize("2g", 0, 1<<30)
	wantInvalid(t, "above max", err)
}

func TestParseFilters(t *testing.T) {
	f, err := ParseFilters(ContainerObjects, map[string][]string{
		"status":   {"running", "exited", "running"},
		"label":    {"com.example.team=web", "app"},
		"name":     {"^/web$"},
		"id":       {"4f2a1c"},
		"exited":   {"0", "137"},
		"health":   {"healthy"},
		"ancestor": {"nginx", "ghcr.io/acme/api:1", "sha256:4f2a1c3b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"},
		"publish":  {"8080/tcp", "8000-8010"},
		"volume":   {"data", "/var/lib/data"},
		"network":  {"bridge"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Values("status"); fmt.Sprint(got) != "[exited running]" {
		t.Errorf("status values %q", got)
	}
	if got := f.Keys(); len(got) != 10 || got[0] != "ancestor" {
		t.Errorf("keys %q", got)
	}
	n := 0
	for k, vs := range f.All() {
		if len(vs) == 0 || k == "" {
			t.Errorf("All yielded %q %q", k, vs)
		}
		vs[0] = "mutated"
		n++
	}
	if n != f.Len() || f.Values("status")[0] != "exited" {
		t.Error("All: wrong count or shared storage")
	}
	if f.Values("missing") != nil {
		t.Error("absent key has values")
	}
	valid := []struct {
		kind ObjectKind
		key  string
		val  string
	}{
		{ImageObjects, "dangling", "true"}, {ImageObjects, "reference", "busy*:*"},
		{ImageObjects, "until", "24h"}, {ImageObjects, "until", "2024-01-02T15:04:05Z"},
		{ImageObjects, "until", "1700000000"}, {ImageObjects, "before", "nginx:1"},
		{VolumeObjects, "driver", "local"}, {VolumeObjects, "name", "data"}, {VolumeObjects, "dangling", "1"},
		{NetworkObjects, "scope", "local"}, {NetworkObjects, "type", "custom"}, {NetworkObjects, "id", "abc123"},
	}
	for _, tc := range valid {
		if _, err := ParseFilters(tc.kind, map[string][]string{tc.key: {tc.val}}); err != nil {
			t.Errorf("%v %s=%s: %v", tc.kind, tc.key, tc.val, err)
		}
	}
	invalid := []struct {
		kind ObjectKind
		key  string
		vals []string
	}{
		{ContainerObjects, "bogus", []string{"x"}},
		{ContainerObjects, "Status", []string{"running"}},
		{ContainerObjects, "status", []string{"sleeping"}},
		{ContainerObjects, "status", nil},
		{ContainerObjects, "status", []string{""}},
		{ContainerObjects, "id", []string{"XYZ"}},
		{ContainerObjects, "name", []string{"web.*"}},
		{ContainerObjects, "name", []string{"(a+)+$"}},
		{ContainerObjects, "label", []string{"bad key=x"}},
		{ContainerObjects, "label", []string{"k=a\nb"}},
		{ContainerObjects, "exited", []string{"256"}},
		{ContainerObjects, "exited", []string{"-1"}},
		{ContainerObjects, "publish", []string{"80/http"}},
		{ContainerObjects, "volume", []string{"/a/../etc"}},
		{ContainerObjects, "ancestor", []string{"UPPER"}},
		{ContainerObjects, "network", []string{strings.Repeat("n", 600)}},
		{ImageObjects, "status", []string{"running"}},
		{ImageObjects, "reference", []string{"a b"}},
		{ImageObjects, "until", []string{"yesterday"}},
		{VolumeObjects, "driver", []string{"-x"}},
		{NetworkObjects, "scope", []string{"host"}},
		{ObjectKind(0), "id", []string{"abc"}},
		{ObjectKind(9), "id", []string{"abc"}},
	}
	for _, tc := range invalid {
		_, err := ParseFilters(tc.kind, map[string][]string{tc.key: tc.vals})
		wantInvalid(t, fmt.Sprintf("%v %s=%q", tc.kind, tc.key, tc.vals), err)
	}
	many := make([]string, MaxFilterValues+1)
	for i := range many {
		many[i] = "running"
	}
	_, err = ParseFilters(ContainerObjects, map[string][]string{"status": many})
	wantInvalid(t, "too many values", err)
	if f, err := ParseFilters(NetworkObjects, nil); err != nil || !f.IsZero() {
		t.Errorf("empty filters: %v %v", f, err)
	}
}

func TestErrorFormat(t *testing.T) {
	e := newError("image", strings.Repeat("é", 100), "bad")
	if len(e.Value) > 131 || !strings.HasSuffix(e.Value, "…") {
		t.Errorf("value not truncated on a rune boundary: %q", e.Value)
	}
	if !strings.HasPrefix(e.Error(), "validate: image ") {
		t.Errorf("message %q", e.Error())
	}
}
