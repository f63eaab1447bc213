package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/safedocker/safedocker/safedocker"
)

// Server identity announced to MCP clients.
const (
	serverName    = "safedocker-mcp"
	serverVersion = "0.1.0"
)

// DefaultMaxResultBytes bounds the text of one tool result. Lists, logs and
// exec output are bounded by the client first; this is the last line.
const defaultMaxResultBytes = 512 << 10

// stdioClientID is the identity of the single client of the stdio transport.
const stdioClientID = "stdio"

// config says which tools the server offers and how it identifies callers.
type config struct {
	// AllowWrite offers the write tools (create, start, exec, pull...).
	AllowWrite bool
	// AllowDestructive offers the destructive tools (remove, kill).
	AllowDestructive bool
	// RequireToken makes every call carry a verified bearer-token identity
	// (the HTTP transport); a call without one is refused. When false, the
	// server has one client, the process on the other end of stdio.
	RequireToken bool
	// MaxResultBytes bounds the text of one tool result; 0 means
	// defaultMaxResultBytes.
	MaxResultBytes int
	// Logger receives one audit event per tool call (the safedocker client
	// logs its own pipeline events). Nil discards them.
	Logger *slog.Logger
}

// offers reports whether a tool of class c is offered under cfg.
func (cfg config) offers(c safedocker.SafetyClass) bool {
	switch c {
	case safedocker.ClassRead:
		return true
	case safedocker.ClassWrite:
		return cfg.AllowWrite
	case safedocker.ClassDestructive:
		return cfg.AllowDestructive
	}
	return false // unknown class: fail closed
}

// tools returns the specs of the tools cfg offers, in catalogue order.
func (cfg config) tools() []toolSpec {
	var out []toolSpec
	for _, t := range catalogue() {
		if cfg.offers(t.class) {
			out = append(out, t)
		}
	}
	return out
}

// capabilities returns exactly the capabilities the offered tools need.
func (cfg config) capabilities() []safedocker.Capability {
	var g safedocker.Grant
	for _, t := range cfg.tools() {
		g = g.Union(safedocker.NewGrant(t.cap))
	}
	return g.Capabilities()
}

// toolSpec describes one tool: its name and description for the model, the
// capability its safedocker operation needs, and its safety class. The class
// is the tool's own: it is at least the capability's class, and higher for a
// tool that loses state (kill is destructive although its capability is a
// write).
type toolSpec struct {
	name       string
	title      string
	desc       string
	cap        safedocker.Capability
	class      safedocker.SafetyClass
	idempotent bool
	register   func(s *server, spec toolSpec)
}

// server holds what the tool handlers share.
type server struct {
	cfg    config
	client *safedocker.Client
	log    *slog.Logger
	mcp    *mcp.Server
}

// newServer returns an MCP server offering the tools cfg allows, each backed by
// client narrowed to exactly the capabilities of those tools. It fails when
// client does not hold one of them.
func newServer(cfg config, client *safedocker.Client) (*mcp.Server, error) {
	if client == nil {
		return nil, errors.New("mcpserver: nil client")
	}
	if cfg.MaxResultBytes <= 0 {
		cfg.MaxResultBytes = defaultMaxResultBytes
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	narrowed, err := client.Narrow(cfg.capabilities()...)
	if err != nil {
		return nil, fmt.Errorf("mcpserver: narrowing the client: %w", err)
	}
	s := &server{cfg: cfg, client: narrowed, log: log}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: serverName, Version: serverVersion}, &mcp.ServerOptions{
		Instructions: instructions(cfg),
		// No logging capability: the audit log stays on the server side.
		Capabilities: &mcp.ServerCapabilities{},
	})
	for _, t := range cfg.tools() {
		t.register(s, t)
	}
	return s.mcp, nil
}

// instructions tells the model what the server offers and how denials read.
func instructions(cfg config) string {
	var b strings.Builder
	b.WriteString("Docker tools checked by the safedocker policy. ")
	switch {
	case cfg.AllowWrite && cfg.AllowDestructive:
		b.WriteString("Read, write and destructive tools are enabled. ")
	case cfg.AllowWrite:
		b.WriteString("Read and write tools are enabled; nothing can be removed. ")
	case cfg.AllowDestructive:
		b.WriteString("Read and destructive tools are enabled; nothing can be created. ")
	default:
		b.WriteString("Only read tools are enabled. ")
	}
	b.WriteString("A request the policy denies returns an error listing each finding " +
		"(check, field, fix): change the request accordingly instead of retrying it unchanged. " +
		"Privileged containers, host namespaces, added capabilities and host-path binds of " +
		"system locations are never allowed.")
	return b.String()
}

