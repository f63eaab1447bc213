package safedocker

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

// NetworkPolicy governs network create, connect and disconnect. The zero value
// is the default: only the "bridge" driver, only the harmless bridge options
// (see SafeNetworkOptions), and no custom IPAM subnets (the daemon allocates
// from its own pools, which it checks against the host's routes).
//
// What is always denied, whatever the policy says:
//   - the "host" and "null" drivers, and connecting to or disconnecting from a
//     network using them ("host", "none"): a container on the host network
//     shares the host's network stack;
//   - connecting to a swarm ingress network.
//
// What is denied unless explicitly allowed here:
//   - the "macvlan" and "ipvlan" drivers (containers get layer-2 or layer-3
//     presence on the host's physical segment, bypassing the bridge's NAT and
//     firewall), "overlay" and every plugin driver: list them in Drivers;
//   - every driver option outside SafeNetworkOptions, for example
//     "com.docker.network.bridge.name": naming the Linux bridge lets a network
//     adopt an existing host bridge (br0 enslaving the host's NIC puts
//     containers on the physical LAN; docker0 joins the default bridge and
//     defeats isolation between networks), and a client talking to a remote
//     daemon cannot see which bridges exist. Also
//     "com.docker.network.bridge.inhibit_ipv4", "...gateway_mode_ipv4/6"
//     ("routed", "nat-unprotected" remove the isolation firewall),
//     "...trusted_host_interfaces", "...default_bridge", "parent" (macvlan,
//     ipvlan) and any unknown key: list them in Options;
//   - custom IPAM subnets: a network's subnet becomes a connected route on the
//     host, so a subnet overlapping the host's LAN, a VPN or a cloud metadata
//     range captures the host's own traffic to those addresses. List allowed
//     pools in Subnets; a requested subnet must lie inside one of them.
//
// The same option check runs on the inspected network before a connect, so a
// network created outside this library with a dangerous option is refused too
// (except the daemon's predefined "bridge" network, whose options the daemon
// sets itself).
type NetworkPolicy struct {
	// Drivers are network drivers allowed besides "bridge". "host", "null" and
	// "none" are refused by New.
	Drivers []string
	// Options are driver option keys allowed besides SafeNetworkOptions,
	// compared exactly.
	Options []string
	// Subnets are the pools from which custom IPAM subnets may be requested
	// (CIDR, e.g. "10.200.0.0/16"); empty means custom subnets are denied.
	Subnets []string
}

// SafeNetworkOptions returns the driver option keys every NetworkPolicy
// allows: inter-container communication, IP masquerading, the MTU, the
// interface-name prefix, and the default host address for published ports
// (which can only narrow the daemon's default of all interfaces).
func SafeNetworkOptions() []string {
	return []string{
		"com.docker.network.bridge.enable_icc",
		"com.docker.network.bridge.enable_ip_masquerade",
		"com.docker.network.driver.mtu",
		"com.docker.network.container_iface_prefix",
		"com.docker.network.bridge.host_binding_ipv4",
	}
}

// safeNetworkOption is SafeNetworkOptions as a set; it is never modified.
var safeNetworkOption = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range SafeNetworkOptions() {
		m[k] = true
	}
	return m
}()

// The check IDs of network findings.
const (
	checkNetworkDriver  policy.CheckID = "networkDriver"
	checkNetworkOptions policy.CheckID = "networkOptions"
	checkNetworkIPAM    policy.CheckID = "networkIPAM"
	checkHostNetwork    policy.CheckID = "hostNetwork"
	checkNetworkInspect policy.CheckID = "networkInspect"
)

// networkRules is a compiled NetworkPolicy. The zero value is the default
// policy.
type networkRules struct {
	drivers map[string]bool
	options map[string]bool
	subnets []netip.Prefix
}

// neverDrivers are drivers no policy may allow.
var neverDrivers = map[string]bool{"host": true, "null": true, "none": true}

func compileNetworkPolicy(p NetworkPolicy) (networkRules, error) {
	r := networkRules{drivers: map[string]bool{}, options: map[string]bool{}}
	for _, d := range p.Drivers {
		if neverDrivers[strings.ToLower(d)] {
			return r, argError("NetworkPolicy.Drivers", "the %q driver can never be allowed", d)
		}
		if d == "" || checkArgText("NetworkPolicy.Drivers", d, maxObjectName) != nil {
			return r, argError("NetworkPolicy.Drivers", "invalid driver name %q", truncate(d, 64))
		}
		r.drivers[d] = true
	}
	for _, k := range p.Options {
		if k == "" {
			return r, argError("NetworkPolicy.Options", "empty option key")
		}
		r.options[k] = true
	}
	for _, s := range p.Subnets {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return r, argError("NetworkPolicy.Subnets", "%q is not a CIDR prefix", truncate(s, 64))
		}
		r.subnets = append(r.subnets, pfx.Masked())
	}
	return r, nil
}

// judgeCreate returns the findings for a network-create request.
func (r networkRules) judgeCreate(req engine.NetworkCreateRequest) []policy.Finding {
	var fs []policy.Finding
	drv := req.Driver
	if drv == "" {
		drv = "bridge"
	}
	if f, ok := r.judgeDriver("Driver", drv); !ok {
		fs = append(fs, f)
	}
	fs = append(fs, r.judgeOptions("Options", req.Options)...)
	for i, c := range req.IPAM {
		fs = append(fs, r.judgeIPAM(fmt.Sprintf("IPAM.Config[%d]", i), c)...)
	}
	return fs
}

