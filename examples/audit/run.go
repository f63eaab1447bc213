package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/safedocker"
)

// Exit statuses.
const (
	exitClean     = 0
	exitViolation = 1
	exitError     = 2
)

// listFlag collects a repeated string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// options are the parsed flags.
type options struct {
	format string
	level  policy.Level
	all    bool
	labels listFlag
	host   string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var level string
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	fs.StringVar(&level, "level", "baseline", "policy level: baseline or restricted")
	fs.BoolVar(&o.all, "all", false, "include stopped containers")
	fs.Var(&o.labels, "label", "audit only containers with this label, key or key=value (repeatable; all must match)")
	fs.StringVar(&o.host, "host", "", "Docker daemon address (default $DOCKER_HOST, else the local socket)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.format != "text" && o.format != "json" {
		return o, fmt.Errorf("-format %q: want text or json", o.format)
	}
	// Only levels that run checks: an audit at LevelPrivileged would pass everything.
	switch strings.ToLower(level) {
	case "baseline":
		o.level = policy.LevelBaseline
	case "restricted":
		o.level = policy.LevelRestricted
	default:
		return o, fmt.Errorf("-level %q: want baseline or restricted", level)
	}
	return o, nil
}

// auditClient is what the audit needs of a client: container reads, which
// include judging a container.
type auditClient = safedocker.ContainerReader

// finding is one policy finding in the report.
type finding struct {
	Check       string `json:"check"`
	Field       string `json:"field"`
	Value       string `json:"value,omitempty"`
	Reason      string `json:"reason"`
	Remediation string `json:"remediation"`
}

// containerReport is the verdict on one container.
type containerReport struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Image    string    `json:"image"`
	State    string    `json:"state"`
	Allowed  bool      `json:"allowed"`
	Findings []finding `json:"findings"`
}

// report is the whole audit.
type report struct {
	Level      string            `json:"level"`
	All        bool              `json:"all"`
	Audited    int               `json:"audited"`
	Violating  int               `json:"violating"`
	Containers []containerReport `json:"containers"`
	Errors     []string          `json:"errors"`
}

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		fmt.Fprintln(stderr, "audit:", err)
		return exitError
	}
	client, err := newClient(o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "audit:", err)
		return exitError
	}
	defer client.Close()
	rep, err := audit(ctx, client, o)
	if err != nil {
		fmt.Fprintln(stderr, "audit:", err)
		return exitError
	}
	if err := write(stdout, o.format, rep); err != nil {
		fmt.Fprintln(stderr, "audit:", err)
		return exitError
	}
	switch {
	case len(rep.Errors) > 0:
		for _, e := range rep.Errors {
			fmt.Fprintln(stderr, "audit:", e)
		}
		return exitError
	case rep.Violating > 0:
		return exitViolation
	}
	return exitClean
}

// newClient connects to the daemon with the container-read capability only
// (the audit never changes anything) and the policy at o.level. Host paths are
// not resolved: the policy has no path resolver. The library's audit events go
// to stderr, denials and failures only.
func newClient(o options, stderr io.Writer) (*safedocker.Client, error) {
	ev, err := policy.New(policy.Config{Level: o.level})
	if err != nil {
		return nil, err
	}
	lookup := func(k string) (string, bool) {
		if k == "DOCKER_HOST" && o.host != "" {
			return o.host, true
		}
		return os.LookupEnv(k)
	}
	ep, err := safedocker.EndpointFromEnvFunc(lookup, safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return safedocker.New(ep,
		safedocker.WithCapabilities(safedocker.CapContainerRead),
		safedocker.WithPolicy(ev),
		safedocker.WithLogger(log),
		safedocker.WithOutputBounds(safedocker.OutputBounds{ListItems: safedocker.MaxListItems}))
}

// audit lists the selected containers and has the client judge each one
// (safedocker's JudgeContainer: the daemon's view of its configuration, as a
// start would judge it). A container that disappears between the list and its
// judgement is skipped; any other failure is recorded in the report's errors.
func audit(ctx context.Context, c auditClient, o options) (report, error) {
	rep := report{Level: o.level.String(), All: o.all, Containers: []containerReport{}, Errors: []string{}}
	filters := map[string][]string{}
	if len(o.labels) > 0 {
		filters["label"] = o.labels
	}
	list, err := c.ListContainers(ctx, safedocker.ListOptions{All: o.all, Limit: safedocker.MaxListItems, Filters: filters})
	if err != nil {
		return rep, fmt.Errorf("listing containers: %w", err)
	}
	if list.Truncated {
		rep.Errors = append(rep.Errors, fmt.Sprintf("more than %d containers: only the first %d were audited; narrow with -label", len(list.Containers), len(list.Containers)))
	}
	for _, s := range list.Containers {
		d, err := c.JudgeContainer(ctx, s.ID)
		if errors.Is(err, safedocker.ErrNotFound) {
			continue // removed since the list
		}
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("judging %s: %v", shortID(s.ID), err))
			continue
		}
		cr := containerReport{ID: s.ID, Image: s.Image, State: s.State, Allowed: d.Allowed, Findings: []finding{}}
		if len(s.Names) > 0 {
			cr.Name = strings.TrimPrefix(s.Names[0], "/")
		}
		for _, f := range d.Findings {
			cr.Findings = append(cr.Findings, finding{Check: string(f.Check), Field: f.Field, Value: f.Value,
				Reason: f.Reason, Remediation: f.Remediation})
		}
		rep.Containers = append(rep.Containers, cr)
		rep.Audited++
		if !cr.Allowed {
			rep.Violating++
		}
	}
	slices.SortFunc(rep.Containers, func(a, b containerReport) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return rep, nil
}

// write prints rep in format.
func write(w io.Writer, format string, rep report) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var b strings.Builder
	for _, c := range rep.Containers {
		verdict := "ALLOW"
		if !c.Allowed {
			verdict = "DENY "
		}
		fmt.Fprintf(&b, "%s  %s (%s) image %s, %s\n", verdict, c.Name, shortID(c.ID), c.Image, c.State)
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "       [%s] %s", f.Check, f.Field)
			if f.Value != "" {
				fmt.Fprintf(&b, " = %q", f.Value)
			}
			fmt.Fprintf(&b, ": %s\n", f.Reason)
			if f.Remediation != "" {
				fmt.Fprintf(&b, "         fix: %s\n", f.Remediation)
			}
		}
	}
	scope := "running containers"
	if rep.All {
		scope = "containers"
	}
	fmt.Fprintf(&b, "audited %d %s at %s: %d violate the policy", rep.Audited, scope, rep.Level, rep.Violating)
	if len(rep.Errors) > 0 {
		fmt.Fprintf(&b, ", %d error(s): the audit is incomplete", len(rep.Errors))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// shortID returns the first 12 characters of a container ID.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
