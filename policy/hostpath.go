package policy

import (
	"strconv"
	"strings"
)

// Host-path rules.
//
// Every host path a check compares is first made canonical by CleanHostPath:
// lexically cleaned exactly as the daemon cleans a bind source (path.Clean, which
// folds "//", "/./", ".." and a trailing "/"), with "/var/run" spelled "/run".
// Comparisons are component-wise (Within), never plain string prefixes, so
// "/etcfoo" is not under "/etc". Matching against the sensitive-path table is
// ASCII case-insensitive (a deny that is too broad is harmless), while matching
// against allowed bind roots is exact (an allow must never be broader than what
// the operator wrote).
//
// The comparison is lexical. Symlinks on the host are only followed when a
// PathResolver is configured (see internal/hostfs); then the resolved path is
// judged as well.

// maxHostPath bounds the length of a host path (Linux PATH_MAX).
const maxHostPath = 4096

// HostPathError reports a host path that cannot be judged: empty, relative, too
// long, or containing a NUL byte or a backslash. A check that meets one denies.
type HostPathError struct {
	// Path is the offending path (truncated for messages by Error).
	Path string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns "policy: host path "<path>": <reason>", with the path quoted
// and truncated.
func (e *HostPathError) Error() string {
	return "policy: host path " + strconv.Quote(truncate(e.Path, 128)) + ": " + e.Reason
}

// CleanHostPath returns the canonical form of a Linux host path: it must be
// absolute and contain neither NUL nor "\" (the daemon keeps a backslash as part
// of a file name on Linux, so it cannot be compared safely); it is cleaned with
// path.Clean and a leading "/var/run" is rewritten to "/run", the directory it
// links to on every current distribution. The error is a *HostPathError.
//
// CleanHostPath does not allocate when p is already canonical, and is safe for
// concurrent use.
func CleanHostPath(p string) (string, error) {
	c, reason := canonHostPath(p)
	if reason != "" {
		return "", &HostPathError{Path: p, Reason: reason}
	}
	return c, nil
}

// canonHostPath is CleanHostPath returning the reason instead of an error.
func canonHostPath(p string) (string, string) {
	if p != "" && len(p) <= maxHostPath && p[0] == '/' && scanCleanRooted(p, true) {
		// Acceptable and already clean: one scan instead of four.
		return rewriteVarRun(p), ""
	}
	switch {
	case p == "":
		return "", "empty path"
	case len(p) > maxHostPath:
		return "", "path longer than " + strconv.Itoa(maxHostPath) + " bytes"
	case strings.IndexByte(p, 0) >= 0:
		return "", "path contains a NUL byte"
	case strings.IndexByte(p, '\\') >= 0:
		return "", `path contains a backslash ("\"); Windows paths and escaped names are not accepted`
	case p[0] != '/':
		return "", "path is not absolute"
	}
	return rewriteVarRun(cleanRooted(p)), ""
}

// rewriteVarRun spells a leading "/var/run" of the clean path c as "/run".
func rewriteVarRun(c string) string {
	if c == "/var/run" || strings.HasPrefix(c, "/var/run/") {
		return c[len("/var"):]
	}
	return c
}

// Within reports whether p is root or lies under it, comparing whole path
// components: "/etc/x" is within "/etc", "/etcfoo" is not. Both arguments must
// already be canonical (see CleanHostPath); Within does no cleaning and compares
// bytes exactly.
func Within(p, root string) bool {
	if root == "/" {
		return p != "" && p[0] == '/'
	}
	return p == root || len(p) > len(root) && p[len(root)] == '/' && p[:len(root)] == root
}

// withinFold is Within with ASCII case folding, for deny matches.
func withinFold(p, root string) bool {
	if root == "/" {
		return p != "" && p[0] == '/'
	}
	return len(p) >= len(root) && strings.EqualFold(p[:len(root)], root) &&
		(len(p) == len(root) || p[len(root)] == '/')
}

// depth returns the number of components of a canonical absolute path: 0 for "/".
func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

// Validate reports whether b can be used as an allowed bind root: its Path must
// be an absolute Linux path acceptable to CleanHostPath. Evaluation ignores a root
// that does not validate, so it allows nothing.
func (b BindRoot) Validate() error {
	_, err := CleanHostPath(b.Path)
	return err
}

// sensitiveKind classifies a sensitive host path for messages.
type sensitiveKind uint8

const (
	kindEngineSocket sensitiveKind = iota + 1
	kindRuntimeState
	kindSystem
	kindCredential
	kindHome
)

// sensitiveEntry is one sensitive host path. The entry itself, everything under
// it and every ancestor of it are sensitive.
type sensitiveEntry struct {
	path string
	kind sensitiveKind
	what string
}

// sensitivePaths is the read-only table of sensitive host paths, most specific
// and most dangerous first (the first match names the finding). Paths are
// canonical: /var/run is spelled /run.
var sensitivePaths = [...]sensitiveEntry{
	// Engine and runtime API sockets (and the directories that hold them).
	{"/run/docker.sock", kindEngineSocket, "the Docker Engine socket"},
	{"/run/docker.sock.raw", kindEngineSocket, "Docker Desktop's raw engine socket"},
	{"/run/docker", kindEngineSocket, "the Docker runtime directory"},
	{"/run/containerd", kindEngineSocket, "the containerd socket directory"},
	{"/run/crio", kindEngineSocket, "the CRI-O socket directory"},
	{"/run/podman", kindEngineSocket, "the Podman socket directory"},
	{"/run/user", kindEngineSocket, "rootless runtime directories ($XDG_RUNTIME_DIR: rootless Docker, Podman, containerd sockets)"},
	{"/run/dockershim.sock", kindEngineSocket, "the dockershim socket"},
	{"/run/kubelet.sock", kindEngineSocket, "the kubelet socket"},
	{"/run/buildkit", kindEngineSocket, "the BuildKit socket directory"},
	{"/run/firecracker-containerd", kindEngineSocket, "the firecracker-containerd socket directory"},
	{"/run/firecracker-containerd.sock", kindEngineSocket, "the firecracker-containerd socket"},
	{"/run/balena-engine.sock", kindEngineSocket, "the balenaEngine socket"},
	{"/run/balena.sock", kindEngineSocket, "the balenaEngine socket"},
	{"/run/k3s", kindEngineSocket, "the k3s containerd socket directory"},
	{"/run/dbus", kindEngineSocket, "the D-Bus system bus socket"},
	{"/run/systemd", kindEngineSocket, "systemd's private socket"},
	{"/run/host-services", kindEngineSocket, "Docker Desktop host services"},
	{"/run/guest-services", kindEngineSocket, "Docker Desktop guest services"},
	{"/mnt/wsl", kindEngineSocket, "Docker Desktop WSL integration sockets"},
	{"/var/snap/lxd", kindEngineSocket, "the LXD socket and state"},
	// Runtime state: other containers' filesystems, images, secrets.
	{"/var/lib/docker", kindRuntimeState, "Docker's state directory"},
	{"/var/lib/containerd", kindRuntimeState, "containerd's state directory"},
	{"/var/lib/containers", kindRuntimeState, "Podman/CRI-O state directory"},
	{"/var/lib/kubelet", kindRuntimeState, "the kubelet's state directory"},
	{"/var/lib/rancher", kindRuntimeState, "Rancher/k3s state directory"},
	{"/var/lib/lxd", kindRuntimeState, "LXD's state directory"},
	{"/var/lib/incus", kindRuntimeState, "Incus's state directory"},
	{"/var/log", kindRuntimeState, "host logs"},
	{"/run", kindRuntimeState, "the host runtime directory (/run, /var/run)"},
	{"/var", kindSystem, "host variable state"},
	// System directories.
	{"/etc", kindSystem, "host configuration"},
	{"/proc", kindSystem, "host procfs"},
	{"/sys", kindSystem, "host sysfs"},
	{"/dev", kindSystem, "host devices"},
	{"/boot", kindSystem, "the host boot partition"},
	{"/root", kindSystem, "root's home directory"},
	{"/usr", kindSystem, "host binaries"},
	{"/bin", kindSystem, "host binaries"},
	{"/sbin", kindSystem, "host binaries"},
	{"/private/etc", kindSystem, "host configuration (macOS)"},
	{"/private/var", kindSystem, "host variable state (macOS)"},
	{"/System", kindSystem, "the macOS system directory"},
	{"/cdrom", kindSystem, "host installation media"},
	{"/snap", kindSystem, "host snap packages"},
	// Every top-level directory named lib* (/lib, /lib32, /lib64, /libx32,
	// /Library) is matched in code, not in this table.
}

// credentialNames are path components that hold credentials or an engine's
// per-user socket anywhere in a path (compared case-insensitively). A component
// starting with "id_" (SSH keys) also matches.
var credentialNames = [...]string{
	".ssh", ".aws", ".kube", ".docker", ".gnupg", ".azure", ".minikube",
	".colima", ".rd", ".lima", ".orbstack", ".password-store", "com.docker.docker",
	".netrc", ".npmrc", ".pypirc", ".git-credentials",
	".X11-unix", // X server sockets: input injection into host desktop sessions
}

// engineSocketNames are file names of container-engine API sockets, matched
// anywhere in a path (ASCII case-insensitively): under an allowed bind root
// too, since read-only does not restrict a socket and the engine is host root.
var engineSocketNames = [...]string{
	"docker.sock", "docker.sock.raw", "docker.raw.sock", "containerd.sock", "podman.sock",
	"crio.sock", "dockershim.sock", "cri-dockerd.sock", "buildkitd.sock", "kubelet.sock",
	"balena.sock", "balena-engine.sock", "firecracker-containerd.sock",
}

// credentialPairs are two-component sequences that hold credentials.
var credentialPairs = [...][2]string{
	{".config", "gcloud"},
	{".config", "containers"},
	{".config", "gh"},
	{".config", "helm"},
	{".config", "doctl"},
	{".config", "rclone"},
	{".config", "op"},
}

// sensitiveMatch describes why a host path is sensitive.
type sensitiveMatch struct {
	// entry is the sensitive path (or the matching component prefix).
	entry string
	kind  sensitiveKind
	what  string
	// ancestor is true when the path is a strict ancestor of entry.
	ancestor bool
	// anchor is the depth a covering bind root must reach to excuse the match:
	// the entry's depth, or the path's own depth for an ancestor (the root must
	// name the path exactly).
	anchor int
}

// reason renders the match as a finding reason.
func (m sensitiveMatch) reason() string {
	if m.ancestor {
		return "host path is an ancestor of " + m.entry + " (" + m.what + "); mounting it exposes that path"
	}
	switch m.kind {
	case kindEngineSocket:
		return "host path is or is under " + m.entry + " (" + m.what + "): engine control is host root, and read-only does not restrict an API socket"
	case kindCredential:
		return "host path contains the credential component " + strconv.Quote(m.entry) + " (" + m.what + ")"
	case kindHome:
		return "host path is a home directory or its parent (" + m.what + ")"
	}
	return "host path is or is under " + m.entry + " (" + m.what + "); read-only does not make it safe"
}

// firstSensitive returns the first match for the canonical path p whose anchor is
// deeper than rootDepth (the depth of the deepest allowed root covering p, or -1),
// that is the first match that no bind root excuses.
//
// It does not allocate.
func firstSensitive(p string, rootDepth int) (sensitiveMatch, bool) {
	dp := depth(p)
	// Only entries sharing p's first component can contain p or lie under it
	// (except for "/", an ancestor of everything).
	top := p[1:]
	if i := strings.IndexByte(top, '/'); i >= 0 {
		top = top[:i]
	}
	for _, i := range sensitiveCandidates(top, dp) {
		e := &sensitivePaths[i]
		if dp > 0 && !sameTop(e.path, top) {
			continue
		}
		if withinFold(p, e.path) {
			if d := depth(e.path); d > rootDepth {
				return sensitiveMatch{entry: e.path, kind: e.kind, what: e.what, anchor: d}, true
			}
			continue
		}
		if dp > rootDepth && withinFold(e.path, p) {
			return sensitiveMatch{entry: e.path, kind: e.kind, what: e.what, ancestor: true, anchor: dp}, true
		}
	}
	// Walk the components once: /lib*, home directories, credential components.
	var prev, prev2 string
	k := 0
	for start, i := 1, 1; start < len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		comp := p[start:i]
		start = i + 1
		k++
		if k > rootDepth {
			if m, ok := componentMatch(comp, prev, prev2, k, dp); ok {
				return m, true
			}
		}
		prev2, prev = prev, comp
	}
	return sensitiveMatch{}, false
}

