package safedocker

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
	"github.com/safedocker/safedocker/validate"
)

// Network operations. Safety classes and capabilities:
//
//	ListNetworks, InspectNetwork   read         CapNetworkRead
//	CreateNetwork                  write        CapNetworkCreate
//	ConnectNetwork                 write        CapNetworkConnect
//	DisconnectNetwork              write        CapNetworkConnect
//	RemoveNetwork                  destructive  CapNetworkRemove
//
// Create, connect and disconnect are judged by the client's NetworkPolicy
// (see WithNetworkPolicy). Connect and disconnect inspect the network first, as
// part of the policy step, to judge its driver and options: for them a denial
// may cost one read (GET /networks/{id}), never a write; the predefined
// "host" and "none" networks are denied by name before anything reaches the
// daemon.

// NetworkReader lists and inspects networks (CapNetworkRead).
type NetworkReader interface {
	ListNetworks(ctx context.Context, opts NetworkListOptions) (NetworkList, error)
	InspectNetwork(ctx context.Context, network string) (Network, error)
}

// NetworkCreator creates networks (CapNetworkCreate).
type NetworkCreator interface {
	CreateNetwork(ctx context.Context, name string, opts NetworkCreateOptions) (NetworkCreateResult, error)
}

// NetworkConnector connects containers to networks and disconnects them
// (CapNetworkConnect).
type NetworkConnector interface {
	ConnectNetwork(ctx context.Context, network, container string, opts NetworkConnectOptions) error
	DisconnectNetwork(ctx context.Context, network, container string, opts NetworkDisconnectOptions) error
}

// NetworkRemover removes networks (CapNetworkRemove).
type NetworkRemover interface {
	RemoveNetwork(ctx context.Context, network string) error
}

var (
	_ NetworkReader    = (*Client)(nil)
	_ NetworkCreator   = (*Client)(nil)
	_ NetworkConnector = (*Client)(nil)
	_ NetworkRemover   = (*Client)(nil)
)

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
	IPAM       []IPAMPool
	// Containers are the IDs of the connected containers (InspectNetwork only).
	Containers []string
}

// IPAMPool is one address pool of a network.
type IPAMPool struct {
	// Subnet is a CIDR prefix, e.g. "10.200.1.0/24".
	Subnet string
	// IPRange optionally restricts allocation to a prefix inside Subnet.
	IPRange string
	// Gateway is optionally the gateway address inside Subnet.
	Gateway string
}

// NetworkListOptions selects networks to list. Every field is optional; the
// fields are the only filters offered (an allow-list by construction).
type NetworkListOptions struct {
	// Name matches networks whose name contains it.
	Name string
	// ID matches networks whose ID starts with it.
	ID string
	// Driver matches networks using this driver.
	Driver string
	// Labels match networks carrying each label ("key" or "key=value").
	Labels []string
	// Limit caps the result; 0 means the client's OutputBounds.ListItems, and a
	// larger value is an error.
	Limit int
}

// NetworkList is the result of ListNetworks.
type NetworkList struct {
	Networks []Network
	// Total is the number of networks the daemon returned.
	Total int
	// Truncated is true when Total exceeds len(Networks).
	Truncated bool
}

// NetworkCreateOptions describes a network to create. The zero value is a
// bridge network with daemon-chosen addresses.
type NetworkCreateOptions struct {
	// Driver is the network driver; "" means "bridge".
	Driver string
	// Internal isolates the network from outside networks.
	Internal bool
	// Attachable lets standalone containers join a swarm-scoped network.
	Attachable bool
	// EnableIPv6 enables IPv6.
	EnableIPv6 bool
	// Options are driver options, judged by the NetworkPolicy.
	Options map[string]string
	// Labels are set on the network.
	Labels map[string]string
	// IPAM are custom address pools, judged by the NetworkPolicy (denied by
	// default).
	IPAM []IPAMPool
}

// NetworkCreateResult is the result of CreateNetwork.
type NetworkCreateResult struct {
	ID string
}

// NetworkConnectOptions tunes a connect.
type NetworkConnectOptions struct {
	// Aliases are extra DNS names of the container on the network.
	Aliases []string
	// IPv4Address is an optional static address inside the network's subnet.
	IPv4Address string
}

// NetworkDisconnectOptions tunes a disconnect.
type NetworkDisconnectOptions struct {
	// Force disconnects even when the container is not running.
	Force bool
}

func networkFromEngine(n engine.Network) Network {
	out := Network{
		ID: n.ID, Name: n.Name, Driver: n.Driver, Scope: n.Scope,
		Internal: n.Internal, Attachable: n.Attachable, Ingress: n.Ingress, EnableIPv6: n.EnableIPv6,
		Options: maps.Clone(n.Options), Labels: maps.Clone(n.Labels), Containers: slices.Clone(n.Containers),
	}
	for _, p := range n.IPAM {
		out.IPAM = append(out.IPAM, IPAMPool(p))
	}
	return out
}