// handler is the body of a tool: one safedocker operation on the server's
// narrowed client. Its result is marshalled to JSON for the model.
type handler[In any] func(ctx context.Context, c *safedocker.Client, in In) (any, error)

// reg returns a toolSpec.register function adding fn as a typed tool: the SDK
// derives the input schema from In (unknown properties are refused) and
// validates arguments before fn runs.
func reg[In any](fn handler[In]) func(*server, toolSpec) {
	return func(s *server, spec toolSpec) {
		readOnly := spec.class == safedocker.ClassRead
		destructive := spec.class == safedocker.ClassDestructive
		openWorld := spec.cap == safedocker.CapImagePull
		t := &mcp.Tool{
			Name:        spec.name,
			Title:       spec.title,
			Description: fmt.Sprintf("%s [safety class: %s; capability: %s]", spec.desc, spec.class, spec.cap),
			Annotations: &mcp.ToolAnnotations{
				Title:           spec.title,
				ReadOnlyHint:    readOnly,
				DestructiveHint: &destructive,
				IdempotentHint:  spec.idempotent || readOnly,
				OpenWorldHint:   &openWorld,
			},
		}
		mcp.AddTool(s.mcp, t, func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
			return s.call(ctx, req, spec, func(ctx context.Context) (any, error) {
				return fn(ctx, s.client, in)
			}), nil, nil
		})
	}
}

// errNoIdentity is returned for a call that must carry a verified token
// identity and does not.
var errNoIdentity = errors.New("mcpserver: no authenticated identity")

// identity returns the caller's identity: the verified token's identity on
// HTTP, the stdio client otherwise. It is decided by the transport the server
// was configured for, never inferred from a missing field.
func (s *server) identity(req *mcp.CallToolRequest) (string, error) {
	if !s.cfg.RequireToken {
		return stdioClientID, nil
	}
	if req == nil || req.Extra == nil || req.Extra.TokenInfo == nil || req.Extra.TokenInfo.UserID == "" {
		return "", errNoIdentity
	}
	return req.Extra.TokenInfo.UserID, nil
}

// call runs one tool call: identity, the operation, the audit event, and the
// conversion of its outcome into a tool result.
func (s *server) call(ctx context.Context, req *mcp.CallToolRequest, spec toolSpec, op func(context.Context) (any, error)) *mcp.CallToolResult {
	start := time.Now()
	id, err := s.identity(req)
	var out any
	if err == nil {
		out, err = op(safedocker.WithClientID(ctx, id))
	}
	outcome, class := "ok", ""
	if err != nil {
		outcome, class = "error", errorClass(err)
		if class == "policy" || class == "capability" || class == "ratelimit" || class == "validation" || class == "unauthenticated" {
			outcome = "denied"
		}
	}
	attrs := []slog.Attr{
		slog.String("event", "tool_call"),
		slog.String("tool", spec.name),
		slog.String("client", id),
		slog.String("class", spec.class.String()),
		slog.String("outcome", outcome),
		slog.Duration("duration", time.Since(start)),
	}
	lvl := slog.LevelInfo
	if err != nil {
		lvl = slog.LevelWarn
		attrs = append(attrs, slog.String("error_class", class))
	}
	s.log.LogAttrs(ctx, lvl, "mcp tool call", attrs...)
	if err != nil {
		return toolError(err)
	}
	return s.result(out)
}

// result converts a handler's output into a tool result: JSON text for the
// model and the same value as structured content, unless the text exceeds
// the result bound, in which case the text is cut (on a rune boundary) and
// marked, and no structured content is sent.
func (s *server) result(out any) *mcp.CallToolResult {
	b, err := json.Marshal(out)
	if err != nil {
		return toolError(fmt.Errorf("encoding the result: %w", err))
	}
	if len(b) <= s.cfg.MaxResultBytes {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}
	}
	cut := s.cfg.MaxResultBytes
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	text := string(b[:cut]) + fmt.Sprintf("\n[result truncated: %d of %d bytes shown; narrow the request (limit, tail, filters)]", cut, len(b))
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
}

