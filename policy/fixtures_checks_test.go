package policy

import (
	"net/netip"
	"slices"
	"strings"
)

// Golden fixtures for the non-mount checks, including the bypass spellings.

func init() { addFixtures(nonMountFixtures) }

// baseContainer is an ordinary request that every baseline check allows.
func baseContainer() *fixtureContainer {
	return &fixtureContainer{Container: Container{Image: "alpine:3.20", Cmd: []string{"sleep", "60"}}}
}

// restrictedContainer is an ordinary request that every restricted check allows.
func restrictedContainer() *fixtureContainer {
	pids := int64(128)
	fc := baseContainer()
	fc.User = "65532:65532"
	fc.CapDrop = []string{"ALL"}
	fc.SecurityOpt = []string{"no-new-privileges"}
	fc.ReadonlyRootfs = true
	fc.Resources = Resources{Memory: 128 << 20, PidsLimit: &pids}
	return fc
}

func nonMountFixtures() []fixture {
	var out []fixture
	c := func(level Level, pass bool, check CheckID, name string, mod func(*fixtureContainer), cfg ...fixtureConfig) {
		fc := baseContainer()
		if level == LevelRestricted {
			fc = restrictedContainer()
		}
		mod(fc)
		f := fixture{level: level, pass: pass, check: check, name: name, file: fixtureFile{Container: fc}}
		if len(cfg) > 0 {
			f.file.Config = &cfg[0]
		}
		out = append(out, f)
	}
	x := func(level Level, pass bool, check CheckID, name string, ex Exec) {
		if ex.Cmd == nil {
			ex.Cmd = []string{"ls", "-l"}
		}
		if level == LevelRestricted && ex.User == "" {
			ex.User = "1000"
		}
		out = append(out, fixture{level: level, pass: pass, check: check, name: name, file: fixtureFile{Exec: &ex}})
	}
	const B, R = LevelBaseline, LevelRestricted

	// privileged
	c(B, true, "privileged", "default", func(*fixtureContainer) {})
	c(B, false, "privileged", "container", func(fc *fixtureContainer) { fc.Privileged = true })
	x(B, true, "privileged", "exec-default", Exec{})
	x(B, false, "privileged", "exec", Exec{Privileged: true})

	// capabilities
	c(B, true, "capabilities", "default-set-any-spelling", func(fc *fixtureContainer) {
		fc.CapAdd = []string{"chown", "CAP_NET_RAW", "Kill", "cap_net_bind_service"}
	})
	c(B, true, "capabilities", "excepted", func(fc *fixtureContainer) { fc.CapAdd = []string{"NET_ADMIN"} },
		fixtureConfig{Exceptions: Exceptions{Capabilities: []string{"cap_net_admin"}}})
	for name, v := range map[string]string{
		"sys-admin-lower": "sys_admin", "cap-sys-admin-lower": "cap_sys_admin", "cap-sys-admin-upper": "CAP_SYS_ADMIN",
		"mixed-case": "Cap_Sys_Admin", "unicode-long-s": "cap_\u017fys_admin", "all": "ALL", "all-lower": "all",
		"unknown": "SYS_ADMINISTRATOR", "sys-ptrace": "SYS_PTRACE", "sys-module": "sys_module", "dac-read-search": "DAC_READ_SEARCH",
		"net-admin": "NET_ADMIN", "bpf": "bpf",
	} {
		c(B, false, "capabilities", name, func(fc *fixtureContainer) { fc.CapAdd = []string{"CHOWN", v} })
	}
	c(B, false, "capabilities", "legacy-capabilities-field", func(fc *fixtureContainer) { fc.Capabilities = []string{"CAP_SYS_MODULE"} })

	// hostNamespaces
	c(B, true, "hostNamespaces", "private-modes", func(fc *fixtureContainer) {
		fc.NetworkMode, fc.IpcMode, fc.UsernsMode, fc.CgroupnsMode = "bridge", "shareable", "private", "private"
	})
	c(B, true, "hostNamespaces", "user-network", func(fc *fixtureContainer) { fc.NetworkMode = "backend"; fc.Networks = []string{"backend"} })
	for name, mod := range map[string]func(*fixtureContainer){
		"network-host":           func(fc *fixtureContainer) { fc.NetworkMode = "host" },
		"network-container":      func(fc *fixtureContainer) { fc.NetworkMode = "container:db" },
		"pid-host":               func(fc *fixtureContainer) { fc.PidMode = "host" },
		"pid-container":          func(fc *fixtureContainer) { fc.PidMode = "container:web" },
		"ipc-host":               func(fc *fixtureContainer) { fc.IpcMode = "host" },
		"ipc-container":          func(fc *fixtureContainer) { fc.IpcMode = "container:web" },
		"uts-host":               func(fc *fixtureContainer) { fc.UTSMode = "host" },
		"userns-host":            func(fc *fixtureContainer) { fc.UsernsMode = "host" },
		"cgroupns-host":          func(fc *fixtureContainer) { fc.CgroupnsMode = "host" },
		"cgroup-container":       func(fc *fixtureContainer) { fc.Cgroup = "container:web" },
		"endpoints-host":         func(fc *fixtureContainer) { fc.Networks = []string{"host"} },
		"endpoints-host-upper":   func(fc *fixtureContainer) { fc.Networks = []string{"bridge", "HOST"} },
		"network-mode-uppercase": func(fc *fixtureContainer) { fc.NetworkMode = "Host" },
	} {
		check := CheckID("hostNamespaces")
		if name == "network-mode-uppercase" {
			check = "unrecognised"
		}
		c(B, false, check, name, mod)
	}

	// seccomp
	c(B, true, "seccomp", "builtin", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"seccomp=builtin"} })
	c(B, true, "seccomp", "docker-like-profile", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"seccomp=" + compactJSON(dockerLikeProfile)} })
	c(B, true, "seccomp", "narrow-profile", func(fc *fixtureContainer) {
		fc.SecurityOpt = []string{`seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}`}
	})
	for name, opt := range map[string]string{
		"unconfined-equals":     "seccomp=unconfined",
		"unconfined-colon":      "seccomp:unconfined",
		"allow-default":         `seccomp={"defaultAction":"SCMP_ACT_ALLOW"}`,
		"log-default":           `seccomp={"defaultAction":"SCMP_ACT_LOG"}`,
		"case-folded-key":       `seccomp={"DefaultAction":"SCMP_ACT_ALLOW"}`,
		"duplicate-key":         `seccomp={"defaultAction":"SCMP_ACT_ERRNO","defaultAction":"SCMP_ACT_ALLOW"}`,
		"allows-mount":          `seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount","umount2"],"action":"SCMP_ACT_ALLOW"}]}`,
		"logs-unshare":          `seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"unshare","action":"SCMP_ACT_LOG"}]}`,
		"allows-clone-any-flag": `seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW"}]}`,
		"unparsable":            `seccomp={"defaultAction":`,
		"empty-object-disables": `seccomp={}`,
	} {
		c(B, false, "seccomp", name, func(fc *fixtureContainer) { fc.SecurityOpt = []string{opt} })
	}

	// apparmor
	c(B, true, "apparmor", "docker-default", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"apparmor=docker-default"} })
	c(B, true, "apparmor", "excepted-profile", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"apparmor=web-profile"} },
		fixtureConfig{Exceptions: Exceptions{AppArmorProfiles: []string{"web-profile"}}})
	c(B, false, "apparmor", "unconfined-equals", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"apparmor=unconfined"} })
	c(B, false, "apparmor", "unconfined-colon", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"apparmor:unconfined"} })
	c(B, false, "apparmor", "other-profile", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"apparmor=permissive"} })

	// selinux
	c(B, true, "selinux", "level", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"label=level:s0:c100,c200"} })
	c(B, true, "selinux", "container-type", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"label=type:container_t"} })
	for name, opt := range map[string]string{
		"disable-equals": "label=disable", "disable-colon": "label:disable", "bare-disable": "disable",
		"spc-t": "label=type:spc_t", "unconfined-t": "label:type:unconfined_t", "user": "label=user:system_u", "role": "label=role:system_r",
	} {
		c(B, false, "selinux", name, func(fc *fixtureContainer) { fc.SecurityOpt = []string{opt} })
	}

	// writableCgroups
	c(B, true, "writableCgroups", "false", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"writable-cgroups=false"} })
	c(B, false, "writableCgroups", "bare", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"writable-cgroups"} })
	c(B, false, "writableCgroups", "colon-true", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"writable-cgroups:true"} })

	// systemPaths
	c(B, true, "systemPaths", "superset", func(fc *fixtureContainer) {
		fc.MaskedPaths = append(slices.Clone(defaultMaskedPaths), "/proc/extra")
		fc.ReadonlyPaths = slices.Clone(defaultReadonlyPaths)
	})
	c(B, false, "systemPaths", "systempaths-unconfined", func(fc *fixtureContainer) { fc.MaskedPaths, fc.ReadonlyPaths = []string{}, []string{} })
	c(B, false, "systemPaths", "kcore-unmasked", func(fc *fixtureContainer) {
		fc.MaskedPaths = slices.DeleteFunc(slices.Clone(defaultMaskedPaths), func(s string) bool { return s == "/proc/kcore" })
	})
	c(B, false, "systemPaths", "proc-sys-writable", func(fc *fixtureContainer) { fc.ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq"} })

	// devices
	devEx := fixtureConfig{Exceptions: Exceptions{Devices: []string{"/dev/fuse"}, DeviceRequests: []string{"nvidia"}}}
	c(B, true, "devices", "excepted", func(fc *fixtureContainer) {
		fc.Devices = []Device{{Field: "HostConfig.Devices[0]", PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}}
	}, devEx)
	c(B, true, "devices", "excepted-driver", func(fc *fixtureContainer) {
		fc.DeviceRequests = []DeviceRequest{{Field: "HostConfig.DeviceRequests[0]", Driver: "nvidia", Count: 1, Capabilities: [][]string{{"gpu"}}}}
	}, devEx)
	for name, p := range map[string]string{"disk": "/dev/sda", "mem": "/dev/mem", "dotdot": "/dev/../dev/sda", "dir": "/dev",
		"trailing-slash": "/dev/fuse/", "double-slash": "//dev/fuse", "relative": "dev/fuse"} {
		c(B, false, "devices", name, func(fc *fixtureContainer) {
			fc.Devices = []Device{{Field: "HostConfig.Devices[0]", PathOnHost: p, PathInContainer: "/dev/x", CgroupPermissions: "rwm"}}
		}, devEx)
	}
	c(B, false, "devices", "cgroup-rule", func(fc *fixtureContainer) { fc.DeviceCgroupRules = []string{"b *:* rwm"} }, devEx)
	c(B, false, "devices", "gpus-all", func(fc *fixtureContainer) {
		fc.DeviceRequests = []DeviceRequest{{Field: "HostConfig.DeviceRequests[0]", Count: -1, Capabilities: [][]string{{"gpu"}}}}
	}, devEx)

	// sysctls
	c(B, true, "sysctls", "allow-listed", func(fc *fixtureContainer) {
		fc.Sysctls = map[string]string{"net.ipv4.ip_unprivileged_port_start": "0", "net/ipv4/tcp_syncookies": "1"}
	})
	c(B, true, "sysctls", "excepted", func(fc *fixtureContainer) { fc.Sysctls = map[string]string{"net/core/somaxconn": "1024"} },
		fixtureConfig{Exceptions: Exceptions{Sysctls: []string{"net.core.somaxconn"}}})
	c(B, false, "sysctls", "ip-forward", func(fc *fixtureContainer) { fc.Sysctls = map[string]string{"net.ipv4.ip_forward": "1"} })
	c(B, false, "sysctls", "ip-forward-slashes", func(fc *fixtureContainer) { fc.Sysctls = map[string]string{"net/ipv4/ip_forward": "1"} })
	c(B, false, "sysctls", "core-pattern", func(fc *fixtureContainer) { fc.Sysctls = map[string]string{"kernel.core_pattern": "|/tmp/x"} })
	c(B, false, "sysctls", "allowed-net-key-on-shared-netns", func(fc *fixtureContainer) {
		fc.NetworkMode = "container:web"
		fc.Sysctls = map[string]string{"net.ipv4.ping_group_range": "0 2147483647"}
	})

	// runtime
	c(B, true, "runtime", "runc", func(fc *fixtureContainer) { fc.Runtime = "runc" })
	c(B, true, "runtime", "excepted", func(fc *fixtureContainer) { fc.Runtime = "runsc" }, fixtureConfig{Exceptions: Exceptions{Runtimes: []string{"runsc"}}})
	c(B, false, "runtime", "other", func(fc *fixtureContainer) { fc.Runtime = "nvidia" })

	// annotations
	c(B, true, "annotations", "excepted", func(fc *fixtureContainer) { fc.Annotations = map[string]string{"org.example.team/owner": "web"} },
		fixtureConfig{Exceptions: Exceptions{Annotations: []string{"org.example.team/*"}}})
	c(B, false, "annotations", "kata", func(fc *fixtureContainer) {
		fc.Annotations = map[string]string{"io.katacontainers.config.hypervisor.path": "/usr/bin/evil"}
	})

	// workingDir
	c(B, true, "workingDir", "app", func(fc *fixtureContainer) { fc.WorkingDir = "/app" })
	c(B, true, "workingDir", "procfoo", func(fc *fixtureContainer) { fc.WorkingDir = "/procfoo" })
	for name, wd := range map[string]string{"proc-self-fd": "/proc/self/fd/7", "double-slash": "//proc/self/fd/7", "dotdot": "/app/../proc/1/cwd",
		"thread-self-root": "/proc/thread-self/root", "dev-fd": "/dev/fd/8", "relative": "proc/self/fd/7"} {
		c(B, false, "workingDir", name, func(fc *fixtureContainer) { fc.WorkingDir = wd })
	}
	x(B, true, "workingDir", "exec-app", Exec{WorkingDir: "/app"})
	x(B, false, "workingDir", "exec-proc-self-fd", Exec{WorkingDir: "/proc/self/fd/3"})

	// env
	c(B, true, "env", "ordinary", func(fc *fixtureContainer) {
		fc.Env = []EnvVar{{Key: "PATH", Value: "/bin", HasValue: true}, {Key: "spring.profiles.active", Value: "prod", HasValue: true}, {Key: "UNSET"}}
	})
	c(B, false, "env", "empty-key", func(fc *fixtureContainer) { fc.Env = []EnvVar{{Key: "", Value: "hidden-value", HasValue: true}} })
	c(B, false, "env", "space-in-key", func(fc *fixtureContainer) { fc.Env = []EnvVar{{Key: "A B", Value: "hidden-value", HasValue: true}} })
	x(B, false, "env", "exec-nul-in-value", Exec{Env: []EnvVar{{Key: "TOKEN", Value: "hidden\x00value", HasValue: true}}})

	// codeLoadingEnv
	c(B, true, "codeLoadingEnv", "plain-env", func(fc *fixtureContainer) {
		fc.Env = []EnvVar{{Key: "PATH", Value: "/usr/local/bin:/usr/bin:/bin", HasValue: true},
			{Key: "PS1", Value: `\u@\h:\w\$ `, HasValue: true}, {Key: "LD_PRELOAD"}}
	})
	c(B, false, "codeLoadingEnv", "ld-preload", func(fc *fixtureContainer) {
		fc.Env = []EnvVar{{Key: "LANG", Value: "C.UTF-8", HasValue: true}, {Key: "LD_PRELOAD", Value: "/tmp/hook.so", HasValue: true}}
	})
	x(B, false, "codeLoadingEnv", "exec-bash-env", Exec{Cmd: []string{"bash", "-c", "ls"},
		Env: []EnvVar{{Key: "BASH_ENV", Value: "/tmp/startup.sh", HasValue: true}}})

	// commands
	c(B, true, "commands", "plain", func(fc *fixtureContainer) { fc.Cmd = []string{"nginx", "-g", "daemon off;"} })
	c(B, true, "commands", "shell-mentions-only", func(fc *fixtureContainer) { fc.Cmd = []string{"sh", "-c", "echo nsenter; grep mount /etc/fstab"} })
	c(B, true, "commands", "healthcheck", func(fc *fixtureContainer) {
		fc.Healthcheck = &Healthcheck{Test: []string{"CMD-SHELL", "wget -q -O- localhost || exit 1"}}
	})
	c(B, false, "commands", "sh-c-nsenter", func(fc *fixtureContainer) { fc.Cmd = []string{"sh", "-c", "nsenter -t 1 -m sh"} })
	c(B, false, "commands", "entrypoint-nsenter", func(fc *fixtureContainer) {
		fc.Entrypoint = []string{"/usr/bin/nsenter"}
		fc.Cmd = []string{"-t", "1", "-m", "sh"}
	})
	c(B, false, "commands", "wrapped", func(fc *fixtureContainer) { fc.Cmd = []string{"env", "A=1", "nice", "-n", "5", "unshare", "-r"} })
	c(B, false, "commands", "healthcheck-cmd-shell", func(fc *fixtureContainer) {
		fc.Healthcheck = &Healthcheck{Test: []string{"CMD-SHELL", "true; mount /dev/sda1 /mnt"}}
	})
	c(B, false, "commands", "healthcheck-cmd", func(fc *fixtureContainer) { fc.Healthcheck = &Healthcheck{Test: []string{"CMD", "chroot", "/host"}} })
	c(B, false, "commands", "healthcheck-custom-shell", func(fc *fixtureContainer) {
		fc.Shell = []string{"/usr/bin/nsenter", "-t", "1", "-m", "sh", "-c"}
		fc.Healthcheck = &Healthcheck{Test: []string{"CMD-SHELL", "true"}}
	})
	x(B, true, "commands", "exec-plain", Exec{Cmd: []string{"cat", "/etc/os-release"}})
	x(B, false, "commands", "exec-bash-c", Exec{Cmd: []string{"bash", "-c", "nsenter --target 1 --mount --pid"}})

	// unrecognised
	c(B, false, "unrecognised", "security-opt-unknown-key", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"Seccomp=unconfined"} })
	c(B, false, "unrecognised", "systempaths-key", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"systempaths=unconfined"} })
	c(B, false, "unrecognised", "pid-mode-typo", func(fc *fixtureContainer) { fc.PidMode = "hots" })
	c(B, false, "unrecognised", "decoder-invalid", func(fc *fixtureContainer) {
		fc.Invalid = []InvalidValue{{Field: "HostConfig.Binds", Value: "top-level HostConfig", Reason: "unmapped field"}}
	})
	c(B, false, "unrecognised", "isolation", func(fc *fixtureContainer) { fc.Isolation = "weird" })
	x(B, false, "unrecognised", "exec-invalid", Exec{Invalid: []InvalidValue{{Field: "ConsoleSize", Value: "x", Reason: "unparsable"}}})
	out = append(out, fixture{level: B, pass: false, check: "unrecognised", name: "volume-invalid",
		file: fixtureFile{Volume: &VolumeCreate{Name: "data", Invalid: []InvalidValue{{Field: "ClusterVolumeSpec", Value: "{}", Reason: "unmapped field"}}}}})

	// imageDigest
	digest := "alpine@sha256:" + strings.Repeat("ab", 32)
	c(B, true, "imageDigest", "pinned", func(fc *fixtureContainer) { fc.Image = digest }, fixtureConfig{RequireDigest: true})
	c(B, true, "imageDigest", "not-required", func(*fixtureContainer) {})
	c(B, false, "imageDigest", "tag-only", func(*fixtureContainer) {}, fixtureConfig{RequireDigest: true})

	// Restricted.
	c(R, true, "runAsNonRoot", "numeric", func(*fixtureContainer) {})
	for name, u := range map[string]string{"empty": "", "root": "root", "uid-0": "0", "uid-0-group": "0:1000", "name": "nobody"} {
		c(R, false, "runAsNonRoot", name, func(fc *fixtureContainer) { fc.User = u })
	}
	x(R, true, "runAsNonRoot", "exec-numeric", Exec{User: "1000"})
	x(R, false, "runAsNonRoot", "exec-root", Exec{User: "root"})
	c(R, true, "capabilitiesRestricted", "net-bind-service", func(fc *fixtureContainer) { fc.CapAdd = []string{"cap_net_bind_service"} })
	c(R, true, "capabilitiesRestricted", "drop-all-lower", func(fc *fixtureContainer) { fc.CapDrop = []string{"all"} })
	c(R, false, "capabilitiesRestricted", "no-drop-all", func(fc *fixtureContainer) { fc.CapDrop = []string{"NET_RAW"} })
	c(R, false, "capabilitiesRestricted", "add-back-net-raw", func(fc *fixtureContainer) { fc.CapAdd = []string{"NET_RAW"} })
	c(R, false, "noNewPrivileges", "unset", func(fc *fixtureContainer) { fc.SecurityOpt = nil })
	c(R, false, "noNewPrivileges", "false", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"no-new-privileges=false"} })
	c(R, true, "noNewPrivileges", "colon-true", func(fc *fixtureContainer) { fc.SecurityOpt = []string{"no-new-privileges:true"} })
	c(R, false, "readOnlyRootfs", "writable", func(fc *fixtureContainer) { fc.ReadonlyRootfs = false })
	c(R, false, "resourceLimits", "no-memory", func(fc *fixtureContainer) { fc.Resources.Memory = 0 })
	c(R, false, "resourceLimits", "unlimited-pids", func(fc *fixtureContainer) { n := int64(-1); fc.Resources.PidsLimit = &n })
	lo := func(ip string) PortBinding {
		var a netip.Addr
		if ip != "" {
			a = netip.MustParseAddr(ip)
		}
		return PortBinding{Field: "HostConfig.PortBindings[8080/tcp][0]", ContainerPort: 8080, Protocol: ProtocolTCP, HostIP: a, HostPort: 8080}
	}
	c(R, true, "loopbackPorts", "loopback", func(fc *fixtureContainer) { fc.Ports = []PortBinding{lo("127.0.0.1")} })
	c(R, true, "loopbackPorts", "loopback-v6", func(fc *fixtureContainer) { fc.Ports = []PortBinding{lo("::1")} })
	c(R, false, "loopbackPorts", "all-interfaces", func(fc *fixtureContainer) { fc.Ports = []PortBinding{lo("")} })
	c(R, false, "loopbackPorts", "any-address", func(fc *fixtureContainer) { fc.Ports = []PortBinding{lo("0.0.0.0")} })
	c(R, false, "loopbackPorts", "publish-all", func(fc *fixtureContainer) { fc.PublishAllPorts = true })
	c(R, false, "cgroupParent", "set", func(fc *fixtureContainer) { fc.CgroupParent = "/system.slice" })
	return out
}

// compactJSON removes insignificant whitespace, as the CLI does when it
// inlines a seccomp profile.
func compactJSON(s string) string {
	var b strings.Builder
	inString, escaped := false, false
	for _, r := range s {
		switch {
		case inString:
			b.WriteRune(r)
			if escaped {
				escaped = false
			} else if r == '\\' {
				escaped = true
			} else if r == '"' {
				inString = false
			}
		case r == '"':
			inString = true
			b.WriteRune(r)
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