// ListNetworks lists networks, at most the client's list bound. Safety class:
// read. Capability: CapNetworkRead.
func (c *Client) ListNetworks(ctx context.Context, opts NetworkListOptions) (NetworkList, error) {
	var out NetworkList
	var req engine.NetworkListOptions
	var limit int
	validate := func() error {
		var err error
		if limit, err = resolveLimit("Limit", opts.Limit, c.bounds.ListItems); err != nil {
			return err
		}
		f := opsFilterSet{}
		for field, v := range map[string]string{"Name": opts.Name, "ID": opts.ID, "Driver": opts.Driver} {
			if err := checkArgText(field, v, maxObjectName); err != nil {
				return err
			}
		}
		f.add("name", opts.Name)
		f.add("id", opts.ID)
		f.add("driver", opts.Driver)
		labels, err := checkLabelFilters("Labels", opts.Labels)
		if err != nil {
			return err
		}
		f.add("label", labels...)
		req.Filters = f
		return checkFilters(validate.NetworkObjects, f)
	}
	err := c.run(ctx, operation{name: "network.list", cap: CapNetworkRead}, validate, nil, func(ctx context.Context) error {
		list, err := c.eng.NetworkList(ctx, req)
		if err != nil {
			return err
		}
		out.Total = len(list)
		if len(list) > limit {
			list, out.Truncated = list[:limit], true
		}
		out.Networks = make([]Network, 0, len(list))
		for _, n := range list {
			out.Networks = append(out.Networks, networkFromEngine(n))
		}
		return nil
	})
	if err != nil {
		return NetworkList{}, err
	}
	return out, nil
}

// InspectNetwork returns one network by name or ID. Safety class: read.
// Capability: CapNetworkRead.
func (c *Client) InspectNetwork(ctx context.Context, network string) (Network, error) {
	var out Network
	err := c.run(ctx, operation{name: "network.inspect", cap: CapNetworkRead, target: network},
		func() error { return checkObjectRef("network", network) }, nil,
		func(ctx context.Context) error {
			n, err := c.eng.NetworkInspect(ctx, network)
			if err != nil {
				return err
			}
			out = networkFromEngine(n)
			return nil
		})
	if err != nil {
		return Network{}, err
	}
	return out, nil
}

// CreateNetwork creates a network named name. The client's NetworkPolicy
// judges the driver, the driver options and custom address pools. Safety
// class: write. Capability: CapNetworkCreate.
func (c *Client) CreateNetwork(ctx context.Context, name string, opts NetworkCreateOptions) (NetworkCreateResult, error) {
	var out NetworkCreateResult
	req := engine.NetworkCreateRequest{
		Name: name, Driver: opts.Driver, Internal: opts.Internal, Attachable: opts.Attachable,
		EnableIPv6: opts.EnableIPv6, Options: maps.Clone(opts.Options), Labels: maps.Clone(opts.Labels),
	}
	for _, p := range opts.IPAM {
		req.IPAM = append(req.IPAM, engine.IPAMConfig(p))
	}
	validate := func() error {
		if err := checkObjectName("name", name); err != nil {
			return err
		}
		if err := checkArgText("Driver", opts.Driver, maxObjectName); err != nil {
			return err
		}
		for k, v := range opts.Options {
			if k == "" {
				return argError("Options", "empty option key")
			}
			if err := checkArgText("Options["+truncate(k, 64)+"]", k+v, maxText); err != nil {
				return err
			}
		}
		if len(opts.IPAM) > 16 {
			return argError("IPAM", "more than 16 pools")
		}
		return checkNewLabels("Labels", opts.Labels)
	}
	judge := func() verdict { return c.opsVerdict(c.ops.networks.judgeCreate(req)) }
	err := c.run(ctx, operation{name: "network.create", cap: CapNetworkCreate, target: name}, validate, judge,
		func(ctx context.Context) error {
			id, err := c.eng.NetworkCreate(ctx, req)
			if err != nil {
				return err
			}
			out.ID = id
			return nil
		})
	if err != nil {
		return NetworkCreateResult{}, err
	}
	return out, nil
}

