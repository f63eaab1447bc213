package engine

import "context"

// Networks lists, inspects, creates, connects, disconnects and removes networks.
// Implementations must be safe for concurrent use.
type Networks interface {
	// NetworkList lists networks; opts.Filters must already be allow-listed.
	NetworkList(ctx context.Context, opts NetworkListOptions) ([]Network, error)
	// NetworkInspect returns one network by ID or name.
	NetworkInspect(ctx context.Context, idOrName string) (Network, error)
	// NetworkCreate creates a network exactly as requested and returns its ID.
	NetworkCreate(ctx context.Context, req NetworkCreateRequest) (string, error)
	// NetworkConnect connects a container to a network.
	NetworkConnect(ctx context.Context, req NetworkConnectRequest) error
	// NetworkDisconnect disconnects a container from a network.
	NetworkDisconnect(ctx context.Context, network, container string, force bool) error
	// NetworkRemove removes a network.
	NetworkRemove(ctx context.Context, idOrName string) error
}

// NetworkListOptions selects networks.
type NetworkListOptions struct {
	// Filters are Engine API list filters (key to values), already validated.
	Filters map[string][]string
}

// Network is a network as the daemon reports it.
type Network struct {
	ID         string
	Name       string
	Driver     string
	Scope      string
	Internal   bool
	Attachable bool
	Ingress    bool
	EnableIPv6 bool
	Options    map[string]string
	Labels     map[string]string
	IPAM       []IPAMConfig
	// Containers are the IDs of the containers connected to the network (filled
	// by inspect only).
	Containers []string
}

// IPAMConfig is one IPAM pool of a network.
type IPAMConfig struct {
	Subnet  string
	IPRange string
	Gateway string
}

// NetworkCreateRequest is a network-create request in our terms.
type NetworkCreateRequest struct {
	Name       string
	Driver     string
	Internal   bool
	Attachable bool
	EnableIPv6 bool
	Options    map[string]string
	Labels     map[string]string
	IPAM       []IPAMConfig
}

// NetworkConnectRequest connects a container to a network.
type NetworkConnectRequest struct {
	Network   string
	Container string
	// Aliases are extra DNS names of the container on the network.
	Aliases []string
	// IPv4Address is an optional static address.
	IPv4Address string
}
