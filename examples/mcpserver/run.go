package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/ratelimit"
	"github.com/safedocker/safedocker/ratelimit/memorystore"
	"github.com/safedocker/safedocker/safedocker"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// listFlag collects a repeated string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// options are the parsed command-line flags.
type options struct {
	httpAddr         string
	tokenFile        string
	tlsCert, tlsKey  string
	host             string
	allowWrite       bool
	allowDestructive bool
	pullRegistries   listFlag
	ratePerMinute    int
	burst            int
	inflight         int
	globalPerMinute  int
	globalInflight   int
	maxList          int
	maxLogBytes      int64
	maxExecBytes     int64
	level            policy.Level
	allowBinds       listFlag
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mcpserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.httpAddr, "http", "", "serve the streamable HTTP transport on this address (e.g. 127.0.0.1:8080) instead of stdio")
	fs.StringVar(&o.tokenFile, "token-file", "", "file of accepted bearer tokens, one per line, mode 0600 (HTTP; default: $"+tokensEnv+", comma-separated)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate for HTTP (required off loopback)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "TLS private key for HTTP (required off loopback)")
	fs.StringVar(&o.host, "host", "", "Docker daemon address (default $DOCKER_HOST, else the local socket)")
	fs.BoolVar(&o.allowWrite, "allow-write", false, "offer the write tools (create, start, stop, restart, exec, pull, volume/network create, connect)")
	fs.BoolVar(&o.allowDestructive, "allow-destructive", false, "offer the destructive tools (remove containers, images, volumes, networks; kill)")
	fs.Var(&o.pullRegistries, "pull-registry", "registry host image_pull may use, e.g. docker.io (repeatable; default none)")
	fs.IntVar(&o.ratePerMinute, "rate", 120, "tool operations per minute per client")
	fs.IntVar(&o.burst, "burst", 20, "operations a client may make at once before the rate applies")
	fs.IntVar(&o.inflight, "inflight", 4, "operations one client may have running at once")
	fs.IntVar(&o.globalPerMinute, "global-rate", 1200, "operations per minute for all clients together")
	fs.IntVar(&o.globalInflight, "global-inflight", 32, "operations all clients may have running at once")
	fs.IntVar(&o.maxList, "max-list", 1000, "most items a list tool returns")
	fs.Int64Var(&o.maxLogBytes, "max-log-bytes", 256<<10, "most log bytes one call returns")
	fs.Int64Var(&o.maxExecBytes, "max-exec-bytes", 256<<10, "most bytes kept of each exec output stream")
	level := fs.String("level", "baseline", "policy level: baseline or restricted")
	fs.Var(&o.allowBinds, "allow-bind", "host directory under which container_create may bind-mount, read-only; append :rw to allow read-write (repeatable; default none; sensitive paths stay denied)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	// Only levels that run checks: this program never offers LevelPrivileged.
	switch strings.ToLower(*level) {
	case "baseline":
		o.level = policy.LevelBaseline
	case "restricted":
		o.level = policy.LevelRestricted
	default:
		return o, fmt.Errorf("-level %q: want baseline or restricted", *level)
	}
	if _, err := bindRoots(o.allowBinds); err != nil {
		return o, err
	}
	if o.httpAddr == "" && (o.tokenFile != "" || o.tlsCert != "" || o.tlsKey != "") {
		return o, errors.New("-token-file, -tls-cert and -tls-key apply to -http only")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return o, errors.New("-tls-cert and -tls-key go together")
	}
	if o.httpAddr != "" && o.tlsCert == "" && !isLoopback(o.httpAddr) {
		return o, fmt.Errorf("-http %s is not a loopback address: bearer tokens would cross the network in clear text; add -tls-cert and -tls-key", o.httpAddr)
	}
	return o, nil
}

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "mcpserver:", err)
		return exitUsage
	}
	// Audit events (the client's and the server's) go to stderr as JSON: on
	// stdio, stdout carries the protocol.
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	var tokens *tokenSet
	if o.httpAddr != "" {
		list, err := loadTokens(o.tokenFile, os.Getenv)
		if err == nil {
			tokens, err = newTokenSet(list)
		}
		if err != nil {
			fmt.Fprintf(stderr, "mcpserver: HTTP needs bearer tokens (-token-file or $%s): %v\n", tokensEnv, err)
			return exitUsage
		}
	}

	cfg := config{AllowWrite: o.allowWrite, AllowDestructive: o.allowDestructive, RequireToken: o.httpAddr != "", Logger: log}
	client, closeAll, err := newClient(o, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "mcpserver:", err)
		return exitUsage
	}
	defer closeAll()
	srv, err := newServer(cfg, client)
	if err != nil {
		fmt.Fprintln(stderr, "mcpserver:", err)
		return exitUsage
	}
	log.Info("mcpserver starting", slog.String("transport", transportName(o)),
		slog.String("grant", client.Grant().String()), slog.Int("tools", len(cfg.tools())))

	if o.httpAddr == "" {
		err = srv.Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(stdin), Writer: nopWriteCloser{stdout}})
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(stderr, "mcpserver:", err)
			return exitError
		}
		return exitOK
	}
	return serveHTTP(ctx, o, httpHandler(srv, tokens, log), stderr)
}

