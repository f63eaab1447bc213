package safedocker

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/safedocker/safedocker/policy"
)

// opCase is one operation of the exec, image, volume, network and system
// groups, called with valid arguments.
type opCase struct {
	name    string
	cap     Capability
	class   SafetyClass
	methods []string // engine methods an allowed call reaches, in order
	call    func(ctx context.Context, c *Client) error
}

func opCases() []opCase {
	return []opCase{
		{"exec", CapExec, ClassWrite, []string{"ExecCreate", "ExecStart"}, func(ctx context.Context, c *Client) error {
			_, err := c.Exec(ctx, "web", ExecOptions{Cmd: []string{"ls", "-l"}})
			return err
		}},
		{"image.list", CapImageRead, ClassRead, []string{"ImageList"}, func(ctx context.Context, c *Client) error {
			_, err := c.ListImages(ctx, ImageListOptions{})
			return err
		}},
		{"image.inspect", CapImageRead, ClassRead, []string{"ImageInspect"}, func(ctx context.Context, c *Client) error {
			_, err := c.InspectImage(ctx, "alpine:3.20")
			return err
		}},
		{"image.pull", CapImagePull, ClassWrite, []string{"ImagePull", "ImageInspect"}, func(ctx context.Context, c *Client) error {
			_, err := c.PullImage(ctx, "registry.example.com/team/app:v1", PullOptions{})
			return err
		}},
		{"image.remove", CapImageRemove, ClassDestructive, []string{"ImageRemove"}, func(ctx context.Context, c *Client) error {
			_, err := c.RemoveImage(ctx, "alpine:3.20", ImageRemoveOptions{})
			return err
		}},
		{"volume.list", CapVolumeRead, ClassRead, []string{"VolumeList"}, func(ctx context.Context, c *Client) error {
			_, err := c.ListVolumes(ctx, VolumeListOptions{})
			return err
		}},
		{"volume.inspect", CapVolumeRead, ClassRead, []string{"VolumeInspect"}, func(ctx context.Context, c *Client) error {
			_, err := c.InspectVolume(ctx, "data")
			return err
		}},
		{"volume.create", CapVolumeCreate, ClassWrite, []string{"VolumeCreate"}, func(ctx context.Context, c *Client) error {
			_, err := c.CreateVolume(ctx, "data", VolumeCreateOptions{})
			return err
		}},
		{"volume.remove", CapVolumeRemove, ClassDestructive, []string{"VolumeRemove"}, func(ctx context.Context, c *Client) error {
			return c.RemoveVolume(ctx, "data", VolumeRemoveOptions{})
		}},
		{"network.list", CapNetworkRead, ClassRead, []string{"NetworkList"}, func(ctx context.Context, c *Client) error {
			_, err := c.ListNetworks(ctx, NetworkListOptions{})
			return err
		}},
		{"network.inspect", CapNetworkRead, ClassRead, []string{"NetworkInspect"}, func(ctx context.Context, c *Client) error {
			_, err := c.InspectNetwork(ctx, "appnet")
			return err
		}},
		{"network.create", CapNetworkCreate, ClassWrite, []string{"NetworkCreate"}, func(ctx context.Context, c *Client) error {
			_, err := c.CreateNetwork(ctx, "appnet", NetworkCreateOptions{})
			return err
		}},
		{"network.connect", CapNetworkConnect, ClassWrite, []string{"NetworkInspect", "NetworkConnect"}, func(ctx context.Context, c *Client) error {
			return c.ConnectNetwork(ctx, "appnet", "web", NetworkConnectOptions{})
		}},
		{"network.disconnect", CapNetworkConnect, ClassWrite, []string{"NetworkInspect", "NetworkDisconnect"}, func(ctx context.Context, c *Client) error {
			return c.DisconnectNetwork(ctx, "appnet", "web", NetworkDisconnectOptions{})
		}},
		{"network.remove", CapNetworkRemove, ClassDestructive, []string{"NetworkRemove"}, func(ctx context.Context, c *Client) error {
			return c.RemoveNetwork(ctx, "appnet")
		}},
		{"system.version", CapSystemRead, ClassRead, []string{"Version"}, func(ctx context.Context, c *Client) error {
			_, err := c.Version(ctx)
			return err
		}},
		{"system.info", CapSystemRead, ClassRead, []string{"Info"}, func(ctx context.Context, c *Client) error {
			_, err := c.Info(ctx)
			return err
		}},
		{"system.disk_usage", CapSystemRead, ClassRead, []string{"DiskUsage"}, func(ctx context.Context, c *Client) error {
			_, err := c.DiskUsage(ctx)
			return err
		}},
	}
}

