package docker

import (
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/google/go-cmp/cmp"

	"github.com/safedocker/safedocker/internal/engine"
	"github.com/safedocker/safedocker/policy"
)

func ptr[T any](v T) *T { return &v }

// fullModel sets every field of policy.Container that a create can carry.
func fullModel() policy.Container {
	return policy.Container{
		Image: "alpine:3", Name: "web", User: "1000:1000",
		Entrypoint: []string{"/bin/app"}, Cmd: []string{"serve", "--port", "80"}, Shell: []string{"/bin/sh", "-c"},
		WorkingDir: "/srv", Env: []policy.EnvVar{{Key: "A", Value: "1", HasValue: true}, {Key: "B"}},
		Labels: map[string]string{"k": "v"}, Healthcheck: &policy.Healthcheck{Test: []string{"CMD", "/bin/app", "health"}},
		Privileged: true, CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"ALL"},
		Security: policy.SecurityOptions{
			NoNewPrivileges: ptr(true), WritableCgroups: ptr(false),
			Seccomp:  policy.SeccompProfile{Mode: policy.SeccompCustom, JSON: `{"defaultAction":"SCMP_ACT_ERRNO"}`},
			AppArmor: policy.AppArmorProfile{Mode: policy.AppArmorNamed, Name: "my-profile"},
			Label:    policy.SELinuxLabel{Type: "container_t", Level: "s0:c1,c2"},
		},
		MaskedPaths: []string{"/proc/kcore"}, ReadonlyPaths: []string{"/proc/sys"},
		Mounts: []policy.Mount{
			{Type: policy.MountBind, Source: "/srv/data", Target: "/data", ReadOnly: true, Propagation: policy.PropagationRSlave, CreateMountpoint: true},
			{Type: policy.MountBind, Source: "/srv/z", Target: "/z", Relabel: "Z"},
			{Type: policy.MountVolume, Source: "vol", Target: "/vol", NoCopy: true, Subpath: "sub", VolumeDriver: "local", VolumeOptions: map[string]string{"o": "size=1m"}},
			{Type: policy.MountTmpfs, Target: "/tmp"},
		},
		VolumeDriver: "local", VolumesFrom: []string{"other:ro"}, ReadonlyRootfs: true,
		NetworkMode:  policy.NetworkMode{Kind: policy.NetworkNamed, Name: "appnet"},
		PIDMode:      policy.NamespaceMode{Kind: policy.NamespaceContainer, Container: "peer"},
		IPCMode:      policy.NamespaceMode{Kind: policy.NamespaceShareable},
		UTSMode:      policy.NamespaceMode{Kind: policy.NamespaceHost},
		UsernsMode:   policy.NamespaceMode{Kind: policy.NamespaceHost},
		CgroupnsMode: policy.NamespaceMode{Kind: policy.NamespacePrivate},
		CgroupParent: "/parent", Cgroup: "container:peer", Networks: []string{"appnet", "backnet"},
		Devices:           []policy.Device{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}},
		DeviceCgroupRules: []string{"c 10:229 rwm"},
		DeviceRequests:    []policy.DeviceRequest{{Driver: "nvidia", Count: -1, DeviceIDs: []string{"0"}, Capabilities: [][]string{{"gpu"}}, Options: map[string]string{"x": "y"}}},
		Sysctls:           map[string]string{"net.ipv4.ip_forward": "1"}, Runtime: "runsc",
		Annotations: map[string]string{"a": "b"}, GroupAdd: []string{"audio"}, Isolation: "process",
		Ports: []policy.PortBinding{
			{ContainerPort: 80, Protocol: policy.ProtocolTCP, HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080},
			{ContainerPort: 53, Protocol: policy.ProtocolUDP},
		},
		PublishAllPorts: true,
		Resources: policy.Resources{Memory: 64 << 20, MemorySwap: 128 << 20, NanoCPUs: 5e8, CPUShares: 512,
			PidsLimit: ptr(int64(100)), OomKillDisable: ptr(false), OomScoreAdj: 10, Init: ptr(true)},
	}
}

// TestModelFieldsAreAllConverted guards the conversion: when a field is added
// to policy.Container this test fails until toCreateBody and infoFromInspect
// handle it (and fullModel sets it).
func TestModelFieldsAreAllConverted(t *testing.T) {
	const known = 42
	if n := reflect.TypeFor[policy.Container]().NumField(); n != known {
		t.Fatalf("policy.Container has %d fields, the adapter handles %d: convert the new ones", n, known)
	}
	m := fullModel()
	v := reflect.ValueOf(m)
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if name == "Invalid" || name == "Capabilities" {
			continue // refused, tested below
		}
		if v.Field(i).IsZero() {
			t.Errorf("fullModel leaves %s unset", name)
		}
	}
}

