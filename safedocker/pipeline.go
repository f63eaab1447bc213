package safedocker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/ratelimit"
)

// The pipeline. Every operation of a Client, without exception, goes through
// run, which performs these steps in this order and stops at the first denial:
//
//  1. capability: the operation's capability must be in the client's grant,
//     else *CapabilityError (ErrCapabilityDenied). Nothing else is consulted.
//  2. rate limit: the client identity from the context is checked, then the
//     limiter (if any) decides per client and globally in one atomic call and
//     takes an in-flight slot, else *RateLimitError (ErrRateLimited). The slot
//     is released when run returns, also on panic or cancellation.
//  3. validation: the operation's arguments, else *ValidationError
//     (ErrInvalidInput).
//  4. policy: the evaluator judges the request and reports every finding at
//     once, else *PolicyError (ErrPolicyViolation).
//  5. audit: a decision event is logged for every request, allowed or denied
//     (denials at steps 1-4 log theirs before returning).
//  6. engine: the call runs under the deadline of its class; its output is
//     bounded by the operation; daemon errors arrive mapped onto the engine
//     sentinels and are wrapped with the operation name.
//
// A denial at any step means the engine is not called, so no request reaches
// the daemon.

// operation describes one operation to the pipeline.
type operation struct {
	// name is the operation's stable name, e.g. "container.create".
	name string
	// cap is the capability it needs.
	cap Capability
	// target is the object acted on, for audit events (never a secret).
	target string
	// long selects the long-running deadline (waits, follows, pulls) instead of
	// the deadline of the capability's safety class.
	long bool
	// cost is the number of rate-limit units the operation spends (0 means 1).
	cost int
	// judgement, when not nil, receives the policy decision that is the
	// operation's result (JudgeContainer); the result event reports it.
	judgement *verdict
}

// verdict is the outcome of the policy step.
type verdict struct {
	allowed  bool
	findings []policy.Finding
	level    policy.Level
	version  policy.Version
}

// run executes op through the pipeline described above. validate and judge may
// be nil when the operation has no arguments to validate or nothing for the
// policy to judge. call receives a context carrying the operation's deadline.
func (c *Client) run(ctx context.Context, op operation, validate func() error, judge func() verdict, call func(ctx context.Context) error) (err error) {
	rec := &auditRecord{op: op, target: truncate(op.target, 128), start: time.Now()}
	id, hasID := ClientIDFrom(ctx)
	idOK := validClientID(id)
	if idOK {
		rec.client = id
	} else if hasID {
		rec.client = "(invalid)"
	}

	// 1. Capability.
	if c == nil || !c.grant.Has(op.cap) {
		err := &CapabilityError{Op: op.name, Capability: op.cap}
		if c != nil {
			c.audit.denied(ctx, rec, "capability", err)
		}
		return err
	}
	if c.isClosed() {
		err := fmt.Errorf("safedocker: %s: %w", op.name, ErrClosed)
		c.audit.denied(ctx, rec, "closed", err)
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		err := contextError(op.name, cerr)
		c.audit.denied(ctx, rec, "context", err)
		return err
	}

	// 2. Identity and rate limit.
	if hasID && !idOK {
		err := &ValidationError{Op: op.name, Field: "client identity",
			Reason: fmt.Sprintf("must be 1 to %d bytes of printable UTF-8", MaxClientIDLen)}
		c.audit.denied(ctx, rec, "ratelimit", err)
		return err
	}
	if c.limiter != nil {
		if !hasID {
			err := &ValidationError{Op: op.name, Field: "client identity",
				Reason: "a rate-limited client needs an identity in the context: use safedocker.WithClientID"}
			c.audit.denied(ctx, rec, "ratelimit", err)
			return err
		}
		cost := op.cost
		if cost <= 0 {
			cost = 1
		}
		release, lerr := c.limiter.Acquire(ctx, id, cost)
		if lerr != nil {
			err := rateLimitError(op.name, lerr)
			c.audit.denied(ctx, rec, "ratelimit", err)
			return err
		}
		if release != nil {
			var once sync.Once
			defer once.Do(release)
		}
	}

	// 3. Validation.
	if validate != nil {
		if verr := validate(); verr != nil {
			err := validationError(op.name, verr)
			c.audit.denied(ctx, rec, "validation", err)
			return err
		}
	}

	// 4. Policy.
	var judged *verdict
	if judge != nil {
		v := judge()
		judged = &v
		if !v.allowed {
			err := &PolicyError{Op: op.name, Findings: explainDenial(v.findings)}
			c.audit.denied(ctx, rec, "policy", err)
			return err
		}
	}

	// 5. Audit the admission.
	c.audit.allowed(ctx, rec, judged)

	// 6. Engine call under the class deadline.
	callCtx, cancel := context.WithTimeout(ctx, c.deadlineFor(op))
	defer cancel()
	start := time.Now()
	done := false
	defer func() {
		if !done {
			// call panicked: record it, release (deferred above) and re-panic.
			c.audit.result(ctx, rec, start, "panic", nil)
		}
	}()
	err = call(callCtx)
	done = true
	err = engineError(op.name, ctx, callCtx, err)
	if err != nil {
		c.audit.result(ctx, rec, start, "error", err)
		return err
	}
	c.audit.result(ctx, rec, start, "ok", nil)
	return nil
}

