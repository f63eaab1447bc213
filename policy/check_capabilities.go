package policy

import "strings"

// capabilities (baseline): HostConfig.CapAdd may only add capabilities from
// Docker's default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID,
// KILL, MKNOD, NET_BIND_SERVICE, NET_RAW, SETFCAP, SETGID, SETPCAP, SETUID,
// SYS_CHROOT), plus those named in Exceptions.Capabilities. Names are
// normalised exactly as the daemon does (strings.ToUpper, optional CAP_
// prefix), so cap_sys_admin, CAP_SYS_ADMIN and Unicode case tricks are the same
// capability; ALL and unknown names are denied. The legacy
// HostConfig.Capabilities field (an exact set honoured by API 1.40 daemons) is
// denied whenever it is non-empty. Unknown names in CapDrop are denied too, as
// the daemon would refuse them.

func init() { register(checkCapabilities()) }

func checkCapabilities() Check {
	return Check{
		ID:     "capabilities",
		Level:  LevelBaseline,
		Title:  "Capabilities added beyond Docker's default set, ALL, unknown names and the legacy Capabilities field",
		Fields: []string{"HostConfig.CapAdd", "HostConfig.CapDrop", "HostConfig.Capabilities"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      capabilitiesV1,
		}},
	}
}

// allCaps lists every Linux capability the daemon knows, without the CAP_
// prefix, with its bit number.
var allCaps = map[string]uint{
	"CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4,
	"KILL": 5, "SETGID": 6, "SETUID": 7, "SETPCAP": 8, "LINUX_IMMUTABLE": 9,
	"NET_BIND_SERVICE": 10, "NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13,
	"IPC_LOCK": 14, "IPC_OWNER": 15, "SYS_MODULE": 16, "SYS_RAWIO": 17,
	"SYS_CHROOT": 18, "SYS_PTRACE": 19, "SYS_PACCT": 20, "SYS_ADMIN": 21,
	"SYS_BOOT": 22, "SYS_NICE": 23, "SYS_RESOURCE": 24, "SYS_TIME": 25,
	"SYS_TTY_CONFIG": 26, "MKNOD": 27, "LEASE": 28, "AUDIT_WRITE": 29,
	"AUDIT_CONTROL": 30, "SETFCAP": 31, "MAC_OVERRIDE": 32, "MAC_ADMIN": 33,
	"SYSLOG": 34, "WAKE_ALARM": 35, "BLOCK_SUSPEND": 36, "AUDIT_READ": 37,
	"PERFMON": 38, "BPF": 39, "CHECKPOINT_RESTORE": 40,
}

// defaultCaps is Docker's default capability set.
var defaultCaps = map[string]bool{
	"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true,
	"FSETID": true, "KILL": true, "MKNOD": true, "NET_BIND_SERVICE": true,
	"NET_RAW": true, "SETFCAP": true, "SETGID": true, "SETPCAP": true,
	"SETUID": true, "SYS_CHROOT": true,
}

// normalizeCap normalises a capability name as the daemon does: upper-case
// (strings.ToUpper, so Unicode folding applies exactly as in the daemon) and
// without the CAP_ prefix. It returns "ALL" for ALL, and ok=false for a name
// the daemon does not know. It does not allocate for upper-case input.
func normalizeCap(s string) (string, bool) {
	u := strings.ToUpper(s)
	if u == "ALL" {
		return u, true
	}
	n := strings.TrimPrefix(u, "CAP_")
	if _, ok := allCaps[n]; ok {
		return n, true
	}
	return u, false
}

// grantedCaps over-approximates the capability set of c as a bit mask:
// Docker's defaults plus every added capability (ALL or privileged: all of
// them). Drops are ignored, which only ever adds capabilities.
func grantedCaps(c *Container) uint64 {
	const all = 1<<41 - 1
	if c.Privileged {
		return all
	}
	var m uint64
	for n := range defaultCaps {
		m |= 1 << allCaps[n]
	}
	for _, a := range c.CapAdd {
		n, ok := normalizeCap(a)
		if !ok {
			continue
		}
		if n == "ALL" {
			return all
		}
		m |= 1 << allCaps[n]
	}
	return m
}

func capabilitiesV1(c *Container, s *Settings, r *Report) {
	var ex *compiledExceptions
	for i, a := range c.CapAdd {
		n, ok := normalizeCap(a)
		switch {
		case n == "ALL":
			r.Deny(indexField("HostConfig.CapAdd", i), a, "ALL adds every capability, which is equivalent to privileged mode",
				"add only the specific capabilities the workload needs")
		case !ok:
			r.Deny(indexField("HostConfig.CapAdd", i), a, "unknown capability",
				"use a Linux capability name such as NET_BIND_SERVICE")
		case defaultCaps[n]:
		default:
			if ex == nil {
				ex = s.exceptions()
			}
			if !ex.caps[n] {
				r.Deny(indexField("HostConfig.CapAdd", i), a, "capability "+n+" is not in Docker's default set",
					"remove it, or allow it explicitly with Exceptions.Capabilities if the workload truly needs it")
			}
		}
	}
	for i, d := range c.CapDrop {
		if _, ok := normalizeCap(d); !ok {
			r.Deny(indexField("HostConfig.CapDrop", i), d, "unknown capability",
				"use a Linux capability name or ALL")
		}
	}
	for i, v := range c.Capabilities {
		r.Deny(indexField("HostConfig.Capabilities", i), v, "the legacy Capabilities field sets an exact capability set and bypasses CapAdd checks",
			"use CapAdd and CapDrop instead")
	}
}
