package policy

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// mtRun runs one check function on c with s and returns its findings.
func mtRun(fn func(*Container, *Settings, *Report), c *Container, s *Settings) []Finding {
	if s == nil {
		s = &Settings{}
	}
	var r Report
	fn(c, s, &r)
	return r.findings
}

// mtBinds builds a container from HostConfig.Binds specs, parsed as the decoder
// parses them.
func mtBinds(t testing.TB, user string, specs ...string) *Container {
	t.Helper()
	c := &Container{User: user}
	for i, spec := range specs {
		m, err := ParseBind("HostConfig.Binds["+strconv.Itoa(i)+"]", spec, "")
		if err != nil {
			t.Fatalf("ParseBind(%q): %v", spec, err)
		}
		c.Mounts = append(c.Mounts, m)
	}
	return c
}

// mtMounts builds a container from HostConfig.Mounts entries, naming their fields.
func mtMounts(ms ...Mount) *Container {
	c := &Container{}
	for i, m := range ms {
		m.Field = "HostConfig.Mounts[" + strconv.Itoa(i) + "]"
		c.Mounts = append(c.Mounts, m)
	}
	return c
}

// mtRoots builds bind roots; a path ending in ":rw" is writable.
func mtRoots(paths ...string) *Settings {
	s := &Settings{}
	for _, p := range paths {
		w := strings.HasSuffix(p, ":rw")
		s.Exceptions.BindRoots = append(s.Exceptions.BindRoots, BindRoot{Path: strings.TrimSuffix(p, ":rw"), Writable: w})
	}
	return s
}

// mtLinks is a fake PathResolver: a table of symlinked prefixes, applied
// component-wise once (enough for policy tests; internal/hostfs has the real one).
type mtLinks map[string]string

var errMtResolve = errors.New("fake resolver failure")

func (l mtLinks) ResolveHostPath(p string) (string, error) {
	if p == "/broken" || strings.HasPrefix(p, "/broken/") {
		return "", errMtResolve
	}
	best := ""
	for from := range l {
		if Within(p, from) && len(from) > len(best) {
			best = from
		}
	}
	if best == "" {
		return p, nil
	}
	return l[best] + p[len(best):], nil
}

// mtExpect compares findings with the wanted fields (in order); each want is
// "field|substring of reason".
func mtExpect(t *testing.T, got []Finding, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), mtList(got))
	}
	for i, w := range want {
		field, reason, _ := strings.Cut(w, "|")
		if got[i].Field != field || !strings.Contains(got[i].Reason, reason) {
			t.Errorf("finding %d = %s\nwant field %q reason containing %q", i, got[i], field, reason)
		}
		if got[i].Remediation == "" {
			t.Errorf("finding %d has no remediation", i)
		}
	}
}

func mtList(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}
