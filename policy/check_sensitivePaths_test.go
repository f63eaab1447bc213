package policy

import (
	"strings"
	"testing"
)

func TestSensitivePathsDenied(t *testing.T) {
	// Every source is denied without roots, and also under the allowed root "/"
	// (which names only "/" exactly): read-only does not help.
	sources := []string{
		// Engine sockets in every spelling.
		"/var/run/docker.sock", "/run/docker.sock", "//var//run/docker.sock", "/var/run/docker.sock/",
		"/tmp/../var/run/docker.sock", "/var/run/./docker.sock", "/var/run/docker.sock.raw",
		"/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/podman/podman.sock",
		"/run/user/1000/docker.sock", "/run/user/1000/podman/podman.sock", "/var/run/dockershim.sock",
		"/run/buildkit/buildkitd.sock", "/run/firecracker-containerd.sock", "/var/run/balena-engine.sock",
		"/run/dbus/system_bus_socket", "/run/systemd/private", "/run/k3s/containerd/containerd.sock",
		"/mnt/wsl/docker-desktop/shared-sockets/guest-services/docker.sock", "/var/snap/lxd/common/lxd/unix.socket",
		"/Users/a/.docker/run/docker.sock", "/home/a/.docker/desktop/docker.sock",
		"/Users/a/Library/Containers/com.docker.docker/Data/docker.raw.sock",
		"/home/a/.colima/default/docker.sock", "/home/a/.local/share/containers/podman/machine/podman.sock",
		// Ancestors of sockets and sensitive paths.
		"/run", "/var/run", "/var", "/run/containerd", "/run/user", "/var/lib", "/mnt", "/mnt/wsl", "/private",
		// System and runtime state.
		"/etc", "/etc/shadow", "/ETC/passwd", "/proc", "/proc/1/root", "/sys/fs/cgroup", "/sys/kernel",
		"/dev", "/dev/sda", "/boot", "/root", "/root/.bashrc", "/usr", "/usr/bin", "/bin", "/sbin",
		"/lib", "/lib64", "/lib/modules", "/libx32", "/var/lib/docker", "/var/lib/docker/volumes/x/_data",
		"/var/lib/containerd", "/var/lib/containers/storage", "/var/lib/kubelet/pods", "/var/log",
		"/var/log/syslog", "/var/spool/cron", "/private/etc/hosts", "/private/var/run/docker.sock",
		// Credentials anywhere.
		"/home/alice/.ssh", "/data/x/.aws/credentials", "/srv/.kube/config", "/home/a/.docker/config.json",
		"/home/a/.gnupg", "/home/a/.azure", "/home/a/.config/gcloud", "/home/a/.netrc", "/home/a/.npmrc",
		"/home/a/.ssh/id_ed25519", "/data/id_rsa", "/home/a/.SSH", "/srv/app/.git-credentials", "/tmp/.X11-unix",
		"/home/a/.config", "/home/a/.local/share", "/home/a/.config/gh",
		// Engine API sockets by name anywhere (read-only does not restrict a socket).
		"/srv/data/docker.sock", "/opt/app/run/containerd.sock", "/srv/Podman.sock", "/data/docker.sock.raw",
		// Home directories.
		"/home", "/home/alice", "/Users/bob",
	}
	for _, rootSet := range [][]string{nil, {"/"}} {
		for _, src := range sources {
			got := mtRun(sensitivePathsV1, mtBinds(t, "", src+":/x:ro"), mtRoots(rootSet...))
			if len(got) != 1 {
				t.Errorf("roots %v, %s: got %d findings, want 1:\n%s", rootSet, src, len(got), mtList(got))
				continue
			}
			if got[0].Field != "HostConfig.Binds[0]" || got[0].Remediation == "" || got[0].Check != "" {
				t.Errorf("%s: bad finding %s", src, got[0])
			}
		}
	}
}

func TestSensitivePathsAllowed(t *testing.T) {
	sources := []string{
		"/srv/data", "/tmp/x", "/home/alice/src", "/opt/app", "/etcetera", "/procfoo", "/data/libx",
		"/mnt/data", "/runner", "/var_old", "/Users/bob/work/project", "/home/a/.config/nvim",
		"/data/notid_rsa", "/home/a/sshkeys", "/srv/docker.socket.d", "/srv/sock",
	}
	for _, src := range sources {
		if got := mtRun(sensitivePathsV1, mtBinds(t, "", src+":/x:ro"), nil); len(got) != 0 {
			t.Errorf("%s: unexpected findings:\n%s", src, mtList(got))
		}
	}
}

