package policy

// Golden fixtures for the mount, path and volume checks, including the bypass
// spellings of escape-rules §3.1 and §3.2.

func init() { addFixtures(mountFixtures) }

func mountFixtures() []fixture {
	var out []fixture
	roots := func(rs ...BindRoot) fixtureConfig { return fixtureConfig{Exceptions: Exceptions{BindRoots: rs}} }
	ro := func(p string) BindRoot { return BindRoot{Path: p} }
	rw := func(p string) BindRoot { return BindRoot{Path: p, Writable: true} }
	data := roots(ro("/srv/data"), rw("/srv/work"))
	add := func(level Level, pass bool, check CheckID, name string, mod func(*fixtureContainer), cfg ...fixtureConfig) {
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
	binds := func(specs ...string) func(*fixtureContainer) {
		return func(fc *fixtureContainer) { fc.Binds = specs }
	}
	mounts := func(ms ...Mount) func(*fixtureContainer) {
		return func(fc *fixtureContainer) {
			for i := range ms {
				ms[i].Field = indexField("HostConfig.Mounts", i)
			}
			fc.Mounts = ms
		}
	}
	vol := func(level Level, pass bool, name string, v VolumeCreate, cfg ...fixtureConfig) {
		f := fixture{level: level, pass: pass, check: "volumeDriverOptions", name: name, file: fixtureFile{Volume: &v}}
		if len(cfg) > 0 {
			f.file.Config = &cfg[0]
		}
		out = append(out, f)
	}
	const B, R = LevelBaseline, LevelRestricted

	// hostMounts
	add(B, true, "hostMounts", "read-only-under-root", binds("/srv/data/project:/src:ro"), data)
	add(B, true, "hostMounts", "writable-under-writable-root", func(fc *fixtureContainer) {
		fc.User = "1000:1000"
		fc.Binds = []string{"/srv/work/out:/out"}
	}, data)
	add(B, true, "hostMounts", "spelling-variants-cleaned", binds("//srv//data/./a/:/a:ro", "/srv/work/../data/b:/b:ro,rslave"), data)
	add(B, true, "hostMounts", "volumes-and-tmpfs", func(fc *fixtureContainer) {
		fc.Binds = []string{"cache:/cache", "/anon"}
		fc.Mounts = []Mount{{Field: "HostConfig.Mounts[0]", Type: MountTmpfs, Target: "/tmp"}}
	})
	add(R, true, "hostMounts", "restricted-read-only-under-root", binds("/srv/data:/data:ro"), data)
	add(B, false, "hostMounts", "no-bind-roots", binds("/tmp/x:/x:ro"))
	add(B, false, "hostMounts", "outside-roots", binds("/opt/app:/app:ro"), data)
	add(B, false, "hostMounts", "dotdot-escape", binds("/srv/data/../../opt:/x:ro"), data)
	add(B, false, "hostMounts", "component-prefix", binds("/srv/database:/x:ro"), data)
	add(B, false, "hostMounts", "parent-of-root", binds("/srv:/x:ro"), data)
	add(B, false, "hostMounts", "writable-under-read-only-root", func(fc *fixtureContainer) {
		fc.User = "1000"
		fc.Binds = []string{"/srv/data:/x"}
	}, data)
	add(B, false, "hostMounts", "read-only-non-recursive", func(fc *fixtureContainer) {
		fc.User = "1000"
		mounts(Mount{Type: MountBind, Source: "/srv/data", Target: "/x", ReadOnly: true, ReadOnlyNonRecursive: true})(fc)
	}, data)
	add(B, false, "hostMounts", "create-mountpoint-read-only-root",
		mounts(Mount{Type: MountBind, Source: "/srv/data/new", Target: "/x", ReadOnly: true, CreateMountpoint: true}), data)
	add(B, false, "hostMounts", "relative-binds-source", binds("./data:/x:ro"), data)
	add(B, false, "hostMounts", "relative-mounts-source", mounts(Mount{Type: MountBind, Source: "srv/data", Target: "/x", ReadOnly: true}), data)
	add(B, false, "hostMounts", "backslash-source", mounts(Mount{Type: MountBind, Source: `/srv/data\..\..\etc`, Target: "/x", ReadOnly: true}), data)
	add(B, false, "hostMounts", "windows-drive-source", mounts(Mount{Type: MountBind, Source: `C:\Windows`, Target: "/x", ReadOnly: true}), data)
	add(B, false, "hostMounts", "npipe", mounts(Mount{Type: MountNpipe, Source: `\\.\pipe\docker_engine`, Target: `\\.\pipe\docker_engine`}))
	add(B, false, "hostMounts", "cluster", mounts(Mount{Type: MountCluster, Source: "csi-vol", Target: "/x"}))
	add(B, false, "hostMounts", "volume-subpath-escape", mounts(Mount{Type: MountVolume, Source: "data", Target: "/x", Subpath: "../../etc"}))

	// sensitivePaths: every spelling of an engine socket, their ancestors,
	// system and credential paths; denied even read-only and under a root "/srv".
	for name, src := range map[string]string{
		"docker-sock":             "/var/run/docker.sock",
		"docker-sock-run":         "/run/docker.sock",
		"docker-sock-double":      "//var//run/docker.sock",
		"docker-sock-dotdot":      "/tmp/../var/run/docker.sock",
		"docker-sock-dot-slash":   "/var/run/./docker.sock/",
		"docker-sock-raw":         "/var/run/docker.sock.raw",
		"containerd":              "/run/containerd/containerd.sock",
		"crio":                    "/var/run/crio/crio.sock",
		"podman":                  "/run/podman/podman.sock",
		"podman-rootless":         "/run/user/1000/podman/podman.sock",
		"docker-rootless":         "/run/user/1000/docker.sock",
		"dockershim":              "/var/run/dockershim.sock",
		"buildkit":                "/run/buildkit/buildkitd.sock",
		"dbus-system":             "/run/dbus/system_bus_socket",
		"systemd-private":         "/run/systemd/private",
		"desktop-user-socket":     "/Users/me/.docker/run/docker.sock",
		"parent-var-run":          "/var/run",
		"parent-run":              "/run/",
		"parent-var":              "/var",
		"parent-containerd":       "/run/containerd",
		"host-root":               "/",
		"etc":                     "/etc",
		"etc-shadow":              "/etc/shadow",
		"etc-upper-case":          "/ETC",
		"proc":                    "/proc",
		"sys-cgroup":              "/sys/fs/cgroup",
		"dev":                     "/dev",
		"boot":                    "/boot",
		"root-home":               "/root",
		"usr-bin":                 "/usr/bin",
		"lib-modules":             "/lib/modules",
		"var-lib-docker":          "/var/lib/docker",
		"var-lib-docker-dotdot":   "/var/lib/x/../docker/volumes",
		"var-lib-kubelet":         "/var/lib/kubelet/pods",
		"var-log":                 "/var/log",
		"home-dir":                "/home/alice",
		"ssh":                     "/home/alice/.ssh",
		"aws-under-root":          "/srv/app/.aws/credentials",
		"kube":                    "/srv/.kube/config",
		"docker-config":           "/srv/me/.docker/config.json",
		"gcloud":                  "/srv/me/.config/gcloud",
		"id-rsa":                  "/srv/keys/id_rsa",
		"netrc":                   "/srv/me/.netrc",
		"ssh-upper-case":          "/srv/me/.SSH",
		"gnupg":                   "/srv/me/.gnupg",
		"lib64":                   "/lib64",
		"var-run-secrets-rootful": "/var/run/secrets/kubernetes.io",
	} {
		add(B, false, "sensitivePaths", name, binds(src+":/x:ro"), roots(ro("/srv")))
	}
	add(B, false, "sensitivePaths", "mounts-docker-sock", mounts(Mount{Type: MountBind, Source: "/var/run/docker.sock", Target: "/var/run/docker.sock", ReadOnly: true}), roots(ro("/var/run/x")))
	add(B, false, "sensitivePaths", "npipe-forward-slashes", mounts(Mount{Type: MountBind, Source: "//./pipe/docker_engine", Target: "/p", ReadOnly: true}))
	add(B, false, "sensitivePaths", "ancestor-of-allowed-root", binds("/var/log:/x:ro"), roots(ro("/var/log/app")))
	add(B, false, "sensitivePaths", "credentials-under-home-root", binds("/home/alice/.ssh:/x:ro"), roots(ro("/home/alice")))
	add(B, true, "sensitivePaths", "home-subdirectory", binds("/home/alice/src:/src:ro"), roots(ro("/home/alice")))
	add(B, true, "sensitivePaths", "exactly-named-log-dir", binds("/var/log/app/today:/logs:ro"), roots(ro("/var/log/app")))
	add(B, true, "sensitivePaths", "exactly-named-socket", binds("/var/run/docker.sock:/var/run/docker.sock:ro"), roots(ro("/run/docker.sock")))
	add(B, true, "sensitivePaths", "lookalike-names", binds("/srv/etcetera:/a:ro", "/srv/procfoo:/b:ro", "/srv/notid_rsa:/c:ro"), roots(ro("/srv")))

	// mountPropagation
	add(B, true, "mountPropagation", "rslave", binds("/srv/data:/x:ro,rslave"), data)
	add(B, false, "mountPropagation", "shared", binds("/srv/data:/x:ro,shared"), data)
	add(B, false, "mountPropagation", "rshared-after-label", binds("/srv/data:/x:ro,rshared"), data)
	add(B, false, "mountPropagation", "mounts-rshared", mounts(Mount{Type: MountBind, Source: "/srv/data", Target: "/x", ReadOnly: true, Propagation: PropagationRShared}), data)

	// selinuxRelabel
	add(B, true, "selinuxRelabel", "volume-relabel", binds("cache:/cache:z"))
	add(B, false, "selinuxRelabel", "shared-relabel", binds("/srv/data:/x:ro,z"), data)
	add(B, false, "selinuxRelabel", "private-relabel", binds("/srv/data:/x:Z,ro"), data)

	// volumesFrom
	add(B, false, "volumesFrom", "donor", func(fc *fixtureContainer) { fc.VolumesFrom = []string{"donor:ro"} })

	// rootWritableBind
	add(B, true, "rootWritableBind", "numeric-user", func(fc *fixtureContainer) {
		fc.User = "1000:1000"
		fc.Binds = []string{"/srv/work:/w"}
	}, data)
	add(B, false, "rootWritableBind", "unset-user", binds("/srv/work:/w"), data)
	add(B, false, "rootWritableBind", "root-user", func(fc *fixtureContainer) {
		fc.User = "0:0"
		fc.Binds = []string{"/srv/work:/w:rw"}
	}, data)
	add(B, false, "rootWritableBind", "named-user", func(fc *fixtureContainer) {
		fc.User = "app"
		fc.Binds = []string{"/srv/work:/w"}
	}, data)

	// volumeDriverOptions: container mounts
	v := func(driver string, opts map[string]string) func(*fixtureContainer) {
		return mounts(Mount{Type: MountVolume, Source: "data", Target: "/x", VolumeDriver: driver, VolumeOptions: opts})
	}
	add(B, true, "volumeDriverOptions", "tmpfs-volume", v("local", map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=64m,uid=1000"}))
	// An allowed plugin (Exceptions.VolumeDrivers) is covered by the table test
	// until the evaluator copies that exception into its settings.
	add(B, false, "volumeDriverOptions", "bind", v("local", map[string]string{"type": "none", "o": "bind", "device": "/"}))
	add(B, false, "volumeDriverOptions", "ro-bind", v("", map[string]string{"type": "tmpfs", "o": "ro,bind", "device": "tmpfs"}))
	add(B, false, "volumeDriverOptions", "rbind-spaces", v("", map[string]string{"type": "tmpfs", "o": "size=1m , rbind"}))
	add(B, false, "volumeDriverOptions", "type-none", v("local", map[string]string{"type": "none"}))
	add(B, false, "volumeDriverOptions", "block-device", v("local", map[string]string{"type": "ext4", "device": "/dev/sda1"}))
	add(B, false, "volumeDriverOptions", "nfs", v("local", map[string]string{"type": "nfs", "o": "addr=10.0.0.1", "device": ":/export"}))
	add(B, false, "volumeDriverOptions", "plugin", v("vieux/sshfs", nil))
	add(B, false, "volumeDriverOptions", "plugin-host-config", func(fc *fixtureContainer) {
		fc.VolumeDriver = "vieux/sshfs"
		fc.Binds = []string{"remote:/x"}
	})
	// volumeDriverOptions: POST /volumes/create
	vol(B, true, "create-plain", VolumeCreate{Name: "data"})
	vol(B, true, "create-tmpfs", VolumeCreate{Name: "scratch", Driver: "local", DriverOpts: map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=64m"}})
	vol(B, false, "create-bind-host-root", VolumeCreate{Name: "hostroot", DriverOpts: map[string]string{"type": "none", "o": "bind", "device": "/"}})
	vol(B, false, "create-ro-bind", VolumeCreate{Name: "h1", Driver: "local", DriverOpts: map[string]string{"type": "none", "o": "ro,bind", "device": "/etc"}})
	vol(B, false, "create-bind-upper-case", VolumeCreate{Name: "h2", DriverOpts: map[string]string{"type": "tmpfs", "o": "BIND", "device": "tmpfs"}})
	vol(B, false, "create-block-device", VolumeCreate{Name: "h3", DriverOpts: map[string]string{"type": "ext4", "device": "/dev/nvme0n1p1"}})
	vol(B, false, "create-plugin", VolumeCreate{Name: "h4", Driver: "vieux/sshfs", DriverOpts: map[string]string{"sshcmd": "me@host:/"}})
	vol(B, false, "create-cluster", VolumeCreate{Name: "h5", ClusterVolume: true})
	vol(R, false, "create-bind-restricted", VolumeCreate{Name: "h6", DriverOpts: map[string]string{"type": "none", "o": "rbind", "device": "/var/run"}})
	return out
}
