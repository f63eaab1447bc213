package policy

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// registry holds the built-in checks. It is private and append-only: each
// check_<id>.go file adds its check from an init function, and nothing else
// writes to it. DefaultChecks hands out copies, so no caller can change it.
var registry []Check

// register adds a built-in check. It is called only from init functions.
func register(c Check) {
	registry = append(registry, c)
}

// DefaultChecks returns a copy of every built-in check, sorted by ID. New uses
// them; pass them (or a subset, or with checks of your own appended) to
// NewEvaluator to build a custom evaluator. The result is a fresh copy on every
// call and may be modified freely. It is meant to be called at setup time.
func DefaultChecks() []Check {
	out := make([]Check, len(registry))
	for i, c := range registry {
		out[i] = copyCheck(c)
	}
	slices.SortFunc(out, func(a, b Check) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// copyCheck returns c with its slices copied.
func copyCheck(c Check) Check {
	c.Fields = slices.Clone(c.Fields)
	c.Versions = slices.Clone(c.Versions)
	return c
}

// validateChecks enforces the invariants of a check set: at least one check,
// unique well-formed IDs, a known level, a title, versions that start at V1 and
// strictly increase, and at least one function in each version. It returns
// the newest MinimumVersion.
func validateChecks(checks []Check) (Version, error) {
	if len(checks) == 0 {
		return 0, configErr("checks", "", "no checks: an evaluator without checks would allow everything (use LevelPrivileged to run none)")
	}
	seen := make(map[CheckID]bool, len(checks))
	var newest Version
	for i, c := range checks {
		field := "checks[" + strconv.Itoa(i) + "]"
		if !validCheckID(string(c.ID)) {
			return 0, configErr(field+".ID", string(c.ID), "check ID must be a non-empty identifier of letters, digits and '_'")
		}
		field = "check " + strconv.Quote(string(c.ID))
		if seen[c.ID] {
			return 0, configErr(field, string(c.ID), "duplicate check ID")
		}
		seen[c.ID] = true
		if c.Level != LevelBaseline && c.Level != LevelRestricted {
			return 0, configErr(field+".Level", c.Level.String(), "a check's level must be baseline or restricted")
		}
		if strings.TrimSpace(c.Title) == "" {
			return 0, configErr(field+".Title", "", "a check needs a title")
		}
		if len(c.Versions) == 0 {
			return 0, configErr(field+".Versions", "", "a check needs at least one version")
		}
		for j, v := range c.Versions {
			vf := field + ".Versions[" + strconv.Itoa(j) + "]"
			switch {
			case j == 0 && v.MinimumVersion != V1:
				return 0, configErr(vf+".MinimumVersion", strconv.Itoa(int(v.MinimumVersion)), "the first version must be V1")
			case j > 0 && v.MinimumVersion <= c.Versions[j-1].MinimumVersion:
				return 0, configErr(vf+".MinimumVersion", strconv.Itoa(int(v.MinimumVersion)), "versions must strictly increase")
			case v.Container == nil && v.Exec == nil && v.Volume == nil:
				return 0, configErr(vf, "", "a version needs at least one of Container, Exec, Volume")
			}
			newest = max(newest, v.MinimumVersion)
		}
	}
	return newest, nil
}

// validCheckID reports whether s is a letter followed by letters, digits or '_'.
func validCheckID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

// versionFor returns the behaviour of c at version v: the last VersionedCheck
// whose MinimumVersion is at most v. c must have passed validateChecks.
func versionFor(c Check, v Version) VersionedCheck {
	sel := c.Versions[0]
	for _, vc := range c.Versions[1:] {
		if vc.MinimumVersion <= v {
			sel = vc
		}
	}
	return sel
}