// Every operation needs exactly its capability: without it nothing reaches
// the engine; with only it, the call reaches the engine methods expected.
func TestOpsCapabilityAndEngineReach(t *testing.T) {
	imagePolicy := WithImagePolicy(ImagePolicy{Registries: []string{"registry.example.com"}})
	for _, oc := range opCases() {
		t.Run(oc.name, func(t *testing.T) {
			if oc.cap.Class() != oc.class {
				t.Fatalf("capability %s has class %s, documented %s", oc.cap, oc.cap.Class(), oc.class)
			}
			others := make([]Capability, 0)
			for _, c := range AllCapabilities() {
				if c != oc.cap {
					others = append(others, c)
				}
			}
			denied := newTestClient(t, WithCapabilities(others...), imagePolicy)
			denied.fake.Forbid()
			err := oc.call(ctxFor(t), denied.Client)
			var ce *CapabilityError
			if !errors.As(err, &ce) || ce.Capability != oc.cap || !errors.Is(err, ErrCapabilityDenied) {
				t.Fatalf("without %s: err = %v", oc.cap, err)
			}
			if calls, _ := denied.lim.counts(); calls != 0 {
				t.Fatalf("limiter consulted before the capability check")
			}

			ok := newTestClient(t, WithCapabilities(oc.cap), imagePolicy)
			if err := oc.call(ctxFor(t), ok.Client); err != nil {
				t.Fatalf("with %s: %v", oc.cap, err)
			}
			if got := ok.fake.Methods(); !slices.Equal(got, oc.methods) {
				t.Fatalf("engine calls %v, want %v", got, oc.methods)
			}
			evs := ok.audit.decisions(t)
			if len(evs) != 1 || evs[0]["op"] != oc.name || evs[0]["verdict"] != "allow" || evs[0]["class"] != oc.class.String() {
				t.Fatalf("decision events %v", evs)
			}
			if calls, released := ok.lim.counts(); calls != 1 || released != 1 {
				t.Fatalf("limiter calls %d released %d", calls, released)
			}
		})
	}
}

