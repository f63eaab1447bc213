package safedocker

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/safedocker/safedocker/policy"
)

// Argument checks shared by the exec, image, volume, network and system
// operations. Each returns a *ValidationError naming the field; values in
// reasons are truncated and never secret.

// objectNamePattern is the daemon's restricted name pattern for containers,
// volumes and networks we create, and the form of a name or ID we accept when
// referring to an existing object (a container name may start with "/").
var objectNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// maxObjectName bounds names and IDs.
const maxObjectName = 255

// maxText bounds free-text arguments (filter values, label values, aliases).
const maxText = 1024

// maxLabels bounds the labels of one create.
const maxLabels = 256

func argError(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// checkObjectName validates the name of an object to create.
func checkObjectName(field, name string) error {
	if name == "" {
		return argError(field, "must not be empty")
	}
	if len(name) > maxObjectName {
		return argError(field, "longer than %d bytes", maxObjectName)
	}
	if !objectNamePattern.MatchString(name) {
		return argError(field, "%q must match %s", truncate(name, 64), objectNamePattern)
	}
	return nil
}

// checkObjectRef validates a reference to an existing container, volume or network:
// a name (a container name may carry its leading "/") or a full or short ID.
func checkObjectRef(field, ref string) error {
	return checkObjectName(field, strings.TrimPrefix(ref, "/"))
}

// checkArgText validates a free-text value: valid UTF-8, no control characters,
// at most max bytes.
func checkArgText(field, s string, max int) error {
	if len(s) > max {
		return argError(field, "longer than %d bytes", max)
	}
	if !utf8.ValidString(s) {
		return argError(field, "not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return argError(field, "contains a control character")
		}
	}
	return nil
}

// checkNewLabels validates labels to set on a new object.
func checkNewLabels(field string, labels map[string]string) error {
	if len(labels) > maxLabels {
		return argError(field, "more than %d labels", maxLabels)
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if k == "" {
			return argError(field, "empty label key")
		}
		if err := checkArgText(field+"["+truncate(k, 64)+"]", k, 256); err != nil {
			return err
		}
		if err := checkArgText(field+"["+truncate(k, 64)+"]", labels[k], maxText); err != nil {
			return err
		}
	}
	return nil
}

// checkLabelFilters validates label filters ("key" or "key=value").
func checkLabelFilters(field string, labels []string) ([]string, error) {
	if len(labels) > maxLabels {
		return nil, argError(field, "more than %d label filters", maxLabels)
	}
	for i, l := range labels {
		f := fmt.Sprintf("%s[%d]", field, i)
		if l == "" || strings.HasPrefix(l, "=") {
			return nil, argError(f, "a label filter is key or key=value")
		}
		if err := checkArgText(f, l, maxText); err != nil {
			return nil, err
		}
	}
	return slices.Clone(labels), nil
}

// boolFilterValue renders an optional boolean filter.
func boolFilterValue(b *bool) []string {
	if b == nil {
		return nil
	}
	if *b {
		return []string{"true"}
	}
	return []string{"false"}
}

// opsFilterSet builds the engine's filter map from typed filter fields, skipping
// empty ones.
type opsFilterSet map[string][]string

func (f opsFilterSet) add(key string, values ...string) {
	for _, v := range values {
		if v != "" {
			f[key] = append(f[key], v)
		}
	}
}

// resolveListLimit resolves a per-call list limit against the client's bound: 0 means
// the bound, larger values are refused (a call can tighten a bound, never
// loosen it).
func resolveListLimit(field string, limit, bound int) (int, error) {
	switch {
	case limit < 0:
		return 0, argError(field, "must not be negative")
	case limit == 0:
		return bound, nil
	case limit > bound:
		return 0, argError(field, "%d exceeds the client's bound of %d", limit, bound)
	}
	return limit, nil
}

// resolveByteLimit resolves a per-call byte limit against the client's bound, like
// resolveListLimit.
func resolveByteLimit(field string, limit, bound int64) (int64, error) {
	switch {
	case limit < 0:
		return 0, argError(field, "must not be negative")
	case limit == 0:
		return bound, nil
	case limit > bound:
		return 0, argError(field, "%d exceeds the client's bound of %d", limit, bound)
	}
	return limit, nil
}

// opsVerdict turns findings of a safedocker-level check into a pipeline
// verdict at the client's policy level.
func (c *Client) opsVerdict(fs []policy.Finding) verdict {
	return verdict{allowed: len(fs) == 0, findings: fs, level: c.policyLevel()}
}

// opsDecisionVerdict turns an evaluator decision into a pipeline verdict.
func opsDecisionVerdict(d policy.Decision) verdict {
	return verdict{allowed: d.Allowed, findings: d.Findings, level: d.Level}
}

// policyLevel is the level of the client's evaluator (Baseline when none).
func (c *Client) policyLevel() policy.Level {
	if c.policy == nil {
		return policy.LevelBaseline
	}
	return c.policy.Settings().Level
}

// readContext bounds a read made while judging a request (for example the
// network inspect before a connect) by the read deadline.
func (c *Client) readContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.deadlines.Read)
}