func transportName(o options) string {
	if o.httpAddr != "" {
		return "http " + o.httpAddr
	}
	return "stdio"
}

// newClient builds the safedocker client: the endpoint from DOCKER_HOST (or
// -host), exactly the capabilities of the offered tools, the per-client rate
// limiter on an in-memory store, output bounds and the audit logger.
func newClient(o options, cfg config, log *slog.Logger) (*safedocker.Client, func(), error) {
	lookup := func(k string) (string, bool) {
		if k == "DOCKER_HOST" && o.host != "" {
			return o.host, true
		}
		return os.LookupEnv(k)
	}
	// This program talks to the local daemon when DOCKER_HOST names a socket:
	// the acknowledgement is the operator's choice made by running it.
	ep, err := safedocker.EndpointFromEnvFunc(lookup, safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		return nil, nil, err
	}
	ev, err := newEvaluator(o, ep.Kind())
	if err != nil {
		return nil, nil, err
	}
	lim, store, err := newLimiter(o)
	if err != nil {
		return nil, nil, err
	}
	copts := []safedocker.Option{
		safedocker.WithCapabilities(cfg.capabilities()...),
		safedocker.WithPolicy(ev),
		safedocker.WithLimiter(lim),
		safedocker.WithLogger(log),
		safedocker.WithOutputBounds(safedocker.OutputBounds{ListItems: o.maxList, LogBytes: o.maxLogBytes, ExecOutput: o.maxExecBytes}),
	}
	if len(o.pullRegistries) > 0 {
		copts = append(copts, safedocker.WithImagePolicy(safedocker.ImagePolicy{Registries: o.pullRegistries}))
	}
	c, err := safedocker.New(ep, copts...)
	if err != nil {
		store.Close(context.Background())
		return nil, nil, err
	}
	return c, func() { c.Close(); store.Close(context.Background()) }, nil
}

// newEvaluator builds the policy from -level and -allow-bind. For a daemon on
// this host (a Unix socket) host paths are resolved through symlinks with
// safedocker.LocalPathResolver, so a link under an allowed directory cannot
// lead a bind elsewhere; a remote daemon's paths cannot be resolved here.
func newEvaluator(o options, kind safedocker.EndpointKind) (*policy.Evaluator, error) {
	roots, err := bindRoots(o.allowBinds)
	if err != nil {
		return nil, err
	}
	cfg := policy.Config{Level: o.level, Exceptions: policy.Exceptions{BindRoots: roots}}
	if kind == safedocker.EndpointKindUnixSocket {
		cfg.Paths = safedocker.LocalPathResolver()
	}
	ev, err := policy.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("-level/-allow-bind: %w", err)
	}
	return ev, nil
}

// bindRoots parses -allow-bind values: an absolute directory, read-only, or
// "DIR:rw" for read-write binds.
func bindRoots(flags []string) ([]policy.BindRoot, error) {
	var roots []policy.BindRoot
	for _, f := range flags {
		r := policy.BindRoot{Path: f}
		if p, ok := strings.CutSuffix(f, ":rw"); ok {
			r = policy.BindRoot{Path: p, Writable: true}
		}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("-allow-bind %q: %w", f, err)
		}
		roots = append(roots, r)
	}
	return roots, nil
}

// newLimiter returns the per-client limiter and its store.
func newLimiter(o options) (*ratelimit.Limiter, *memorystore.Store, error) {
	client, err := ratelimit.NewLimit(o.ratePerMinute, time.Minute, o.burst)
	if err != nil {
		return nil, nil, fmt.Errorf("-rate/-burst: %w", err)
	}
	global, err := ratelimit.NewLimit(o.globalPerMinute, time.Minute, max(o.burst, o.globalPerMinute/10))
	if err != nil {
		return nil, nil, fmt.Errorf("-global-rate: %w", err)
	}
	store, err := memorystore.New()
	if err != nil {
		return nil, nil, err
	}
	lim, err := ratelimit.New(store, client, ratelimit.WithGlobal(global),
		ratelimit.WithClientInFlight(o.inflight), ratelimit.WithGlobalInFlight(o.globalInflight))
	if err != nil {
		store.Close(context.Background())
		return nil, nil, err
	}
	return lim, store, nil
}

// serveHTTP serves h on o.httpAddr until ctx ends.
func serveHTTP(ctx context.Context, o options, h http.Handler, stderr io.Writer) int {
	ln, err := net.Listen("tcp", o.httpAddr)
	if err != nil {
		fmt.Fprintln(stderr, "mcpserver:", err)
		return exitUsage
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			errc <- hs.ServeTLS(ln, o.tlsCert, o.tlsKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = hs.Shutdown(sctx)
		cancel()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "mcpserver:", err)
		return exitError
	}
	return exitOK
}

// nopWriteCloser adds a no-op Close to a writer.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