// allSensitive and sensitiveByInitial are read-only indexes into sensitivePaths,
// in table order: every entry, and the entries whose first component starts
// with a given ASCII letter ('a' to 'z', either case).
var allSensitive, sensitiveByInitial = indexSensitivePaths()

func indexSensitivePaths() (all []uint8, byInitial [26][]uint8) {
	for i, e := range sensitivePaths {
		all = append(all, uint8(i))
		if c := e.path[1] | 0x20; c >= 'a' && c <= 'z' {
			byInitial[c-'a'] = append(byInitial[c-'a'], uint8(i))
		}
	}
	return all, byInitial
}

// sensitiveCandidates returns the indexes of the sensitivePaths entries that
// sameTop can accept for the first component top of a path of depth dp: all of
// them for "/" (dp 0), else those with the same initial letter (sameTop compares
// the initials with ASCII case folding, so no other entry can match).
func sensitiveCandidates(top string, dp int) []uint8 {
	if dp == 0 {
		return allSensitive
	}
	if top == "" {
		return nil
	}
	if c := top[0] | 0x20; c >= 'a' && c <= 'z' {
		return sensitiveByInitial[c-'a']
	}
	return nil
}

// sameTop reports whether the canonical path e starts with the component top
// (ASCII case-insensitively).
func sameTop(e, top string) bool {
	return len(e) > len(top) && top != "" && e[1]|0x20 == top[0]|0x20 &&
		(len(e) == len(top)+1 || e[len(top)+1] == '/') && strings.EqualFold(e[1:len(top)+1], top)
}

