package docker

import (
	"context"
	"maps"
	"slices"

	"github.com/docker/docker/api/types/network"

	"github.com/safedocker/safedocker/internal/engine"
)

// networksAPI is the part of the Docker client the network operations use.
type networksAPI interface {
	NetworkList(ctx context.Context, options network.ListOptions) ([]network.Summary, error)
	NetworkInspect(ctx context.Context, networkID string, options network.InspectOptions) (network.Inspect, error)
	NetworkCreate(ctx context.Context, name string, options network.CreateOptions) (network.CreateResponse, error)
	NetworkConnect(ctx context.Context, networkID, containerID string, config *network.EndpointSettings) error
	NetworkDisconnect(ctx context.Context, networkID, containerID string, force bool) error
	NetworkRemove(ctx context.Context, networkID string) error
}

func networkOf(n *network.Inspect, withContainers bool) engine.Network {
	out := engine.Network{
		ID:         n.ID,
		Name:       n.Name,
		Driver:     n.Driver,
		Scope:      n.Scope,
		Internal:   n.Internal,
		Attachable: n.Attachable,
		Ingress:    n.Ingress,
		EnableIPv6: n.EnableIPv6,
		Options:    maps.Clone(n.Options),
		Labels:     maps.Clone(n.Labels),
	}
	for _, c := range n.IPAM.Config {
		out.IPAM = append(out.IPAM, engine.IPAMConfig{Subnet: c.Subnet, IPRange: c.IPRange, Gateway: c.Gateway})
	}
	if withContainers && len(n.Containers) > 0 {
		out.Containers = slices.Sorted(maps.Keys(n.Containers))
	}
	return out
}

func networkList(ctx context.Context, api networksAPI, opts engine.NetworkListOptions) ([]engine.Network, error) {
	list, err := api.NetworkList(ctx, network.ListOptions{Filters: opsFilters(opts.Filters)})
	if err != nil {
		return nil, err
	}
	out := make([]engine.Network, 0, len(list))
	for i := range list {
		out = append(out, networkOf(&list[i], false))
	}
	return out, nil
}

func networkInspect(ctx context.Context, api networksAPI, idOrName string) (engine.Network, error) {
	n, err := api.NetworkInspect(ctx, idOrName, network.InspectOptions{})
	if err != nil {
		return engine.Network{}, err
	}
	return networkOf(&n, true), nil
}

func networkCreate(ctx context.Context, api networksAPI, req engine.NetworkCreateRequest) (string, error) {
	opts := network.CreateOptions{
		Driver:     req.Driver,
		Internal:   req.Internal,
		Attachable: req.Attachable,
		Options:    maps.Clone(req.Options),
		Labels:     maps.Clone(req.Labels),
	}
	if req.EnableIPv6 {
		v := true
		opts.EnableIPv6 = &v
	}
	if len(req.IPAM) > 0 {
		opts.IPAM = &network.IPAM{}
		for _, c := range req.IPAM {
			opts.IPAM.Config = append(opts.IPAM.Config, network.IPAMConfig{Subnet: c.Subnet, IPRange: c.IPRange, Gateway: c.Gateway})
		}
	}
	resp, err := api.NetworkCreate(ctx, req.Name, opts)
	if err != nil {
		return "", err
	}
	return resp.ID, nil
}

func networkConnect(ctx context.Context, api networksAPI, req engine.NetworkConnectRequest) error {
	cfg := &network.EndpointSettings{Aliases: slices.Clone(req.Aliases)}
	if req.IPv4Address != "" {
		cfg.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: req.IPv4Address}
	}
	return api.NetworkConnect(ctx, req.Network, req.Container, cfg)
}

func networkDisconnect(ctx context.Context, api networksAPI, networkID, containerID string, force bool) error {
	return api.NetworkDisconnect(ctx, networkID, containerID, force)
}

func networkRemove(ctx context.Context, api networksAPI, idOrName string) error {
	return api.NetworkRemove(ctx, idOrName)
}

// NetworkList implements engine.Networks.
func (e *Engine) NetworkList(ctx context.Context, opts engine.NetworkListOptions) ([]engine.Network, error) {
	out, err := networkList(ctx, e.cli, opts)
	return out, mapErr("network list", err)
}

// NetworkInspect implements engine.Networks.
func (e *Engine) NetworkInspect(ctx context.Context, idOrName string) (engine.Network, error) {
	out, err := networkInspect(ctx, e.cli, idOrName)
	return out, mapErr("network inspect", err)
}

// NetworkCreate implements engine.Networks.
func (e *Engine) NetworkCreate(ctx context.Context, req engine.NetworkCreateRequest) (string, error) {
	id, err := networkCreate(ctx, e.cli, req)
	return id, mapErr("network create", err)
}

// NetworkConnect implements engine.Networks.
func (e *Engine) NetworkConnect(ctx context.Context, req engine.NetworkConnectRequest) error {
	return mapErr("network connect", networkConnect(ctx, e.cli, req))
}

// NetworkDisconnect implements engine.Networks.
func (e *Engine) NetworkDisconnect(ctx context.Context, networkID, containerID string, force bool) error {
	return mapErr("network disconnect", networkDisconnect(ctx, e.cli, networkID, containerID, force))
}

// NetworkRemove implements engine.Networks.
func (e *Engine) NetworkRemove(ctx context.Context, idOrName string) error {
	return mapErr("network remove", networkRemove(ctx, e.cli, idOrName))
}

var _ engine.Networks = (*Engine)(nil)
