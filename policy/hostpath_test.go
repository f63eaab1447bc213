package policy

import (
	"errors"
	"testing"
)

func TestCleanHostPath(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "/", want: "/"},
		{in: "/etc", want: "/etc"},
		{in: "/etc/", want: "/etc"},
		{in: "//etc", want: "/etc"},
		{in: "/var//run/docker.sock", want: "/run/docker.sock"},
		{in: "//var/run/docker.sock", want: "/run/docker.sock"},
		{in: "/var/run", want: "/run"},
		{in: "/var/run/", want: "/run"},
		{in: "/var/runner", want: "/var/runner"},
		{in: "/var/./run/./docker.sock", want: "/run/docker.sock"},
		{in: "/tmp/../var/run/docker.sock", want: "/run/docker.sock"},
		{in: "/../../etc", want: "/etc"},
		{in: "/home/../etc/", want: "/etc"},
		{in: "/srv/data/..", want: "/srv"},
		{in: "", bad: true},
		{in: "etc", bad: true},
		{in: "./etc", bad: true},
		{in: "~/x", bad: true},
		{in: `\etc`, bad: true},
		{in: `/srv\..\etc`, bad: true},
		{in: `\\.\pipe\docker_engine`, bad: true},
		{in: "C:/Windows", bad: true},
		{in: "/etc\x00x", bad: true},
		{in: "/" + string(make([]byte, maxHostPath)), bad: true},
	}
	for _, tt := range tests {
		got, err := CleanHostPath(tt.in)
		if tt.bad {
			var he *HostPathError
			if !errors.As(err, &he) || he.Reason == "" {
				t.Errorf("CleanHostPath(%q) = %q, %v; want *HostPathError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CleanHostPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if again, _ := CleanHostPath(got); again != got {
			t.Errorf("CleanHostPath not idempotent on %q: %q", got, again)
		}
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		p, root string
		want    bool
	}{
		{"/etc", "/etc", true},
		{"/etc/passwd", "/etc", true},
		{"/etcfoo", "/etc", false},
		{"/et", "/etc", false},
		{"/", "/etc", false},
		{"/anything", "/", true},
		{"/", "/", true},
		{"/srv/data/x", "/srv/data", true},
		{"/srv/database", "/srv/data", false},
		{"/Etc", "/etc", false},
	}
	for _, tt := range tests {
		if got := Within(tt.p, tt.root); got != tt.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tt.p, tt.root, got, tt.want)
		}
	}
	if !withinFold("/Etc/x", "/etc") || withinFold("/etcx", "/etc") {
		t.Error("withinFold must fold case and compare components")
	}
}

func TestBindRootValidate(t *testing.T) {
	if err := (BindRoot{Path: "/srv/data/"}).Validate(); err != nil {
		t.Errorf("valid root: %v", err)
	}
	for _, p := range []string{"", "srv", `C:\data`, "/a\\b"} {
		if err := (BindRoot{Path: p}).Validate(); err == nil {
			t.Errorf("root %q validated", p)
		}
	}
}

func TestCanonicalWindowsPath(t *testing.T) {
	tests := []struct {
		in, want string
		kind     windowsPathKind
	}{
		{`\\.\pipe\docker_engine`, `\\.\pipe\docker_engine`, winPipe},
		{`//./pipe/docker_engine`, `\\.\pipe\docker_engine`, winPipe},
		{`\\.\PIPE\Docker_Engine`, `\\.\pipe\docker_engine`, winPipe},
		{`//x/pipe/dockerDesktopLinuxEngine`, `\\.\pipe\dockerdesktoplinuxengine`, winPipe},
		{`C:\Windows\System32`, `c:\windows\system32`, winDrive},
		{`c:/ProgramData/docker`, `c:\programdata\docker`, winDrive},
		{`\\?\C:\Windows`, `c:\windows`, winDrive},
		{`\\server\share`, `\\server\share`, winUNC},
		{`\\?\UNC\server\share`, `\\server\share`, winUNC},
		{"/etc", "", winNone},
		{"data", "", winNone},
		{"", "", winNone},
	}
	for _, tt := range tests {
		got, kind := canonicalWindowsPath(tt.in)
		if got != tt.want || kind != tt.kind {
			t.Errorf("canonicalWindowsPath(%q) = %q, %d; want %q, %d", tt.in, got, kind, tt.want, tt.kind)
		}
	}
	if r := windowsReason(`\\.\pipe\docker_engine`, winPipe); r == "" {
		t.Error("empty reason")
	}
}