// errorClass names the kind of err for audit events and tool errors.
func errorClass(err error) string {
	switch {
	case errors.Is(err, errNoIdentity):
		return "unauthenticated"
	case errors.Is(err, safedocker.ErrPolicyViolation):
		return "policy"
	case errors.Is(err, safedocker.ErrCapabilityDenied):
		return "capability"
	case errors.Is(err, safedocker.ErrRateLimited):
		return "ratelimit"
	case errors.Is(err, safedocker.ErrInvalidInput):
		return "validation"
	case errors.Is(err, safedocker.ErrNotFound):
		return "not_found"
	case errors.Is(err, safedocker.ErrConflict):
		return "conflict"
	case errors.Is(err, safedocker.ErrTimeout):
		return "timeout"
	case errors.Is(err, safedocker.ErrCanceled):
		return "canceled"
	case errors.Is(err, safedocker.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, safedocker.ErrForbidden):
		return "forbidden"
	case errors.Is(err, safedocker.ErrRejected):
		return "rejected"
	case errors.Is(err, safedocker.ErrCredentials):
		return "credentials"
	}
	return "error"
}

// maxErrorText bounds the error text returned to the model.
const maxErrorText = 4096

// findingOut is one policy finding as the model sees it.
type findingOut struct {
	Check       string `json:"check"`
	Field       string `json:"field"`
	Value       string `json:"value,omitempty"`
	Reason      string `json:"reason"`
	Remediation string `json:"remediation"`
}

// errorOut is the structured content of a tool error.
type errorOut struct {
	Error      string       `json:"error"`
	Op         string       `json:"op,omitempty"`
	Message    string       `json:"message"`
	Findings   []findingOut `json:"findings,omitempty"`
	RetryAfter string       `json:"retry_after,omitempty"`
}

// toolError turns err into an IsError result the model can act on: what was
// refused, by which check and field, and how to fix the request. Messages come
// from safedocker's typed errors, which never carry secrets or env values.
func toolError(err error) *mcp.CallToolResult {
	out := errorOut{Error: errorClass(err)}
	var b strings.Builder
	var pe *safedocker.PolicyError
	var ve *safedocker.ValidationError
	var ce *safedocker.CapabilityError
	var re *safedocker.RateLimitError
	switch {
	case errors.As(err, &pe):
		out.Op = pe.Op
		fmt.Fprintf(&b, "Denied by the safedocker policy (%s): %d finding(s). Nothing was sent to Docker. "+
			"Change the request as each fix says, then retry:", pe.Op, len(pe.Findings))
		for i, f := range pe.Findings {
			out.Findings = append(out.Findings, findingOut{Check: string(f.Check), Field: f.Field, Value: f.Value,
				Reason: f.Reason, Remediation: f.Remediation})
			fmt.Fprintf(&b, "\n%d. check %q, field %s", i+1, f.Check, f.Field)
			if f.Value != "" {
				fmt.Fprintf(&b, " (value %q)", truncate(f.Value, 128))
			}
			fmt.Fprintf(&b, ": %s", f.Reason)
			if f.Remediation != "" {
				fmt.Fprintf(&b, " Fix: %s", f.Remediation)
			}
		}
		out.Message = "denied by policy"
	case errors.As(err, &ve):
		out.Op = ve.Op
		fmt.Fprintf(&b, "Invalid argument %s: %s. Nothing was sent to Docker; correct the argument and retry.", ve.Field, ve.Reason)
	case errors.As(err, &ce):
		out.Op = ce.Op
		fmt.Fprintf(&b, "Not permitted: this server was not granted %s (%s). The operator must enable it; do not retry.",
			ce.Capability, ce.Capability.Class())
	case errors.As(err, &re):
		out.Op = re.Op
		fmt.Fprintf(&b, "Rate limited (%s limit).", re.Scope)
		if re.RetryAfter > 0 {
			out.RetryAfter = re.RetryAfter.String()
			fmt.Fprintf(&b, " Retry after %s.", re.RetryAfter.Round(time.Millisecond))
		}
	case errors.Is(err, errNoIdentity):
		b.WriteString("Not authenticated: the call carries no verified bearer token.")
	case errors.Is(err, safedocker.ErrNotFound):
		fmt.Fprintf(&b, "Not found: %s. List the objects (container_list, image_list...) to find the right name or ID.", err)
	default:
		b.WriteString(err.Error())
	}
	msg := truncate(b.String(), maxErrorText)
	if out.Message == "" {
		out.Message = msg
	}
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: msg}}, IsError: true}
	if sc, err := json.Marshal(out); err == nil && len(sc) <= 4*maxErrorText {
		res.StructuredContent = json.RawMessage(sc)
	}
	return res
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