// componentMatch judges component comp at depth k (1-based) of a path of depth
// dp; prev and prev2 are the components before it.
func componentMatch(comp, prev, prev2 string, k, dp int) (sensitiveMatch, bool) {
	if k == 1 && len(comp) >= 3 && strings.EqualFold(comp[:3], "lib") {
		return sensitiveMatch{entry: "/lib*", kind: kindSystem, what: "host libraries and kernel modules", anchor: 1}, true
	}
	if k == 1 && dp <= 2 && (strings.EqualFold(comp, "home") || strings.EqualFold(comp, "Users")) {
		return sensitiveMatch{entry: comp, kind: kindHome, what: "it holds users' credential directories such as .ssh", anchor: dp}, true
	}
	if len(comp) >= len("crio.sock") {
		for _, n := range engineSocketNames {
			if len(comp) == len(n) && strings.EqualFold(comp, n) {
				return sensitiveMatch{entry: n, kind: kindEngineSocket, what: "a container engine API socket", anchor: k}, true
			}
		}
	}
	if !mayBeCredential(comp, prev, prev2) {
		return sensitiveMatch{}, false
	}
	return credentialMatch(comp, prev, prev2, k, dp)
}

// credentialMatch is the credential part of componentMatch.
func credentialMatch(comp, prev, prev2 string, k, dp int) (sensitiveMatch, bool) {
	for _, n := range credentialNames {
		if len(comp) == len(n) && strings.EqualFold(comp, n) {
			return sensitiveMatch{entry: n, kind: kindCredential, what: "credentials or an engine socket", anchor: k}, true
		}
	}
	if len(comp) >= 3 && strings.EqualFold(comp[:3], "id_") {
		return sensitiveMatch{entry: "id_*", kind: kindCredential, what: "an SSH key", anchor: k}, true
	}
	for _, pr := range credentialPairs {
		if !strings.EqualFold(prev, pr[0]) || !strings.EqualFold(comp, pr[1]) {
			continue
		}
		return sensitiveMatch{entry: pr[0] + "/" + pr[1], kind: kindCredential, what: "cloud or registry credentials", anchor: k}, true
	}
	if k == dp && (strings.EqualFold(comp, ".config") || strings.EqualFold(comp, ".local") ||
		strings.EqualFold(prev, ".local") && strings.EqualFold(comp, "share")) {
		// The parent of credential directories, as the last component.
		return sensitiveMatch{entry: comp, kind: kindCredential, what: "it holds credential directories such as .config/gcloud or .local/share/keyrings", anchor: k}, true
	}
	if strings.EqualFold(prev2, ".local") && strings.EqualFold(prev, "share") &&
		(strings.EqualFold(comp, "containers") || strings.EqualFold(comp, "keyrings")) {
		return sensitiveMatch{entry: ".local/share/" + comp, kind: kindCredential, what: "Podman machine sockets or keyrings", anchor: k}, true
	}
	return sensitiveMatch{}, false
}