func (r networkRules) judgeDriver(field, drv string) (policy.Finding, bool) {
	switch {
	case neverDrivers[strings.ToLower(drv)]:
		return policy.Finding{Check: checkHostNetwork, Field: field, Value: drv,
			Reason:      "the host and null network drivers are never allowed",
			Remediation: "use a bridge network"}, false
	case drv != "bridge" && !r.drivers[drv]:
		return policy.Finding{Check: checkNetworkDriver, Field: field, Value: truncate(drv, 64),
			Reason:      "the network driver is not in the allow-list",
			Remediation: "use the bridge driver, or list the driver in NetworkPolicy.Drivers"}, false
	}
	return policy.Finding{}, true
}

func (r networkRules) judgeOptions(field string, opts map[string]string) []policy.Finding {
	var fs []policy.Finding
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		f := field + "[" + truncate(k, 64) + "]"
		if !r.options[k] && !safeNetworkOption[k] {
			fs = append(fs, policy.Finding{Check: checkNetworkOptions, Field: f, Value: truncate(opts[k], 64),
				Reason:      "the network driver option is not allowed",
				Remediation: "remove the option, or list its key in NetworkPolicy.Options"})
			continue
		}
		if k == "com.docker.network.bridge.host_binding_ipv4" {
			if _, err := netip.ParseAddr(opts[k]); err != nil {
				fs = append(fs, policy.Finding{Check: checkNetworkOptions, Field: f, Value: truncate(opts[k], 64),
					Reason: "not an IP address", Remediation: "give an address such as 127.0.0.1"})
			}
		}
	}
	return fs
}

func (r networkRules) judgeIPAM(field string, c engine.IPAMConfig) []policy.Finding {
	deny := func(sub, value, reason, fix string) policy.Finding {
		return policy.Finding{Check: checkNetworkIPAM, Field: field + sub, Value: truncate(value, 64), Reason: reason, Remediation: fix}
	}
	if c.Subnet == "" {
		if c.IPRange != "" || c.Gateway != "" {
			return []policy.Finding{deny(".Subnet", "", "an IP range or gateway needs a subnet", "give the subnet")}
		}
		return nil
	}
	pfx, err := netip.ParsePrefix(c.Subnet)
	if err != nil {
		return []policy.Finding{deny(".Subnet", c.Subnet, "not a CIDR prefix", "give a subnet such as 10.200.1.0/24")}
	}
	pfx = pfx.Masked()
	var fs []policy.Finding
	inPool := false
	for _, pool := range r.subnets {
		if pool.Bits() <= pfx.Bits() && pool.Contains(pfx.Addr()) {
			inPool = true
			break
		}
	}
	if !inPool {
		fs = append(fs, deny(".Subnet", c.Subnet, "custom subnets must lie inside an allowed pool (a subnet becomes a route on the host)",
			"omit the subnet to let the daemon choose one, or list a pool in NetworkPolicy.Subnets"))
	}
	if c.IPRange != "" {
		rp, err := netip.ParsePrefix(c.IPRange)
		if err != nil || !pfx.Contains(rp.Addr()) || rp.Bits() < pfx.Bits() {
			fs = append(fs, deny(".IPRange", c.IPRange, "the IP range is not a prefix inside the subnet", "give a prefix inside the subnet"))
		}
	}
	if c.Gateway != "" {
		ga, err := netip.ParseAddr(c.Gateway)
		if err != nil || !pfx.Contains(ga) {
			fs = append(fs, deny(".Gateway", c.Gateway, "the gateway is not an address inside the subnet", "give an address inside the subnet"))
		}
	}
	return fs
}

// judgeAttach returns the findings for connecting a container to (connect) or
// disconnecting it from n, as the daemon reported it.
func (r networkRules) judgeAttach(n engine.Network, connect bool) []policy.Finding {
	if f, ok := r.judgeDriver("Network.Driver", n.Driver); !ok {
		if f.Check == checkHostNetwork || connect {
			f.Value = truncate(n.Name, 64) + " (driver " + truncate(n.Driver, 32) + ")"
			return []policy.Finding{f}
		}
	}
	if !connect {
		return nil
	}
	var fs []policy.Finding
	if n.Ingress {
		fs = append(fs, policy.Finding{Check: checkNetworkDriver, Field: "Network.Ingress", Value: truncate(n.Name, 64),
			Reason: "swarm ingress networks cannot be joined", Remediation: "use a bridge network"})
	}
	if !isPredefinedBridge(n) {
		fs = append(fs, r.judgeOptions("Network.Options", n.Options)...)
	}
	return fs
}

// isPredefinedBridge reports the daemon's own default "bridge" network, whose
// options (bridge name docker0, default_bridge) the daemon sets itself.
func isPredefinedBridge(n engine.Network) bool {
	return n.Name == "bridge" && n.Driver == "bridge" && n.Options["com.docker.network.bridge.default_bridge"] == "true"
}

// staticNetworkRefDenial denies the predefined host and none networks by name,
// before anything reaches the daemon.
func staticNetworkRefDenial(ref string) []policy.Finding {
	if ref == "host" || ref == "none" {
		return []policy.Finding{{Check: checkHostNetwork, Field: "network", Value: ref,
			Reason:      "the host and none networks are never joined or left through this library",
			Remediation: "use a bridge network"}}
	}
	return nil
}
