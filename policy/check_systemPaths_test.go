package policy

import (
	"slices"
	"testing"
)

func TestSystemPathsV1(t *testing.T) {
	full := slices.Clone(defaultMaskedPaths)
	more := append(slices.Clone(defaultMaskedPaths), "/proc/extra")
	unclean := slices.Clone(defaultReadonlyPaths)
	unclean[0] = "/proc//bus/"
	for _, tt := range []struct {
		name string
		c    Container
		want []string
	}{
		{"nil keeps defaults", Container{}, nil},
		{"full list", Container{MaskedPaths: full, ReadonlyPaths: slices.Clone(defaultReadonlyPaths)}, nil},
		{"superset", Container{MaskedPaths: more}, nil},
		{"unclean spelling of a default", Container{ReadonlyPaths: unclean}, nil},
		{"systempaths=unconfined", Container{MaskedPaths: []string{}, ReadonlyPaths: []string{}}, []string{
			"HostConfig.MaskedPaths=missing " + stringsJoinSep(defaultMaskedPaths, ", "),
			"HostConfig.ReadonlyPaths=missing " + stringsJoinSep(defaultReadonlyPaths, ", "),
		}},
		{"kcore unmasked", Container{MaskedPaths: slices.DeleteFunc(slices.Clone(defaultMaskedPaths), func(s string) bool { return s == "/proc/kcore" })}, []string{"HostConfig.MaskedPaths=missing /proc/kcore"}},
	} {
		ckWant(t, tt.name, ckRun(systemPathsV1, &tt.c, nil), tt.want...)
	}
}

func stringsJoinSep(s []string, sep string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += sep
		}
		out += v
	}
	return out
}