// mayBeCredential is a quick filter for the credential rules of componentMatch:
// false means none of them can match. Every credential name or pair starts
// with ".", "c" or "i" (id_*); when the name is matched with equal length or at
// a fixed offset, the matching text is ASCII (the non-ASCII case folds of
// ASCII letters, U+017F and U+212A, are longer), so its first byte is one of
// those. The rules keyed on an earlier component (.config/x, .local/share,
// .local/share/x) need that component to start with ".", which has no other
// case fold.
func mayBeCredential(comp, prev, prev2 string) bool {
	if comp == "" {
		return true // not in a canonical path; leave it to the full rules
	}
	switch comp[0] {
	case '.', 'c', 'C', 'i', 'I':
		return true
	}
	return prev != "" && prev[0] == '.' || prev2 != "" && prev2[0] == '.'
}

// rootDepth returns the depth of the deepest allowed bind root that contains the
// canonical path p, or -1 when none does. When writable is true only Writable
// roots count. Roots that do not validate are ignored.
//
// It does not allocate when the roots are canonical.
func rootDepth(p string, roots []BindRoot, writable bool) int {
	best := -1
	for _, r := range roots {
		if writable && !r.Writable {
			continue
		}
		rc, bad := canonHostPath(r.Path)
		if bad != "" {
			continue
		}
		if Within(p, rc) {
			if d := depth(rc); d > best {
				best = d
			}
		}
	}
	return best
}

