package policy

import (
	"sort"
	"strings"
)

// sysctls (baseline): only the Kubernetes Pod Security baseline allow-list
// (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,
// net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies,
// net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports,
// net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout,
// net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes,
// net.ipv4.tcp_rmem, net.ipv4.tcp_wmem) and Exceptions.Sysctls are allowed.
// Keys are normalised as runc does: when the first separator is '/', dots and
// slashes are swapped (net/ipv4/ip_forward is net.ipv4.ip_forward). Even an
// allowed key is denied when its namespace is shared: net.* with the host's or
// another container's network namespace, IPC keys (kernel.shm*, kernel.msg*,
// kernel.sem, fs.mqueue.*) with a shared IPC namespace, and
// kernel.hostname/domainname with the host UTS namespace.

func init() { register(checkSysctls()) }

func checkSysctls() Check {
	return Check{
		ID:     "sysctls",
		Level:  LevelBaseline,
		Title:  "Sysctls outside the Pod Security baseline allow-list, and namespaced sysctls on a shared namespace",
		Fields: []string{"HostConfig.Sysctls"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      sysctlsV1,
		}},
	}
}

// baselineSysctls is the Kubernetes Pod Security baseline allow-list.
var baselineSysctls = map[string]bool{
	"kernel.shm_rmid_forced":              true,
	"net.ipv4.ip_local_port_range":        true,
	"net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.tcp_syncookies":             true,
	"net.ipv4.ping_group_range":           true,
	"net.ipv4.ip_local_reserved_ports":    true,
	"net.ipv4.tcp_keepalive_time":         true,
	"net.ipv4.tcp_fin_timeout":            true,
	"net.ipv4.tcp_keepalive_intvl":        true,
	"net.ipv4.tcp_keepalive_probes":       true,
	"net.ipv4.tcp_rmem":                   true,
	"net.ipv4.tcp_wmem":                   true,
}

// normalizeSysctl converts a sysctl key to dotted form exactly as runc does:
// if the first separator is '/', every '/' becomes '.' and every '.' becomes
// '/'; otherwise the key is unchanged.
func normalizeSysctl(k string) string {
	i := strings.IndexAny(k, "./")
	if i < 0 || k[i] == '.' {
		return k
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return '/'
		case '/':
			return '.'
		}
		return r
	}, k)
}

// validSysctlKey reports whether k (dotted) is a plausible sysctl key.
func validSysctlKey(k string) bool {
	if k == "" || len(k) > 256 || k[0] == '.' || k[len(k)-1] == '.' || strings.Contains(k, "..") {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c == 0x7f || c == '=' {
			return false
		}
	}
	return true
}

const sysctlRemedy = "remove the sysctl, or allow it with Exceptions.Sysctls if it is namespaced and safe"

func sysctlsV1(c *Container, s *Settings, r *Report) {
	if len(c.Sysctls) == 0 {
		return
	}
	keys := make([]string, 0, len(c.Sysctls))
	for k := range c.Sysctls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ex := s.exceptions()
	for _, k := range keys {
		n := normalizeSysctl(k)
		// Built only for a finding.
		field := func() string { return keyField("HostConfig.Sysctls", k) }
		value := func() string { return k + "=" + c.Sysctls[k] }
		switch {
		case !validSysctlKey(n):
			r.Deny(field(), value(), "not a sysctl key", sysctlRemedy)
			continue
		case !baselineSysctls[n] && !ex.sysctls[n]:
			r.Deny(field(), value(), "sysctl "+n+" is not on the baseline allow-list and not excepted", sysctlRemedy)
			continue
		}
		switch {
		case strings.HasPrefix(n, "net.") && (c.NetworkMode.Kind == NetworkHost || c.NetworkMode.Kind == NetworkContainer):
			r.Deny(field(), value(), "a net.* sysctl with a shared network namespace changes the host's or another container's network stack", "remove the sysctl or give the container its own network namespace")
		case isIPCSysctl(n) && (c.IPCMode.Kind == NamespaceHost || c.IPCMode.Kind == NamespaceContainer):
			r.Deny(field(), value(), "an IPC sysctl with a shared IPC namespace changes the host's or another container's IPC limits", "remove the sysctl or give the container its own IPC namespace")
		case (n == "kernel.hostname" || n == "kernel.domainname") && c.UTSMode.Kind == NamespaceHost:
			r.Deny(field(), value(), "a UTS sysctl with the host UTS namespace changes the host name", "remove the sysctl")
		}
	}
}

func isIPCSysctl(n string) bool {
	return strings.HasPrefix(n, "kernel.shm") || strings.HasPrefix(n, "kernel.msg") ||
		n == "kernel.sem" || strings.HasPrefix(n, "fs.mqueue.")
}
