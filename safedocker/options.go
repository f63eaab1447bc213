package safedocker

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/safedocker/safedocker/policy"
)

// Option configures a Client built by New. The set of options is sealed: only
// this package can create them. Options only record intent; New checks them
// all and returns an error for invalid values or conflicting options, whatever
// their order.
type Option interface {
	apply(*options) error
}

type optionFunc func(*options) error

func (f optionFunc) apply(o *options) error { return f(o) }

// options is the resolved configuration of New.
type options struct {
	grant      Grant
	grantSet   bool
	policy     *policy.Evaluator
	paths      policy.PathResolver
	limiter    Limiter
	logger     *slog.Logger
	deadlines  Deadlines
	bounds     OutputBounds
	apiVersion string
	// ops holds the settings of the operation groups added in their own files
	// (images, networks, ...); the Client keeps a copy.
	ops opsSettings
}

// opsSettings are the compiled settings of the operation groups. Their zero
// values are the documented defaults of the matching With...Policy options.
type opsSettings struct {
	networks networkRules
	images   imageRules
}

// Deadlines are the default deadlines of operations by class. A deadline
// applies on top of the caller's context: whichever ends first wins. A zero
// field keeps its default.
type Deadlines struct {
	// Read bounds read operations (list, inspect, stats, ping). Default 30s.
	Read time.Duration
	// Write bounds write operations (create, start, stop, exec). Default 2m.
	Write time.Duration
	// Destructive bounds destructive operations (remove). Default 2m.
	Destructive time.Duration
	// Long bounds long-running operations: wait, logs with follow, pull.
	// Default 10m.
	Long time.Duration
}

// DefaultDeadlines returns the default per-class deadlines.
func DefaultDeadlines() Deadlines {
	return Deadlines{Read: 30 * time.Second, Write: 2 * time.Minute, Destructive: 2 * time.Minute, Long: 10 * time.Minute}
}

// OutputBounds bound what operations return. A zero field keeps its default.
type OutputBounds struct {
	// LogBytes bounds the bytes of logs one call returns (stdout and stderr
	// together). Default 1 MiB; at most MaxOutputBytes.
	LogBytes int64
	// LogTail bounds the number of log lines one call asks for. Default 1000.
	LogTail int
	// ListItems bounds the number of items a list returns. Default 1000.
	ListItems int
	// ExecOutput bounds the bytes of each output stream of an exec. Default 1 MiB;
	// at most MaxOutputBytes.
	ExecOutput int64
}

// MaxOutputBytes is the largest byte bound OutputBounds accepts.
const MaxOutputBytes = 64 << 20

// MaxListItems is the largest list bound OutputBounds accepts.
const MaxListItems = 100000

// DefaultOutputBounds returns the default output bounds.
func DefaultOutputBounds() OutputBounds {
	return OutputBounds{LogBytes: 1 << 20, LogTail: 1000, ListItems: 1000, ExecOutput: 1 << 20}
}

// WithCapabilities grants caps to the client, in addition to capabilities
// granted by earlier WithCapabilities or WithGrant options. The default grant is
// empty: a client built without this option can do nothing. Unknown
// capabilities make New fail.
func WithCapabilities(caps ...Capability) Option {
	return optionFunc(func(o *options) error {
		for _, c := range caps {
			if !c.Valid() {
				return &ValidationError{Field: "WithCapabilities", Reason: fmt.Sprintf("unknown capability %s", c)}
			}
		}
		o.grant = o.grant.Union(NewGrant(caps...))
		o.grantSet = true
		return nil
	})
}

// WithGrant grants every capability of g, in addition to capabilities granted
// by other options.
func WithGrant(g Grant) Option {
	return optionFunc(func(o *options) error {
		o.grant = o.grant.Union(g)
		o.grantSet = true
		return nil
	})
}

// WithLimiter sets the rate limiter consulted by every operation (step 2 of the
// pipeline). The default is no limiter. With a limiter, every operation needs a
// client identity in its context (WithClientID). A nil limiter makes New fail.
func WithLimiter(l Limiter) Option {
	return optionFunc(func(o *options) error {
		if l == nil {
			return &ValidationError{Field: "WithLimiter", Reason: "nil limiter"}
		}
		o.limiter = l
		return nil
	})
}

// WithLogger sets the logger that receives audit events. The default is
// slog.Default(). A nil logger makes New fail; to discard events pass a logger
// with a discarding handler.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) error {
		if l == nil {
			return &ValidationError{Field: "WithLogger", Reason: "nil logger"}
		}
		o.logger = l
		return nil
	})
}

