package safedocker_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/safedocker"
)

// TestIntegrationListContainersRunningOnly proves the zero ListOptions lists
// running containers only, whatever the limit: the Engine API's "limit"
// parameter also selects stopped containers, so the client must not send it
// without All.
func TestIntegrationListContainersRunningOnly(t *testing.T) {
	sock := dockertest.RequireDaemon(t)
	img := dockertest.TinyImage(t)
	c := socketClient(t, sock, safedocker.WithCapabilities(containerGrant...),
		safedocker.WithLogger(slog.New(slog.DiscardHandler)))
	ctx := t.Context()
	label := dockertest.Name(t, "list")
	create := func(kind string, cmd ...string) string {
		t.Helper()
		created, err := c.NewContainer(img).WithName(dockertest.Name(t, kind)).WithCommand(cmd...).
			WithLabel(label, kind).Create(ctx)
		if err != nil {
			t.Fatalf("create %s: %v", kind, err)
		}
		t.Cleanup(func() {
			_ = c.RemoveContainer(context.Background(), created.ID, safedocker.RemoveOptions{Force: true})
		})
		return created.ID
	}
	running := create("running", "sleep", "5m")
	stopped := create("stopped", "print", "done")
	for _, id := range []string{running, stopped} {
		if err := c.StartContainer(ctx, id); err != nil {
			t.Fatalf("start: %v", err)
		}
	}
	if _, err := c.WaitContainer(ctx, stopped, safedocker.WaitNotRunning); err != nil {
		t.Fatalf("wait: %v", err)
	}
	byLabel := map[string][]string{"label": {label}}

	for _, limit := range []int{0, 1, 2, 10} {
		list, err := c.ListContainers(ctx, safedocker.ListOptions{Limit: limit, Filters: byLabel})
		if err != nil {
			t.Fatalf("list (limit %d): %v", limit, err)
		}
		if len(list.Containers) != 1 || list.Containers[0].ID != running || list.Truncated {
			t.Errorf("running containers (limit %d) = %+v, want only %s", limit, list, running[:12])
		}
	}
	all, err := c.ListContainers(ctx, safedocker.ListOptions{All: true, Filters: byLabel})
	if err != nil || len(all.Containers) != 2 || all.Truncated {
		t.Fatalf("all containers = %+v, %v; want both", all, err)
	}
	one, err := c.ListContainers(ctx, safedocker.ListOptions{All: true, Limit: 1, Filters: byLabel})
	if err != nil || len(one.Containers) != 1 || !one.Truncated {
		t.Fatalf("all containers, limit 1 = %+v, %v; want one, truncated", one, err)
	}
}