func TestFirstSensitive(t *testing.T) {
	tests := []struct {
		p         string
		rootDepth int
		sensitive bool
		entry     string
		ancestor  bool
	}{
		{"/run/docker.sock", -1, true, "/run/docker.sock", false},
		{"/run", -1, true, "/run/docker.sock", true},
		{"/", -1, true, "/run/docker.sock", true},
		{"/", 0, false, "", false},
		{"/etc", 0, true, "/etc", false},
		{"/var/lib", -1, true, "/var/lib/docker", true},
		{"/var/lib", 2, false, "", false},
		{"/var/lib/docker", 2, true, "/var/lib/docker", false},
		{"/lib64/x", -1, true, "/lib*", false},
		{"/Library/Keychains", -1, true, "/lib*", false},
		{"/home", -1, true, "home", false},
		{"/home/alice", -1, true, "home", false},
		{"/home/alice", 2, false, "", false},
		{"/home/alice/src", 2, false, "", false},
		{"/home/alice/.ssh", 2, true, ".ssh", false},
		{"/home/alice/.ssh/config", 3, false, "", false},
		{"/home/alice/.config/gcloud", 3, true, ".config/gcloud", false},
		{"/home/alice/.config/gcloud/x", 4, false, "", false},
		{"/home/alice/.config/nvim", 2, false, "", false},
		{"/home/a/.local/share/containers/podman", 2, true, ".local/share/containers", false},
		{"/home/a/.config", 2, true, ".config", false},
		{"/home/a/.local", 2, true, ".local", false},
		{"/home/a/.local/share", 2, true, "share", false},
		{"/home/a/.local/share", 4, false, "", false},
		{"/home/a/.local/bin", 2, false, "", false},
		{"/home/a/.config/gh/hosts.yml", 2, true, ".config/gh", false},
		{"/data/id_ed25519", -1, true, "id_*", false},
		{"/data/Id_RSA.pub", -1, true, "id_*", false},
		{"/srv/data", -1, false, "", false},
		{"/etcetera", -1, false, "", false},
		{"/procfoo", -1, false, "", false},
		{"/mnt/data", -1, false, "", false},
		{"/mnt", -1, true, "/mnt/wsl", true},
	}
	for _, tt := range tests {
		m, ok := firstSensitive(tt.p, tt.rootDepth)
		if ok != tt.sensitive || m.entry != tt.entry || m.ancestor != tt.ancestor {
			t.Errorf("firstSensitive(%q, %d) = %+v, %v; want entry %q ancestor %v sensitive %v",
				tt.p, tt.rootDepth, m, ok, tt.entry, tt.ancestor, tt.sensitive)
		}
		if ok && m.reason() == "" {
			t.Errorf("firstSensitive(%q): empty reason", tt.p)
		}
	}
}

func TestRootDepth(t *testing.T) {
	roots := []BindRoot{{Path: "/srv"}, {Path: "/srv/data/", Writable: true}, {Path: "relative"}, {Path: "/var/run/app"}}
	tests := []struct {
		p        string
		writable bool
		want     int
	}{
		{"/srv/x", false, 1},
		{"/srv/x", true, -1},
		{"/srv/data/x", false, 2},
		{"/srv/data/x", true, 2},
		{"/srvx", false, -1},
		{"/run/app/x", false, 2},
		{"/relative", false, -1},
	}
	for _, tt := range tests {
		if got := rootDepth(tt.p, roots, tt.writable); got != tt.want {
			t.Errorf("rootDepth(%q, %v) = %d, want %d", tt.p, tt.writable, got, tt.want)
		}
	}
}