func TestCreateBodyRoundTrip(t *testing.T) {
	m := fullModel()
	body, err := toCreateBody(engine.CreateRequest{Spec: &m, Settings: engine.CreateSettings{
		RestartPolicy: "on-failure", RestartMaxRetries: 3, HealthInterval: time.Second, StopSignal: "SIGINT",
		TmpfsSize: map[string]int64{"/tmp": 1 << 20},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The wire form: what the SDK sends.
	wire, _ := json.Marshal(struct {
		*container.Config
		HostConfig *container.HostConfig
	}{body.config, body.host})
	for _, want := range []string{`"Binds":["/srv/z:/z:rw,Z"]`, `"SecurityOpt":["no-new-privileges=true","writable-cgroups=false","seccomp={`,
		`"apparmor=my-profile"`, `"label=type:container_t"`, `"PortBindings":{"53/udp":[{"HostIp":"","HostPort":""}],"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]}`,
		`"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}`, `"SizeBytes":1048576`, `"PidsLimit":100`, `"Init":true`} {
		if !strings.Contains(string(wire), want) {
			t.Errorf("wire body lacks %s\n%s", want, wire)
		}
	}
	if len(body.network.EndpointsConfig) != 2 {
		t.Errorf("networks = %v", body.network.EndpointsConfig)
	}

	// Back through inspect: the daemon's view must hold the same model.
	resp := container.InspectResponse{
		ContainerJSONBase: &container.ContainerJSONBase{Name: "/web", HostConfig: body.host},
		Config:            body.config,
	}
	got := infoFromInspect(resp).Spec
	if len(got.Invalid) > 0 {
		t.Fatalf("round trip produced invalid values: %+v", got.Invalid)
	}
	want := fullModel()
	for i := range want.Env {
		want.Env[i].Value = "" // inspect keeps keys only
	}
	want.Networks = nil                                         // taken from NetworkSettings, absent here
	want.Ports[0], want.Ports[1] = want.Ports[1], want.Ports[0] // inspect order: by field
	opts := cmp.Options{
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Field" }, cmp.Ignore()),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Security.Fields" }, cmp.Ignore()),
	}
	// Binds come back before Mounts: compare mounts as a set.
	sortMounts := cmp.Transformer("sortMounts", func(ms []policy.Mount) map[string]policy.Mount {
		out := map[string]policy.Mount{}
		for _, m := range ms {
			m.Field = ""
			out[m.Target] = m
		}
		return out
	})
	if d := cmp.Diff(want, got, append(opts, sortMounts)...); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func TestCreateBodyRefusesWhatItCannotExpress(t *testing.T) {
	for name, m := range map[string]policy.Container{
		"invalid":      {Image: "a", Invalid: []policy.InvalidValue{{Field: "HostConfig.X"}}},
		"capabilities": {Image: "a", Capabilities: []string{"CHOWN"}},
		"npipe mount":  {Image: "a", Mounts: []policy.Mount{{Type: policy.MountNpipe, Source: `\\.\pipe\x`, Target: "/x"}}},
		"bad protocol": {Image: "a", Ports: []policy.PortBinding{{ContainerPort: 1, Protocol: "icmp"}}},
	} {
		if _, err := toCreateBody(engine.CreateRequest{Spec: &m}); !errors.Is(err, engine.ErrRejected) {
			t.Errorf("%s: err = %v, want ErrRejected", name, err)
		}
	}
	if _, err := toCreateBody(engine.CreateRequest{}); !errors.Is(err, engine.ErrRejected) {
		t.Errorf("nil spec: %v", err)
	}
}

func TestMapErr(t *testing.T) {
	if mapErr("x", nil) != nil {
		t.Fatal("nil error mapped to non-nil")
	}
	cause := errors.New(strings.Repeat("é", MaxErrorMessage))
	err := mapErr("container start", cause)
	if !errors.Is(err, engine.ErrDaemon) || !errors.Is(err, cause) {
		t.Errorf("err = %v", err)
	}
	if len(err.Error()) > MaxErrorMessage+100 {
		t.Errorf("message not bounded: %d bytes", len(err.Error()))
	}
}
