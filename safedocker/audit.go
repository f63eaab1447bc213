package safedocker

import (
	"context"
	"log/slog"
	"time"

	"github.com/safedocker/safedocker/policy"
)

// Audit events. Every operation emits exactly one decision event, allowed or
// denied; an allowed operation then emits one result event when the engine call
// returns. Both are logged with the message below and these attributes:
//
//	event        "decision" or "result"
//	op           the operation, e.g. "container.create"
//	client       the identity from WithClientID ("" when none)
//	capability   the capability the operation needs, e.g. "container.create"
//	class        its safety class: "read", "write" or "destructive"
//	target       the object acted on (container name or ID, image...), if any
//	verdict      "allow" or "deny" (decision events)
//	step         the pipeline step that denied: "capability", "ratelimit",
//	             "validation" or "policy" (denials only)
//	checks       the IDs of the policy checks that denied (policy denials,
//	             and JudgeContainer results whose judgement is "deny")
//	findings     the number of findings (same)
//	field        the invalid field (validation denials)
//	policy       the evaluator's level, when a policy ran (decision events)
//	             or judged (result events with a judgement)
//	policy_version  the check-set version that judged the request
//	retry_after  the limiter's retry hint (rate-limit denials)
//	outcome      "ok" or "error" (result events)
//	judgement    "allow" or "deny": the policy's verdict on an existing
//	             container, for operations whose result is a judgement
//	             (JudgeContainer; result events with outcome "ok", together
//	             with policy, policy_version and, on "deny", checks and
//	             findings). The decision event of such an operation admits
//	             the read itself: verdict "allow" says the caller may judge,
//	             not that the container passed.
//	error_class  the sentinel class of the error, e.g. "not_found" or
//	             "credentials" (a failing credential provider)
//	duration     time spent: deciding (decision) or in the engine (result)
//
// Events never carry environment values, credentials, error messages from the
// daemon or request bodies: only the identifiers above.
const auditMessage = "safedocker audit"

// auditor writes audit events to a logger. The zero value discards events.
type auditor struct {
	log *slog.Logger
}

// auditRecord accumulates the attributes of one operation.
type auditRecord struct {
	op     operation
	client string
	target string
	start  time.Time
}

func (a auditor) enabled(ctx context.Context, lvl slog.Level) bool {
	return a.log != nil && a.log.Enabled(ctx, lvl)
}

func (r *auditRecord) base(event string) []slog.Attr {
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("event", event),
		slog.String("op", r.op.name),
		slog.String("client", r.client),
		slog.String("capability", r.op.cap.String()),
		slog.String("class", r.op.cap.Class().String()),
	)
	if r.target != "" {
		attrs = append(attrs, slog.String("target", r.target))
	}
	return attrs
}

// denied logs a decision event for a denial at step; err is the typed error
// returned to the caller.
func (a auditor) denied(ctx context.Context, r *auditRecord, step string, err error) {
	if !a.enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := r.base("decision")
	attrs = append(attrs, slog.String("verdict", "deny"), slog.String("step", step))
	switch e := err.(type) {
	case *PolicyError:
		attrs = append(attrs, slog.Any("checks", checkIDStrings(e.Findings)), slog.Int("findings", len(e.Findings)))
	case *ValidationError:
		if e.Field != "" {
			attrs = append(attrs, slog.String("field", e.Field))
		}
	case *RateLimitError:
		if e.Scope != "" {
			attrs = append(attrs, slog.String("scope", e.Scope))
		}
		if e.RetryAfter > 0 {
			attrs = append(attrs, slog.Duration("retry_after", e.RetryAfter))
		}
	}
	attrs = append(attrs,
		slog.String("error_class", errorClass(err)),
		slog.Duration("duration", time.Since(r.start)),
	)
	a.log.LogAttrs(ctx, slog.LevelWarn, auditMessage, attrs...)
}

// allowed logs a decision event for an admitted operation.
func (a auditor) allowed(ctx context.Context, r *auditRecord, v *verdict) {
	if !a.enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := r.base("decision")
	attrs = append(attrs, slog.String("verdict", "allow"))
	if v != nil {
		attrs = append(attrs, slog.String("policy", v.level.String()), slog.Int("policy_version", int(v.version)))
	}
	attrs = append(attrs, slog.Duration("duration", time.Since(r.start)))
	a.log.LogAttrs(ctx, slog.LevelInfo, auditMessage, attrs...)
}

// result logs the outcome of the engine call that started at start.
func (a auditor) result(ctx context.Context, r *auditRecord, start time.Time, outcome string, err error) {
	lvl := slog.LevelInfo
	if outcome != "ok" {
		lvl = slog.LevelWarn
	}
	if !a.enabled(ctx, lvl) {
		return
	}
	attrs := r.base("result")
	attrs = append(attrs, slog.String("outcome", outcome))
	if err != nil {
		attrs = append(attrs, slog.String("error_class", errorClass(err)))
	}
	if j := r.op.judgement; j != nil && outcome == "ok" {
		attrs = append(attrs, slog.String("judgement", verdictWord(j.allowed)),
			slog.String("policy", j.level.String()), slog.Int("policy_version", int(j.version)))
		if !j.allowed {
			attrs = append(attrs, slog.Any("checks", checkIDStrings(j.findings)), slog.Int("findings", len(j.findings)))
		}
	}
	attrs = append(attrs, slog.Duration("duration", time.Since(start)))
	a.log.LogAttrs(ctx, lvl, auditMessage, attrs...)
}

// checkIDStrings returns the IDs of the checks behind findings, without
// duplicates, in order of first appearance.
func checkIDStrings(findings []policy.Finding) []string {
	ids := checkIDs(findings)
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return s
}

// verdictWord is "allow" or "deny".
func verdictWord(allowed bool) string {
	if allowed {
		return "allow"
	}
	return "deny"
}