// WithDeadlines overrides the default per-class deadlines (DefaultDeadlines);
// zero fields keep their defaults. Negative deadlines make New fail.
func WithDeadlines(d Deadlines) Option {
	return optionFunc(func(o *options) error {
		for name, v := range map[string]time.Duration{"Read": d.Read, "Write": d.Write, "Destructive": d.Destructive, "Long": d.Long} {
			if v < 0 {
				return &ValidationError{Field: "WithDeadlines." + name, Reason: "negative deadline"}
			}
		}
		if d.Read > 0 {
			o.deadlines.Read = d.Read
		}
		if d.Write > 0 {
			o.deadlines.Write = d.Write
		}
		if d.Destructive > 0 {
			o.deadlines.Destructive = d.Destructive
		}
		if d.Long > 0 {
			o.deadlines.Long = d.Long
		}
		return nil
	})
}

// WithOutputBounds overrides the default output bounds (DefaultOutputBounds);
// zero fields keep their defaults. Negative values, or values above
// MaxOutputBytes or MaxListItems, make New fail.
func WithOutputBounds(b OutputBounds) Option {
	return optionFunc(func(o *options) error {
		check := func(field string, v, limit int64) error {
			if v < 0 || v > limit {
				return &ValidationError{Field: "WithOutputBounds." + field, Reason: fmt.Sprintf("must be between 0 and %d", limit)}
			}
			return nil
		}
		if err := errors.Join(
			check("LogBytes", b.LogBytes, MaxOutputBytes),
			check("LogTail", int64(b.LogTail), MaxListItems),
			check("ListItems", int64(b.ListItems), MaxListItems),
			check("ExecOutput", b.ExecOutput, MaxOutputBytes),
		); err != nil {
			return err
		}
		if b.LogBytes > 0 {
			o.bounds.LogBytes = b.LogBytes
		}
		if b.LogTail > 0 {
			o.bounds.LogTail = b.LogTail
		}
		if b.ListItems > 0 {
			o.bounds.ListItems = b.ListItems
		}
		if b.ExecOutput > 0 {
			o.bounds.ExecOutput = b.ExecOutput
		}
		return nil
	})
}

var apiVersionRE = regexp.MustCompile(`^1\.[0-9]{2}$`)

// WithAPIVersion pins the Engine API version ("1.41") instead of negotiating
// it with the daemon on the first request, which is the default. A malformed
// version makes New fail.
func WithAPIVersion(v string) Option {
	return optionFunc(func(o *options) error {
		if !apiVersionRE.MatchString(v) {
			return &ValidationError{Field: "WithAPIVersion", Reason: fmt.Sprintf("%q is not an API version like 1.41", truncate(v, 16))}
		}
		o.apiVersion = v
		return nil
	})
}

// WithPolicy sets the evaluator that judges requests (step 4 of the pipeline).
// The default is policy.New with a zero Config: LevelBaseline, the latest
// check-set version, no exceptions, and for a Unix-socket endpoint
// LocalPathResolver as its Paths.
//
// The evaluator is used as is: New adds no path resolver to it, whatever the
// endpoint. For a daemon on this host (a Unix-socket endpoint), build it with
// policy.Config{Paths: safedocker.LocalPathResolver(), ...}; without Paths,
// bind-mount sources and device paths are judged by their spelling and a
// symlink under an allowed bind root is not followed. For a remote daemon
// leave Paths nil. A nil evaluator, or combining WithPolicy with
// WithHostPathResolver (configure Paths in the evaluator's Config instead),
// makes New fail.
func WithPolicy(ev *policy.Evaluator) Option {
	return optionFunc(func(o *options) error {
		if ev == nil {
			return &ValidationError{Field: "WithPolicy", Reason: "nil evaluator"}
		}
		o.policy = ev
		return nil
	})
}

// WithHostPathResolver sets the resolver the default policy uses to follow
// symlinks in bind-mount sources and device paths. It only makes sense when the
// daemon runs on this host. The default is LocalPathResolver for Unix-socket
// endpoints and none for TLS endpoints (a remote host's paths cannot be
// resolved here). It applies to the default policy only: with WithPolicy, set
// Paths in the evaluator's Config. A nil resolver makes New fail.
func WithHostPathResolver(r policy.PathResolver) Option {
	return optionFunc(func(o *options) error {
		if r == nil {
			return &ValidationError{Field: "WithHostPathResolver", Reason: "nil resolver"}
		}
		o.paths = r
		return nil
	})
}

// resolveOptions applies opts over the defaults.
func resolveOptions(opts []Option) (options, error) {
	o := options{deadlines: DefaultDeadlines(), bounds: DefaultOutputBounds()}
	var errs []error
	for i, opt := range opts {
		if opt == nil {
			errs = append(errs, &ValidationError{Field: fmt.Sprintf("options[%d]", i), Reason: "nil option"})
			continue
		}
		if err := opt.apply(&o); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return options{}, errors.Join(errs...)
	}
	if o.policy != nil && o.paths != nil {
		return options{}, &ValidationError{Field: "WithHostPathResolver",
			Reason: "conflicts with WithPolicy: set Paths in the evaluator's policy.Config"}
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o, nil
}