func TestSensitivePathsExactNaming(t *testing.T) {
	tests := []struct {
		roots []string
		src   string
		deny  string // reason substring; "" = allowed
	}{
		{[]string{"/"}, "/", ""},
		{[]string{"/"}, "/data", ""},
		{[]string{"/"}, "/etc", "/etc"},
		{[]string{"/home/alice"}, "/home/alice", ""},
		{[]string{"/home/alice"}, "/home/alice/src", ""},
		{[]string{"/home/alice"}, "/home/alice/.ssh", ".ssh"},
		{[]string{"/home/alice/.ssh"}, "/home/alice/.ssh/known_hosts", ""},
		{[]string{"/home/alice/.ssh:rw"}, "/home/alice/.ssh", ""},
		{[]string{"/var/log/app"}, "/var/log/app/x.log", ""},
		{[]string{"/var/log/app"}, "/var/log", "/var/log"},
		{[]string{"/var/log/app"}, "/var/log/other", "outside"}, // not under the root: hostMounts' job
		{[]string{"/var/run/docker.sock"}, "/run/docker.sock", ""},
		{[]string{"/run/docker.sock"}, "/var/run/docker.sock", ""},
		{[]string{"/run/docker.sock"}, "/run", "ancestor"},
		{[]string{"/var/lib"}, "/var/lib", ""},
		{[]string{"/var/lib"}, "/var/lib/docker/x", "/var/lib/docker"},
		{[]string{"/var/lib"}, "/var/lib/foo", ""},
		{[]string{"/var"}, "/var/tmp", ""},
		{[]string{"/srv"}, "/srv/.kube", ".kube"},
		{[]string{"/srv/data"}, "/srv/data/docker.sock", "docker.sock"},
		{[]string{"/srv/data/docker.sock"}, "/srv/data/docker.sock", ""},
	}
	for _, tt := range tests {
		got := mtRun(sensitivePathsV1, mtBinds(t, "", tt.src+":/x:ro"), mtRoots(tt.roots...))
		switch {
		case tt.deny == "" && len(got) != 0:
			t.Errorf("roots %v, %s: want allowed, got:\n%s", tt.roots, tt.src, mtList(got))
		case tt.deny == "outside":
			// sensitivePaths judges paths under no root like paths under none:
			// /var/log/other is under /var/log.
			if len(got) != 1 {
				t.Errorf("roots %v, %s: want 1 finding, got:\n%s", tt.roots, tt.src, mtList(got))
			}
		case tt.deny != "" && (len(got) != 1 || !strings.Contains(got[0].Reason, tt.deny)):
			t.Errorf("roots %v, %s: want a finding about %q, got:\n%s", tt.roots, tt.src, tt.deny, mtList(got))
		}
	}
}

func TestSensitivePathsMountsAndPipes(t *testing.T) {
	c := mtMounts(
		Mount{Type: MountBind, Source: "/var/run/docker.sock", Target: "/s", ReadOnly: true},
		Mount{Type: MountNpipe, Source: `\\.\pipe\docker_engine`, Target: `\\.\pipe\docker_engine`},
		Mount{Type: MountBind, Source: `//./pipe/docker_engine`, Target: "/p"},
		Mount{Type: MountBind, Source: `C:\ProgramData\docker`, Target: "/p"},
		Mount{Type: MountVolume, Source: "etc", Target: "/etc"},
		Mount{Type: MountTmpfs, Target: "/run"},
		Mount{Type: MountBind, Source: "relative", Target: "/r"},
	)
	mtExpect(t, mtRun(sensitivePathsV1, c, mtRoots("/")),
		"HostConfig.Mounts[0].Source|Docker Engine socket",
		`HostConfig.Mounts[1].Source|\\.\pipe\docker_engine is the Docker Engine API`,
		`HostConfig.Mounts[2].Source|\\.\pipe\docker_engine is the Docker Engine API`,
		`HostConfig.Mounts[3].Source|c:\programdata\docker`,
	)
}

func TestSensitivePathsResolved(t *testing.T) {
	s := mtRoots("/srv/data", "/srv/data/etc-copy")
	s.Paths = mtLinks{"/srv/data/l": "/etc", "/srv/data/sock": "/var/run/docker.sock", "/srv/data/ok": "/srv/data/real"}
	c := mtBinds(t, "", "/srv/data/l/x:/a:ro", "/srv/data/sock:/b:ro", "/srv/data/ok:/c:ro", "/srv/data/plain:/d:ro")
	got := mtRun(sensitivePathsV1, c, s)
	mtExpect(t, got,
		"HostConfig.Binds[0]|resolves through symlinks to /etc/x",
		"HostConfig.Binds[1]|resolves through symlinks to /run/docker.sock",
	)
	if got[0].Value != "/srv/data/l/x -> /etc/x" {
		t.Errorf("value %q should show both paths", got[0].Value)
	}
	// Raw and resolved both sensitive: both reported.
	s.Paths = mtLinks{"/etc": "/private/etc"}
	mtExpect(t, mtRun(sensitivePathsV1, mtBinds(t, "", "/etc:/e:ro"), s),
		"HostConfig.Binds[0]|/etc", "HostConfig.Binds[0]|resolves through symlinks to /private/etc")
}
