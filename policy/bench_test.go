package policy

import (
	"net/netip"
	"strings"
	"testing"
)

// typicalContainer is a decoded typical create request: image, cmd, env,
// labels, a tmpfs, one read-only bind under an allowed root (/srv/app), a
// port on 127.0.0.1 and resource limits.
func typicalContainer() *Container {
	pids := int64(256)
	return &Container{
		Image: "registry.example.com/team/web:1.4.2",
		Name:  "web-1",
		Cmd:   []string{"/usr/local/bin/web", "--listen", ":8080", "--config", "/etc/web/config.yaml"},
		Env: []EnvVar{
			{Key: "PATH", Value: "/usr/local/bin:/usr/bin:/bin", HasValue: true},
			{Key: "APP_ENV", Value: "production", HasValue: true},
			{Key: "API_TOKEN", Value: "secret", HasValue: true},
		},
		Labels:     map[string]string{"app": "web", "team": "platform"},
		WorkingDir: "/app",
		CapDrop:    []string{"NET_RAW"},
		Security:   SecurityOptions{},
		Mounts: []Mount{
			{Field: "HostConfig.Tmpfs[/tmp]", Type: MountTmpfs, Target: "/tmp"},
			{Field: "HostConfig.Binds[0]", Type: MountBind, Source: "/srv/app/config", Target: "/etc/web", ReadOnly: true},
		},
		NetworkMode: NetworkMode{Kind: NetworkBridge},
		Ports: []PortBinding{{Field: "HostConfig.PortBindings[8080/tcp][0]", ContainerPort: 8080, Protocol: ProtocolTCP,
			HostIP: netip.AddrFrom4([4]byte{127, 0, 0, 1}), HostPort: 8080}},
		Resources: Resources{Memory: 256 << 20, NanoCPUs: 1e9, PidsLimit: &pids},
	}
}

// worstCaseContainer sets every field most checks read, with many entries and
// many findings.
func worstCaseContainer() *Container {
	so, _ := ParseSecurityOpts("HostConfig.SecurityOpt", []string{
		"seccomp=" + dockerLikeProfile, "apparmor=unconfined", "label=type:spc_t", "writable-cgroups", "no-new-privileges=false",
	})
	c := typicalContainer()
	c.Privileged = true
	c.Entrypoint = []string{"/bin/sh", "-c"}
	c.Cmd = []string{"nsenter -t 1 -m sh"}
	c.CapAdd = []string{"chown", "cap_sys_admin", "ALL", "net_admin", "bogus"}
	c.Capabilities = []string{"CAP_SYS_MODULE"}
	c.Security = so
	c.MaskedPaths = []string{}
	c.ReadonlyPaths = []string{}
	c.PIDMode = NamespaceMode{Kind: NamespaceHost}
	c.NetworkMode = NetworkMode{Kind: NetworkHost}
	c.Devices = []Device{{PathOnHost: "/dev/sda"}, {PathOnHost: "/dev/../dev/mem"}}
	c.DeviceCgroupRules = []string{"b *:* rwm"}
	c.Sysctls = map[string]string{"kernel.core_pattern": "|/x", "net/ipv4/ip_forward": "1", "net.ipv4.tcp_syncookies": "1"}
	c.Runtime = "runsc"
	c.Annotations = map[string]string{"io.katacontainers.config.hypervisor.path": "/x"}
	c.WorkingDir = "/proc/self/fd/7"
	c.Healthcheck = &Healthcheck{Test: []string{"CMD-SHELL", "mount /dev/sda1 /mnt"}}
	for i := 0; i < 20; i++ {
		c.Env = append(c.Env, EnvVar{Key: "VAR_" + strings.Repeat("X", i), Value: "v", HasValue: true})
	}
	c.Invalid = []InvalidValue{{Field: "HostConfig.Foo", Value: "bar", Reason: "unmapped field"}}
	return c
}

func BenchmarkEvaluateTypical(b *testing.B) {
	e, err := New(Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "/srv/app"}}}})
	if err != nil {
		b.Fatal(err)
	}
	c := typicalContainer()
	if d := e.Container(c); !d.Allowed {
		b.Fatalf("typical request denied: %v", d.Findings)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Container(c)
	}
}

func BenchmarkEvaluateWorstCase(b *testing.B) {
	e, err := New(Config{Level: LevelRestricted})
	if err != nil {
		b.Fatal(err)
	}
	c := worstCaseContainer()
	if d := e.Container(c); d.Allowed {
		b.Fatal("worst-case request allowed")
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Container(c)
	}
}

// BenchmarkEvaluateTypicalChecksOnly is the typical request without a command
// validator: the evaluator and the checks alone.
func BenchmarkEvaluateTypicalChecksOnly(b *testing.B) {
	e, err := NewEvaluator(Config{Exceptions: Exceptions{BindRoots: []BindRoot{{Path: "/srv/app"}}}}, DefaultChecks()...)
	if err != nil {
		b.Fatal(err)
	}
	c := typicalContainer()
	if d := e.Container(c); !d.Allowed {
		b.Fatalf("typical request denied: %v", d.Findings)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Container(c)
	}
}
