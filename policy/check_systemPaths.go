package policy

import (
	"path"
	"strings"
)

// systemPaths (baseline): the daemon masks and write-protects sensitive /proc
// and /sys entries unless MaskedPaths or ReadonlyPaths are sent. Null keeps
// the defaults; any list replaces them, and the CLI's
// "--security-opt systempaths=unconfined" sends empty lists, which unmasks
// /proc/kcore and makes /proc/sys and /proc/sysrq-trigger writable. A
// non-null list is allowed only when it contains every daemon default (after
// path.Clean); extra entries only add protection.

func init() { register(checkSystemPaths()) }

func checkSystemPaths() Check {
	return Check{
		ID:     "systemPaths",
		Level:  LevelBaseline,
		Title:  "MaskedPaths or ReadonlyPaths that drop daemon defaults (systempaths=unconfined)",
		Fields: []string{"HostConfig.MaskedPaths", "HostConfig.ReadonlyPaths"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      systemPathsV1,
		}},
	}
}

// defaultMaskedPaths is the union of the masked paths of Docker 20.10 to 28.
var defaultMaskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
}

// defaultReadonlyPaths is the daemon's read-only path list.
var defaultReadonlyPaths = []string{
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
}

func systemPathsV1(c *Container, _ *Settings, r *Report) {
	supersetOrDeny(r, "HostConfig.MaskedPaths", c.MaskedPaths, defaultMaskedPaths,
		"unmasking /proc and /sys entries exposes kernel memory, keys and firmware")
	supersetOrDeny(r, "HostConfig.ReadonlyPaths", c.ReadonlyPaths, defaultReadonlyPaths,
		"making /proc/sys or /proc/sysrq-trigger writable allows host escapes (core_pattern, sysrq)")
}

func supersetOrDeny(r *Report, field string, got, defaults []string, reason string) {
	if got == nil {
		return
	}
	var missing []string
	for _, d := range defaults {
		found := false
		for _, g := range got {
			if g == d || path.Clean(g) == d {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		r.Deny(field, "missing "+strings.Join(missing, ", "), reason,
			"omit the field (send null) to keep the daemon defaults, and do not use systempaths=unconfined")
	}
}