// explainDenial returns the findings of a denial, or one "unexplained"
// finding when there are none: a denial is never silent.
func explainDenial(findings []policy.Finding) []policy.Finding {
	if len(findings) == 0 {
		return []policy.Finding{{Check: "unexplained", Reason: "the policy denied the request without a finding"}}
	}
	return findings
}

// deadlineFor returns the deadline of op's class.
func (c *Client) deadlineFor(op operation) time.Duration {
	d := c.deadlines
	switch {
	case op.long:
		return d.Long
	case op.cap.Class() == ClassRead:
		return d.Read
	case op.cap.Class() == ClassDestructive:
		return d.Destructive
	}
	return d.Write
}

// rateLimitError converts a limiter refusal into *RateLimitError.
func rateLimitError(op string, err error) *RateLimitError {
	rl := &RateLimitError{Op: op, Scope: "error", Err: err}
	var le *ratelimit.LimitError
	if errors.As(err, &le) {
		rl.Scope = le.Scope.String()
		if le.RetryAfter > 0 && le.RetryAfter != ratelimit.Never {
			rl.RetryAfter = le.RetryAfter
		}
	}
	return rl
}

// validationError converts a validation failure into *ValidationError, keeping
// the field of a *ValidationError if the validator returned one.
func validationError(op string, err error) *ValidationError {
	var ve *ValidationError
	if errors.As(err, &ve) {
		out := *ve
		out.Op = op
		return &out
	}
	return &ValidationError{Op: op, Reason: err.Error(), Err: err}
}

// contextError wraps a context error with the matching sentinel.
func contextError(op string, cerr error) error {
	if errors.Is(cerr, context.DeadlineExceeded) {
		return fmt.Errorf("safedocker: %s: %w: %w", op, ErrTimeout, cerr)
	}
	return fmt.Errorf("safedocker: %s: %w: %w", op, ErrCanceled, cerr)
}

// knownSentinels are the errors an error of the engine step must match one
// of: the engine sentinels, and ErrCredentials for a credential provider that
// failed during a pull (a client-side failure, not the daemon's).
var knownSentinels = [...]error{
	engine.ErrNotFound, engine.ErrConflict, engine.ErrRejected, engine.ErrForbidden,
	engine.ErrUnavailable, engine.ErrNotImplemented, engine.ErrDaemon,
	engine.ErrTimeout, engine.ErrCanceled, ErrCredentials,
}

// engineError wraps an engine error with the operation name and guarantees it
// matches exactly one sentinel: context expiry becomes ErrTimeout or
// ErrCanceled, an error matching one of knownSentinels keeps it, and an
// unclassified error becomes ErrDaemon.
func engineError(op string, ctx, callCtx context.Context, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, engine.ErrTimeout) || errors.Is(err, engine.ErrCanceled):
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(callCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("safedocker: %s: %w: %w", op, ErrTimeout, err)
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("safedocker: %s: %w: %w", op, ErrTimeout, err)
		}
		return fmt.Errorf("safedocker: %s: %w: %w", op, ErrCanceled, err)
	default:
		known := false
		for _, s := range knownSentinels {
			if errors.Is(err, s) {
				known = true
				break
			}
		}
		if !known {
			return fmt.Errorf("safedocker: %s: %w: %w", op, ErrDaemon, err)
		}
	}
	return &opError{op: op, err: err}
}

// opError prefixes an engine error with the operation, without repeating the
// package prefix the engine sentinels carry.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	return "safedocker: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "safedocker: ")
}

func (e *opError) Unwrap() error { return e.err }
