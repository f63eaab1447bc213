package safedocker_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/safedocker/safedocker/safedocker"
)

// Example creates, runs and removes a hardened container through the local
// daemon's socket, after showing that a privileged request is refused. It
// needs a daemon, so it has no Output comment and only compiles in tests.
func Example() {
	ep, err := safedocker.UnixSocketEndpoint("/var/run/docker.sock", safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		log.Fatal(err)
	}
	c, err := safedocker.New(ep,
		safedocker.WithCapabilities(
			safedocker.CapContainerCreate, safedocker.CapContainerStart, safedocker.CapContainerWait,
			safedocker.CapContainerLogs, safedocker.CapContainerRemove, safedocker.CapSystemRead),
		safedocker.WithLogger(slog.New(slog.NewJSONHandler(os.Stderr, nil))),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := safedocker.WithClientID(context.Background(), "example")
	if _, err := c.Ping(ctx); err != nil {
		log.Fatal(err)
	}

	// Denied before any request reaches the daemon, with every finding.
	_, err = c.NewContainer("alpine:3").WithPrivileged(true).Create(ctx)
	var pe *safedocker.PolicyError
	if errors.As(err, &pe) {
		for _, f := range pe.Findings {
			fmt.Println("denied:", f)
		}
	}

	// The builder's defaults (no-new-privileges, memory and pids limits, an
	// init process) plus a few more hardening settings.
	created, err := c.NewContainer("alpine:3").
		WithCommand("echo", "hello").
		WithReadOnlyRootfs(true).
		WithCapDrop("ALL").
		WithUser("65534:65534").
		Create(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer c.RemoveContainer(ctx, created.ID, safedocker.RemoveOptions{Force: true})
	if err := c.StartContainer(ctx, created.ID); err != nil {
		log.Fatal(err)
	}
	if _, err := c.WaitContainer(ctx, created.ID, safedocker.WaitNotRunning); err != nil {
		log.Fatal(err)
	}
	logs, err := c.ContainerLogs(ctx, created.ID, safedocker.LogsOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(logs.Stdout))
}

// ExampleClient_Narrow hands a component a client that can only read logs.
func ExampleClient_Narrow() {
	var c *safedocker.Client // from safedocker.New, holding CapContainerLogs among others
	if c == nil {
		return
	}
	logsOnly, err := c.Narrow(safedocker.CapContainerLogs)
	if err != nil {
		log.Fatal(err)
	}
	var reader safedocker.ContainerLogReader = logsOnly
	_ = reader // the component can read logs, and nothing else
}
