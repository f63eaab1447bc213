package policy

/*
Sensitive paths: engine sockets, their ancestor directories, system and runtime
state directories and credential directories are never mounted, even read-only
and even under an allowed bind root, unless a bind root names them exactly.

Restricted fields:
  - HostConfig.Binds (host binds), HostConfig.Mounts[*].Source of binds and
    named pipes

Denied values (after CleanHostPath; table compare is case-insensitive):
  - an engine or runtime API socket or its directory (/run/docker.sock,
    /run/docker.sock.raw, /run/containerd, /run/crio, /run/podman, /run/user/...,
    dockershim, kubelet, buildkit, firecracker-containerd, balena, k3s, the D-Bus
    system bus, systemd's private socket, Docker Desktop's host and guest
    services and WSL sockets, LXD) and every ancestor directory of one;
  - /, /etc, /proc, /sys, /dev, /boot, /root, /usr, /bin, /sbin, /lib*, /run,
    /var, runtime state (/var/lib/docker, containerd, containers, kubelet,
    rancher, lxd, incus), /var/log, macOS /private/etc, /private/var, /System,
    everything under them and every ancestor of them;
  - /home, /Users and each user's home directory itself;
  - any path with a credential component: .ssh, .aws, .kube, .docker, .gnupg,
    .azure, .minikube, .config/{gcloud,containers,gh,helm,doctl,rclone,op},
    .local/share/containers, .local/share/keyrings, engine homes (.colima, .rd,
    .lima, .orbstack, com.docker.docker), .password-store, files .netrc, .npmrc,
    .pypirc, .git-credentials, id_*, the X server socket directory .X11-unix;
    and .config, .local or .local/share as the last component (they hold such
    directories);
  - any path with a component named like an engine API socket (docker.sock,
    docker.sock.raw, containerd.sock, podman.sock, crio.sock, dockershim.sock,
    cri-dockerd.sock, buildkitd.sock, kubelet.sock, balena sockets), wherever
    it lies;
  - a Windows named pipe or Windows path (reported with its canonical form).

Exact naming: a match is excused only when the deepest allowed bind root that
contains the source reaches the sensitive entry itself (for an ancestor, the
source itself): Exceptions.BindRoots{{Path: "/var/log/app"}} allows
/var/log/app/x, but a root "/" or "/home/alice" never allows /etc or
/home/alice/.ssh. With Settings.Paths set, the symlink-resolved source is judged
the same way.
*/

func init() { register(checkSensitivePaths()) }

// checkSensitivePaths returns the sensitivePaths check.
func checkSensitivePaths() Check {
	return Check{
		ID:       "sensitivePaths",
		Level:    LevelBaseline,
		Title:    "Engine sockets, their ancestor directories, and system, runtime-state or credential paths as bind sources, even read-only or under an allowed root",
		Fields:   []string{"HostConfig.Binds", "HostConfig.Mounts[*].Source"},
		Versions: []VersionedCheck{{MinimumVersion: V1, Container: sensitivePathsV1}},
	}
}

const (
	remedySensitive = "do not mount this host path; if it is really needed, name that exact path in Exceptions.BindRoots"
	remedySocket    = "never mount an engine socket or a directory holding one; give the workload a narrow safedocker capability instead"
)

func sensitivePathsV1(c *Container, s *Settings, r *Report) {
	for i := range c.Mounts {
		m := &c.Mounts[i]
		if m.Type != MountBind && m.Type != MountNpipe {
			continue
		}
		field := func() string { return mountField(m, ".Source") } // built only for a finding
		p, bad := canonHostPath(m.Source)
		if bad != "" {
			if canon, kind := canonicalWindowsPath(m.Source); kind != winNone {
				r.Deny(field(), truncate(m.Source, 256), windowsReason(canon, kind), remedySocket)
			}
			// Other unparsable sources are denied by hostMounts.
			continue
		}
		if canon, kind := canonicalWindowsPath(m.Source); kind == winPipe {
			r.Deny(field(), m.Source, windowsReason(canon, kind), remedySocket)
			continue
		}
		if m.Type == MountNpipe {
			continue // a Linux path as a pipe: hostMounts denies the type
		}
		if sm, ok := firstSensitive(p, rootDepth(p, s.Exceptions.BindRoots, false)); ok {
			r.Deny(field(), p, sm.reason(), sensitiveRemedy(sm))
		}
		rp, differs, err := resolvedPath(s, p)
		if err != nil || !differs {
			continue // a resolver error is denied by hostMounts
		}
		if sm, ok := firstSensitive(rp, resolvedRootDepth(rp, s, false)); ok {
			r.Deny(field(), p+" -> "+rp, "host path resolves through symlinks to "+rp+": "+sm.reason(), sensitiveRemedy(sm))
		}
	}
}

func sensitiveRemedy(sm sensitiveMatch) string {
	if sm.kind == kindEngineSocket {
		return remedySocket
	}
	return remedySensitive
}
