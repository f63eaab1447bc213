package safedocker

import (
	"errors"
	"testing"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

func checksOf(fs []policy.Finding) []policy.CheckID {
	out := make([]policy.CheckID, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Check)
	}
	return out
}

func TestNetworkRulesCreate(t *testing.T) {
	def := networkRules{}
	wide, err := compileNetworkPolicy(NetworkPolicy{
		Drivers: []string{"macvlan", "overlay"},
		Options: []string{"com.docker.network.bridge.name"},
		Subnets: []string{"10.200.0.0/16", "fd00:dead::/48"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		rules networkRules
		req   engine.NetworkCreateRequest
		want  []policy.CheckID
	}{
		{"default bridge", def, engine.NetworkCreateRequest{}, nil},
		{"explicit bridge with safe options", def, engine.NetworkCreateRequest{Driver: "bridge", Options: map[string]string{
			"com.docker.network.bridge.enable_icc": "false", "com.docker.network.driver.mtu": "1400",
			"com.docker.network.bridge.host_binding_ipv4": "127.0.0.1"}}, nil},
		{"host", wide, engine.NetworkCreateRequest{Driver: "host"}, []policy.CheckID{checkHostNetwork}},
		{"HOST spelled odd", wide, engine.NetworkCreateRequest{Driver: "Host"}, []policy.CheckID{checkHostNetwork}},
		{"null", wide, engine.NetworkCreateRequest{Driver: "null"}, []policy.CheckID{checkHostNetwork}},
		{"macvlan by default", def, engine.NetworkCreateRequest{Driver: "macvlan"}, []policy.CheckID{checkNetworkDriver}},
		{"ipvlan by default", def, engine.NetworkCreateRequest{Driver: "ipvlan"}, []policy.CheckID{checkNetworkDriver}},
		{"overlay by default", def, engine.NetworkCreateRequest{Driver: "overlay"}, []policy.CheckID{checkNetworkDriver}},
		{"plugin by default", def, engine.NetworkCreateRequest{Driver: "weaveworks/net-plugin:latest"}, []policy.CheckID{checkNetworkDriver}},
		{"macvlan allowed, parent not", wide, engine.NetworkCreateRequest{Driver: "macvlan", Options: map[string]string{"parent": "eth0"}}, []policy.CheckID{checkNetworkOptions}},
		{"bridge name by default", def, engine.NetworkCreateRequest{Options: map[string]string{"com.docker.network.bridge.name": "docker0"}}, []policy.CheckID{checkNetworkOptions}},
		{"bridge name allowed", wide, engine.NetworkCreateRequest{Options: map[string]string{"com.docker.network.bridge.name": "br-app"}}, nil},
		{"routed gateway mode", wide, engine.NetworkCreateRequest{Options: map[string]string{"com.docker.network.bridge.gateway_mode_ipv4": "nat-unprotected"}}, []policy.CheckID{checkNetworkOptions}},
		{"bad binding address", def, engine.NetworkCreateRequest{Options: map[string]string{"com.docker.network.bridge.host_binding_ipv4": "localhost"}}, []policy.CheckID{checkNetworkOptions}},
		{"subnet by default", def, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "10.200.1.0/24"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"subnet in pool", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "10.200.1.0/24", IPRange: "10.200.1.128/25", Gateway: "10.200.1.1"}}}, nil},
		{"v6 subnet in pool", wide, engine.NetworkCreateRequest{EnableIPv6: true, IPAM: []engine.IPAMConfig{{Subnet: "fd00:dead:0:1::/64"}}}, nil},
		{"subnet wider than pool", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "10.0.0.0/8"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"subnet outside pool", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "169.254.0.0/16"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"gateway outside subnet", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "10.200.1.0/24", Gateway: "10.200.2.1"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"range outside subnet", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "10.200.1.0/24", IPRange: "10.200.0.0/16"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"gateway without subnet", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Gateway: "10.200.1.1"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"unparsable subnet", wide, engine.NetworkCreateRequest{IPAM: []engine.IPAMConfig{{Subnet: "10.200.1.0"}}}, []policy.CheckID{checkNetworkIPAM}},
		{"everything wrong at once", def, engine.NetworkCreateRequest{Driver: "macvlan", Options: map[string]string{"parent": "eth0"},
			IPAM: []engine.IPAMConfig{{Subnet: "192.168.0.0/24"}}}, []policy.CheckID{checkNetworkDriver, checkNetworkOptions, checkNetworkIPAM}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := checksOf(tc.rules.judgeCreate(tc.req))
			if len(got) != len(tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("findings %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestNetworkRulesAttach(t *testing.T) {
	def := networkRules{}
	defaultBridge := engine.Network{ID: "b", Name: "bridge", Driver: "bridge", Options: map[string]string{
		"com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.name": "docker0"}}
	cases := []struct {
		name    string
		n       engine.Network
		connect bool
		want    int
	}{
		{"user bridge", engine.Network{Name: "app", Driver: "bridge"}, true, 0},
		{"predefined bridge", defaultBridge, true, 0},
		{"impostor bridge named bridge without default flag", engine.Network{Name: "bridge", Driver: "bridge",
			Options: map[string]string{"com.docker.network.bridge.name": "br0"}}, true, 1},
		{"network adopting a host bridge", engine.Network{Name: "lan", Driver: "bridge",
			Options: map[string]string{"com.docker.network.bridge.name": "br0"}}, true, 1},
		{"host driver under another name", engine.Network{Name: "innocent", Driver: "host"}, true, 1},
		{"macvlan", engine.Network{Name: "lan", Driver: "macvlan"}, true, 1},
		{"ingress, overlay not allowed", engine.Network{Name: "ingress", Driver: "overlay", Ingress: true}, true, 1},
		{"disconnect from macvlan is fine", engine.Network{Name: "lan", Driver: "macvlan"}, false, 0},
		{"disconnect from host driver is not", engine.Network{Name: "innocent", Driver: "host"}, false, 1},
	}
	overlay, err := compileNetworkPolicy(NetworkPolicy{Drivers: []string{"overlay"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := overlay.judgeAttach(engine.Network{Name: "ingress", Driver: "overlay", Ingress: true}, true); len(got) != 1 || got[0].Field != "Network.Ingress" {
		t.Fatalf("ingress with overlay allowed: %v", got)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := def.judgeAttach(tc.n, tc.connect); len(got) != tc.want {
				t.Fatalf("findings %v, want %d", got, tc.want)
			}
		})
	}
}

func TestNetworkPolicyCompileRefusals(t *testing.T) {
	for _, p := range []NetworkPolicy{
		{Drivers: []string{"host"}}, {Drivers: []string{"NULL"}}, {Drivers: []string{"none"}}, {Drivers: []string{""}},
		{Options: []string{""}}, {Subnets: []string{"10.0.0.0"}},
	} {
		if _, err := compileNetworkPolicy(p); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: err = %v", p, err)
		}
	}
	if _, err := resolveOptions([]Option{WithNetworkPolicy(NetworkPolicy{Drivers: []string{"host"}})}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("New-time refusal missing: %v", err)
	}
}