// windowsPathKind classifies a Windows-style path.
type windowsPathKind uint8

const (
	winNone windowsPathKind = iota
	winDrive
	winUNC
	winPipe
)

// canonicalWindowsPath recognises a Windows host path as the daemon's Windows
// parser would accept it and returns its canonical form: lower case, "\"
// separators, the "\\?\" long-path prefix removed, so that "\\.\pipe\docker_engine",
// "//./pipe/docker_engine" and "\\.\PIPE\Docker_Engine" are the same pipe and
// "C:\Windows" equals "c:/windows". winNone means p is not a Windows path.
func canonicalWindowsPath(p string) (string, windowsPathKind) {
	if len(p) < 2 {
		return "", winNone
	}
	if sep := func(c byte) bool { return c == '/' || c == '\\' }; !(sep(p[0]) && sep(p[1])) && p[1] != ':' {
		return "", winNone // neither a UNC, pipe nor drive path: no allocation
	}
	s := strings.ToLower(strings.ReplaceAll(p, "/", `\`))
	if len(s) >= len(`\\.\pipe\`) && s[:2] == `\\` && s[3:9] == `\pipe\` {
		// The daemon's pipe pattern treats the "." as a wildcard.
		return `\\.\pipe\` + s[9:], winPipe
	}
	if strings.HasPrefix(s, `\\?\`) {
		s = s[len(`\\?\`):]
		if strings.HasPrefix(s, `unc\`) {
			s = `\\` + s[len(`unc\`):]
		}
	}
	switch {
	case strings.HasPrefix(s, `\\`):
		return s, winUNC
	case len(s) >= 2 && s[1] == ':' && s[0] >= 'a' && s[0] <= 'z':
		return s, winDrive
	}
	return "", winNone
}

// windowsReason explains why a Windows-style host path is denied.
func windowsReason(canon string, kind windowsPathKind) string {
	switch kind {
	case winPipe:
		if strings.HasPrefix(canon, `\\.\pipe\docker`) {
			return "Windows named pipe " + canon + " is the Docker Engine API (host control)"
		}
		return "Windows named pipe " + canon + " exposes a host service"
	case winUNC:
		return "Windows network path " + canon + " is not a Linux host path"
	}
	return "Windows host path " + canon + " is not a Linux host path; Windows containers are not supported by this policy"
}

// fromMounts reports whether m came from a Mounts entry ("HostConfig.Mounts[2]"),
// whose options are separate fields; Binds, Tmpfs and Config.Volumes entries are
// one string or key each, so findings name them without a suffix.
func fromMounts(m *Mount) bool {
	return strings.Contains(m.Field, "Mounts[")
}

// mountField names the request field of m, adding suffix (".Source",
// ".BindOptions.Propagation") for a Mounts entry.
func mountField(m *Mount, suffix string) string {
	if !fromMounts(m) {
		return m.Field
	}
	return m.Field + suffix
}

// bindWritable reports whether a bind lets the container write to the host:
// not read-only, or read-only only at the top (ReadOnlyNonRecursive leaves
// sub-mounts writable).
func bindWritable(m *Mount) bool {
	return !m.ReadOnly || m.ReadOnlyNonRecursive
}

// resolvedPath returns the canonical symlink-resolved form of the canonical host
// path c when s has a PathResolver and the result differs from c.
func resolvedPath(s *Settings, c string) (string, bool, error) {
	if s == nil || s.Paths == nil {
		return "", false, nil
	}
	r, err := s.Paths.ResolveHostPath(c)
	if err != nil {
		return "", false, err
	}
	rc, err := CleanHostPath(r)
	if err != nil {
		return "", false, err
	}
	return rc, rc != c, nil
}

// resolvedRootDepth is rootDepth for a symlink-resolved path: a root counts when
// the path is within the root as written or within the root's own resolved form.
func resolvedRootDepth(p string, s *Settings, writable bool) int {
	best := rootDepth(p, s.Exceptions.BindRoots, writable)
	if s.Paths == nil {
		return best
	}
	for _, r := range s.Exceptions.BindRoots {
		if writable && !r.Writable {
			continue
		}
		rc, err := CleanHostPath(r.Path)
		if err != nil {
			continue
		}
		rr, err := s.Paths.ResolveHostPath(rc)
		if err != nil {
			continue
		}
		if rr, err = CleanHostPath(rr); err != nil {
			continue
		}
		if Within(p, rr) {
			if d := depth(rr); d > best {
				best = d
			}
		}
	}
	return best
}
