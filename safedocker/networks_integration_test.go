package safedocker_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/internal/dockertest"
	"github.com/safedocker/safedocker/safedocker"
)

func TestNetworksLive(t *testing.T) {
	l := newOpsLive(t, safedocker.WithNetworkPolicy(safedocker.NetworkPolicy{Subnets: []string{"10.231.0.0/16"}}))
	ctx := opsCtx(t)
	name := dockertest.Name(t, "net")
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/networks/"+name, nil) })

	res, err := l.c.CreateNetwork(ctx, name, safedocker.NetworkCreateOptions{
		Internal: true,
		Options:  map[string]string{"com.docker.network.bridge.enable_icc": "true"},
		Labels:   map[string]string{"team": "ops"},
		IPAM:     []safedocker.IPAMPool{{Subnet: "10.231.7.0/24", Gateway: "10.231.7.1"}},
	})
	if err != nil || res.ID == "" {
		t.Fatalf("CreateNetwork = %+v, %v", res, err)
	}
	n, err := l.c.InspectNetwork(ctx, name)
	if err != nil || n.ID != res.ID || n.Driver != "bridge" || !n.Internal || len(n.IPAM) != 1 || n.IPAM[0].Subnet != "10.231.7.0/24" {
		t.Fatalf("InspectNetwork = %+v, %v", n, err)
	}
	list, err := l.c.ListNetworks(ctx, safedocker.NetworkListOptions{Name: name, Labels: []string{"team=ops"}})
	if err != nil || len(list.Networks) != 1 || list.Networks[0].ID != res.ID {
		t.Fatalf("ListNetworks = %+v, %v", list, err)
	}

	ctr := l.runTiny(t)
	if err := l.c.ConnectNetwork(ctx, name, ctr, safedocker.NetworkConnectOptions{Aliases: []string{"svc"}, IPv4Address: "10.231.7.20"}); err != nil {
		t.Fatal(err)
	}
	if n, err = l.c.InspectNetwork(ctx, name); err != nil || len(n.Containers) != 1 {
		t.Fatalf("after connect: %+v, %v", n, err)
	}
	if err := l.c.DisconnectNetwork(ctx, name, ctr, safedocker.NetworkDisconnectOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err = l.c.InspectNetwork(ctx, name); err != nil || len(n.Containers) != 0 {
		t.Fatalf("after disconnect: %+v, %v", n, err)
	}
	if err := l.c.RemoveNetwork(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := l.c.InspectNetwork(ctx, name); !errorsIs(err, safedocker.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
	for _, op := range []string{"network.create", "network.inspect", "network.list", "network.connect", "network.disconnect", "network.remove"} {
		if evs := l.auditEvents(t, op); len(evs) < 2 || evs[0]["verdict"] != "allow" {
			t.Fatalf("%s audit %v", op, evs)
		}
	}
}

func TestNetworkDenialsLive(t *testing.T) {
	l := newOpsLive(t)
	ctx := opsCtx(t)
	ctr := l.runTiny(t)
	name := dockertest.Name(t, "net")
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/networks/"+name, nil) })

	for desc, opts := range map[string]safedocker.NetworkCreateOptions{
		"host driver":           {Driver: "host"},
		"null driver":           {Driver: "null"},
		"macvlan":               {Driver: "macvlan", Options: map[string]string{"parent": "eth0"}},
		"ipvlan":                {Driver: "ipvlan", Options: map[string]string{"parent": "eth0"}},
		"plugin driver":         {Driver: "weaveworks/net-plugin:latest"},
		"adopt a host bridge":   {Options: map[string]string{"com.docker.network.bridge.name": "docker0"}},
		"unprotected gateway":   {Options: map[string]string{"com.docker.network.bridge.gateway_mode_ipv4": "nat-unprotected"}},
		"subnet over the LAN":   {IPAM: []safedocker.IPAMPool{{Subnet: "192.168.0.0/16"}}},
		"subnet over the world": {IPAM: []safedocker.IPAMPool{{Subnet: "0.0.0.0/1"}}},
	} {
		t.Run("create "+desc, func(t *testing.T) {
			l.denied(t, safedocker.ErrPolicyViolation, func() error {
				_, err := l.c.CreateNetwork(ctx, name, opts)
				return err
			})
		})
	}
	for _, nw := range []string{"host", "none"} {
		t.Run("connect to "+nw, func(t *testing.T) {
			l.denied(t, safedocker.ErrPolicyViolation, func() error {
				return l.c.ConnectNetwork(ctx, nw, ctr, safedocker.NetworkConnectOptions{})
			})
		})
		t.Run("disconnect from "+nw, func(t *testing.T) {
			l.denied(t, safedocker.ErrPolicyViolation, func() error {
				return l.c.DisconnectNetwork(ctx, nw, ctr, safedocker.NetworkDisconnectOptions{})
			})
		})
	}

	// The host network named by its ID: only the inspect (a read) reaches the
	// daemon; its driver denies the connect.
	st, b := l.rawDo(t, http.MethodGet, "/networks/host", nil)
	var host struct{ ID string }
	if st != http.StatusOK || json.Unmarshal(b, &host) != nil || host.ID == "" {
		t.Fatalf("inspect host network: %d %s", st, b)
	}
	t.Run("connect to the host network by ID", func(t *testing.T) {
		l.deniedAfterReads(t, safedocker.ErrPolicyViolation, func() error {
			return l.c.ConnectNetwork(ctx, host.ID, ctr, safedocker.NetworkConnectOptions{})
		})
	})

	// A network created outside the library that adopts a named host bridge is
	// refused at connect time: the inspected options are judged.
	sneaky := dockertest.Name(t, "net")
	bridge := "sdt" + sneaky[len(sneaky)-8:]
	st, b = l.rawDo(t, http.MethodPost, "/networks/create", map[string]any{
		"Name": sneaky, "Driver": "bridge", "Options": map[string]string{"com.docker.network.bridge.name": bridge},
	})
	if st != http.StatusCreated {
		t.Fatalf("raw create: %d %s", st, b)
	}
	t.Cleanup(func() { l.rawDo(t, http.MethodDelete, "/networks/"+sneaky, nil) })
	t.Run("connect to a network adopting a named bridge", func(t *testing.T) {
		l.deniedAfterReads(t, safedocker.ErrPolicyViolation, func() error {
			return l.c.ConnectNetwork(ctx, sneaky, ctr, safedocker.NetworkConnectOptions{})
		})
		var writes, inspects int
		for _, r := range l.rec.Requests() {
			if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/networks/"+sneaky) {
				inspects++
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				writes++
			}
		}
		if inspects != 1 || writes != 0 {
			t.Fatalf("requests %v, want the inspect and no write", l.rec.Requests())
		}
	})
	t.Run("connect to a missing network", func(t *testing.T) {
		l.deniedAfterReads(t, safedocker.ErrPolicyViolation, func() error {
			return l.c.ConnectNetwork(ctx, dockertest.Name(t, "missing"), ctr, safedocker.NetworkConnectOptions{})
		})
	})
	t.Run("remove a predefined network", func(t *testing.T) {
		l.denied(t, safedocker.ErrInvalidInput, func() error { return l.c.RemoveNetwork(ctx, "bridge") })
	})
	n, err := l.c.Narrow(safedocker.CapNetworkRead)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("connect without CapNetworkConnect", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			return n.ConnectNetwork(ctx, "bridge", ctr, safedocker.NetworkConnectOptions{})
		})
	})
	t.Run("remove without CapNetworkRemove", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error { return n.RemoveNetwork(ctx, sneaky) })
	})
	t.Run("create without CapNetworkCreate", func(t *testing.T) {
		l.denied(t, safedocker.ErrCapabilityDenied, func() error {
			_, err := n.CreateNetwork(ctx, name, safedocker.NetworkCreateOptions{})
			return err
		})
	})
}