// Denials at validation and policy never reach the engine (the fake fails the
// test if called) and are audited with their step.
func TestOpsDenialsNeverReachEngine(t *testing.T) {
	cases := []struct {
		name string
		step string
		call func(ctx context.Context, c *Client) error
		want error
	}{
		{"exec privileged-looking empty cmd", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.Exec(ctx, "web", ExecOptions{})
			return err
		}, ErrInvalidInput},
		{"exec bad container", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.Exec(ctx, "../x", ExecOptions{Cmd: []string{"ls"}})
			return err
		}, ErrInvalidInput},
		{"exec output bound loosened", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.Exec(ctx, "web", ExecOptions{Cmd: []string{"ls"}, MaxOutputBytes: MaxOutputBytes + 1})
			return err
		}, ErrInvalidInput},
		{"exec workdir under /proc/self/fd", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.Exec(ctx, "web", ExecOptions{Cmd: []string{"ls"}, WorkingDir: "/proc/self/fd/7"})
			return err
		}, ErrPolicyViolation},
		{"exec denied command", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.Exec(ctx, "web", ExecOptions{Cmd: []string{"nsenter", "-t", "1", "-m", "sh"}})
			return err
		}, ErrPolicyViolation},
		{"pull registry not allowed", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.PullImage(ctx, "evil.example.com/x:1", PullOptions{})
			return err
		}, ErrPolicyViolation},
		{"pull tightened to digests", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.PullImage(ctx, "registry.example.com/team/app:v1", PullOptions{}, Tighten(policy.RequireDigestPinning()))
			return err
		}, ErrPolicyViolation},
		{"pull without tag", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.PullImage(ctx, "registry.example.com/team/app", PullOptions{})
			return err
		}, ErrInvalidInput},
		{"pull bad platform", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.PullImage(ctx, "registry.example.com/team/app:v1", PullOptions{Platform: "linux/amd64;rm"})
			return err
		}, ErrInvalidInput},
		{"volume bind to host root", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateVolume(ctx, "hostroot", VolumeCreateOptions{DriverOpts: map[string]string{"type": "none", "o": "bind", "device": "/"}})
			return err
		}, ErrPolicyViolation},
		{"volume plugin driver", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateVolume(ctx, "vol1", VolumeCreateOptions{Driver: "sshfs"})
			return err
		}, ErrPolicyViolation},
		{"volume with a reserved docker label", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.CreateVolume(ctx, "vol1", VolumeCreateOptions{Labels: map[string]string{"com.docker.compose.project": "x"}})
			return err
		}, ErrInvalidInput},
		{"network list filter with a control character", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.ListNetworks(ctx, NetworkListOptions{Name: "a\tb"})
			return err
		}, ErrInvalidInput},
		{"volume bad name", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.CreateVolume(ctx, "/etc", VolumeCreateOptions{})
			return err
		}, ErrInvalidInput},
		{"network host driver", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateNetwork(ctx, "net1", NetworkCreateOptions{Driver: "host"})
			return err
		}, ErrPolicyViolation},
		{"network macvlan", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateNetwork(ctx, "net1", NetworkCreateOptions{Driver: "macvlan", Options: map[string]string{"parent": "eth0"}})
			return err
		}, ErrPolicyViolation},
		{"network ipvlan", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateNetwork(ctx, "net1", NetworkCreateOptions{Driver: "ipvlan"})
			return err
		}, ErrPolicyViolation},
		{"network host bridge name", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateNetwork(ctx, "net1", NetworkCreateOptions{Options: map[string]string{"com.docker.network.bridge.name": "br0"}})
			return err
		}, ErrPolicyViolation},
		{"network custom subnet", "policy", func(ctx context.Context, c *Client) error {
			_, err := c.CreateNetwork(ctx, "net1", NetworkCreateOptions{IPAM: []IPAMPool{{Subnet: "192.168.1.0/24"}}})
			return err
		}, ErrPolicyViolation},
		{"connect host network", "policy", func(ctx context.Context, c *Client) error {
			return c.ConnectNetwork(ctx, "host", "web", NetworkConnectOptions{})
		}, ErrPolicyViolation},
		{"disconnect none network", "policy", func(ctx context.Context, c *Client) error {
			return c.DisconnectNetwork(ctx, "none", "web", NetworkDisconnectOptions{})
		}, ErrPolicyViolation},
		{"remove predefined network", "validation", func(ctx context.Context, c *Client) error {
			return c.RemoveNetwork(ctx, "bridge")
		}, ErrInvalidInput},
		{"list limit loosened", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.ListImages(ctx, ImageListOptions{Limit: MaxListItems + 1})
			return err
		}, ErrInvalidInput},
		{"list label filter with control char", "validation", func(ctx context.Context, c *Client) error {
			_, err := c.ListVolumes(ctx, VolumeListOptions{Labels: []string{"a\x00b"}})
			return err
		}, ErrInvalidInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, WithGrant(NewGrant(AllCapabilities()...)),
				WithImagePolicy(ImagePolicy{Registries: []string{"registry.example.com"}}))
			c.fake.Forbid()
			err := tc.call(ctxFor(t), c.Client)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			evs := c.audit.decisions(t)
			if len(evs) != 1 || evs[0]["verdict"] != "deny" || evs[0]["step"] != tc.step {
				t.Fatalf("decision events %v, want one denial at %s", evs, tc.step)
			}
			if len(c.fake.Calls()) != 0 {
				t.Fatalf("engine reached: %v", c.fake.Methods())
			}
		})
	}
}

// Exec env values never appear in audit events, errors or findings.
func TestExecEnvValuesNeverLogged(t *testing.T) {
	const secret = "s3cret-env-value-123"
	c := newTestClient(t, WithCapabilities(CapExec))
	_, err := c.Exec(ctxFor(t), "web", ExecOptions{Cmd: []string{"ls"}, Env: map[string]string{"TOKEN": secret}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Exec(ctxFor(t), "web", ExecOptions{Cmd: []string{"nsenter", "-t", "1"}, Env: map[string]string{"TOKEN": secret}})
	if !errors.Is(err, ErrPolicyViolation) || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(c.audit.String(), secret) {
		t.Fatalf("audit log holds an env value:\n%s", c.audit)
	}
}