// ConnectNetwork connects container to network. The network is never the host
// network: it is denied by name ("host", "none"), and the network is inspected
// during the policy step so that its driver (host and null always denied,
// others per the NetworkPolicy's allow-list) and options are judged as the
// daemon reports them. Safety class: write. Capability: CapNetworkConnect.
func (c *Client) ConnectNetwork(ctx context.Context, network, container string, opts NetworkConnectOptions) error {
	req := engine.NetworkConnectRequest{Network: network, Container: container, Aliases: slices.Clone(opts.Aliases), IPv4Address: opts.IPv4Address}
	validate := func() error {
		if err := checkObjectRef("network", network); err != nil {
			return err
		}
		if err := checkObjectRef("container", container); err != nil {
			return err
		}
		if len(opts.Aliases) > 32 {
			return argError("Aliases", "more than 32 aliases")
		}
		for i, a := range opts.Aliases {
			if err := checkObjectName(fmt.Sprintf("Aliases[%d]", i), a); err != nil {
				return err
			}
		}
		if opts.IPv4Address != "" {
			a, err := netip.ParseAddr(opts.IPv4Address)
			if err != nil || !a.Is4() || a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() {
				return argError("IPv4Address", "%q is not a unicast IPv4 address", truncate(opts.IPv4Address, 64))
			}
		}
		return nil
	}
	judge := func() verdict {
		v, id := c.judgeNetworkAttach(ctx, network, true)
		req.Network = id // connect to the network that was judged, by ID
		return v
	}
	return c.run(ctx, operation{name: "network.connect", cap: CapNetworkConnect, target: network}, validate, judge,
		func(ctx context.Context) error { return c.eng.NetworkConnect(ctx, req) })
}

// DisconnectNetwork disconnects container from network. Like ConnectNetwork it
// never touches the host or none network. Safety class: write. Capability:
// CapNetworkConnect.
func (c *Client) DisconnectNetwork(ctx context.Context, network, container string, opts NetworkDisconnectOptions) error {
	validate := func() error {
		if err := checkObjectRef("network", network); err != nil {
			return err
		}
		return checkObjectRef("container", container)
	}
	var id string
	judge := func() verdict {
		var v verdict
		v, id = c.judgeNetworkAttach(ctx, network, false)
		return v
	}
	return c.run(ctx, operation{name: "network.disconnect", cap: CapNetworkConnect, target: network}, validate, judge,
		func(ctx context.Context) error { return c.eng.NetworkDisconnect(ctx, id, container, opts.Force) })
}

// judgeNetworkAttach judges a connect or disconnect: by name first, then by
// the network as the daemon reports it, and returns the network's ID so that
// the operation acts on the network that was judged even if the name is
// reused meanwhile. A failed inspect denies (fail closed).
func (c *Client) judgeNetworkAttach(ctx context.Context, network string, connect bool) (verdict, string) {
	if fs := staticNetworkRefDenial(network); len(fs) > 0 {
		return c.opsVerdict(fs), ""
	}
	rctx, cancel := c.readContext(ctx)
	defer cancel()
	n, err := c.eng.NetworkInspect(rctx, network)
	if err != nil {
		return c.opsVerdict([]policy.Finding{{Check: checkNetworkInspect, Field: "network", Value: truncate(network, 64),
			Reason:      "the network could not be inspected (" + errorClass(err) + "), so its driver cannot be judged",
			Remediation: "name an existing network"}}), ""
	}
	if n.ID == "" {
		return c.opsVerdict([]policy.Finding{{Check: checkNetworkInspect, Field: "network", Value: truncate(network, 64),
			Reason: "the daemon reported the network without an ID", Remediation: "name an existing network"}}), ""
	}
	return c.opsVerdict(c.ops.networks.judgeAttach(n, connect)), n.ID
}

// RemoveNetwork removes a network. The predefined "bridge", "host" and "none"
// networks are refused without reaching the daemon. Safety class: destructive.
// Capability: CapNetworkRemove.
func (c *Client) RemoveNetwork(ctx context.Context, network string) error {
	validate := func() error {
		if err := checkObjectRef("network", network); err != nil {
			return err
		}
		if network == "bridge" || network == "host" || network == "none" {
			return argError("network", "%q is a predefined network and cannot be removed", network)
		}
		return nil
	}
	return c.run(ctx, operation{name: "network.remove", cap: CapNetworkRemove, target: network}, validate, nil,
		func(ctx context.Context) error { return c.eng.NetworkRemove(ctx, network) })
}

// WithNetworkPolicy sets the policy for network create, connect and
// disconnect. The default is the zero NetworkPolicy: bridge only, safe options
// only, no custom subnets. An invalid policy (a host or null driver, an empty
// option key, a malformed subnet pool) makes New fail.
func WithNetworkPolicy(p NetworkPolicy) Option {
	return optionFunc(func(o *options) error {
		r, err := compileNetworkPolicy(p)
		if err != nil {
			return err
		}
		o.ops.networks = r
		return nil
	})
}
