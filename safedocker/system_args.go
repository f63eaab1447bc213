package safedocker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// Argument checks shared by the exec, image, volume, network and system
// operations. Each returns a *ValidationError naming the field; values in
// reasons are truncated and never secret.

// maxObjectName bounds driver names and other short identifiers.
const maxObjectName = 255

// maxText bounds free-text arguments (filter values, label values, aliases).
const maxText = 1024

// maxLabels bounds the labels of one create.
const maxLabels = 256

func argError(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// checkObjectName validates the name of an object to create with the validate
// package's name grammar ([a-zA-Z0-9][a-zA-Z0-9_.-]+, at most
// validate.MaxNameLength bytes).
func checkObjectName(field, name string) error {
	if _, err := validate.ParseVolumeName(name); err != nil {
		return validateError(field, err)
	}
	return nil
}

// checkObjectRef validates a reference to an existing container, volume or
// network: a name in the same grammar (a container name may carry its leading
// "/") or a full or short ID.
func checkObjectRef(field, ref string) error {
	if _, err := validate.ParseContainerName(ref); err != nil {
		return validateError(field, err)
	}
	return nil
}

// validateError converts an error of the validate package into a
// *ValidationError for field whose reason quotes the offending value (which
// validate truncates, and never holds an environment value) and the problem.
func validateError(field string, err error) *ValidationError {
	var ve *validate.Error
	if errors.As(err, &ve) && ve.Value != "" {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("%q: %s", truncate(ve.Value, 64), ve.Reason), Err: err}
	}
	return &ValidationError{Field: field, Reason: validationReason(err), Err: err}
}

// validationReason is the reason of a validate error, without its prefix.
func validationReason(err error) string {
	var ve *validate.Error
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return "invalid"
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

// checkNewLabels validates labels to set on a new object with
// validate.ParseLabels: key syntax, value syntax, and no keys under Docker's
// reserved prefixes (com.docker., io.docker., org.dockerproject.).
func checkNewLabels(field string, labels map[string]string) error {
	if len(labels) > maxLabels {
		return argError(field, "more than %d labels", maxLabels)
	}
	if _, err := validate.ParseLabels(labels); err != nil {
		return &ValidationError{Field: field, Reason: validationReason(err), Err: err}
	}
	return nil
}

// checkFilters runs the typed filters of a list through validate.ParseFilters
// (key allow-list and value syntax per kind).
func checkFilters(kind validate.ObjectKind, f opsFilterSet) error {
	if _, err := validate.ParseFilters(kind, f); err != nil {
		return &ValidationError{Field: "filters", Reason: validationReason(err), Err: err}
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

// resolveLimit resolves a per-call limit (a list length or a byte count)
// against the client's bound: 0 means the bound, larger values are refused (a
// call can tighten a bound, never loosen it).
func resolveLimit[T int | int64](field string, limit, bound T) (T, error) {
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
