package safedocker

import (
	"fmt"
	"math/bits"
	"strings"
)

// Capability is one kind of operation a [Client] may perform. A client holds a
// [Grant], a set of capabilities fixed when it is built; every operation names
// the one capability it needs and is refused with [ErrCapabilityDenied] before
// anything else happens when that capability is not in the grant.
//
// The zero value is not a capability: it is never granted.
type Capability uint8

// The capabilities. Each operation needs exactly one of them; the operation's
// documentation names it. Destructive operations have capabilities of their own,
// so granting read or write access never grants deletion.
const (
	// CapContainerRead: list containers, inspect one, read one-shot stats. Read.
	CapContainerRead Capability = iota + 1
	// CapContainerLogs: read container logs and files. Read, but logs and files
	// often hold secrets, so it is separate from CapContainerRead.
	CapContainerLogs
	// CapContainerCreate: create a container (policy-checked). Write.
	CapContainerCreate
	// CapContainerStart: start a container (policy re-checked). Write.
	CapContainerStart
	// CapContainerStop: stop a container. Write.
	CapContainerStop
	// CapContainerRestart: restart a container. Write.
	CapContainerRestart
	// CapContainerKill: send a signal to a container. Write.
	CapContainerKill
	// CapContainerWait: wait for a container to stop. Read.
	CapContainerWait
	// CapContainerRemove: remove a container, including forced removal. Destructive.
	CapContainerRemove
	// CapExec: run a command in a running container (policy-checked). Write.
	CapExec
	// CapImageRead: list and inspect images. Read.
	CapImageRead
	// CapImagePull: pull an image (registry allow-list applies). Write.
	CapImagePull
	// CapImageRemove: remove an image. Destructive.
	CapImageRemove
	// CapVolumeRead: list and inspect volumes. Read.
	CapVolumeRead
	// CapVolumeCreate: create a volume (policy-checked). Write.
	CapVolumeCreate
	// CapVolumeRemove: remove a volume. Destructive.
	CapVolumeRemove
	// CapNetworkRead: list and inspect networks. Read.
	CapNetworkRead
	// CapNetworkCreate: create a network (driver allow-list applies). Write.
	CapNetworkCreate
	// CapNetworkConnect: connect a container to a network or disconnect it. Write.
	CapNetworkConnect
	// CapNetworkRemove: remove a network. Destructive.
	CapNetworkRemove
	// CapSystemRead: ping, version, info, disk usage. Read.
	CapSystemRead

	capEnd // one past the last capability; keep last
)

// SafetyClass says how much an operation can change: reading, a reversible
// write, or a destructive (permanent) change.
type SafetyClass uint8

// The safety classes. The zero value is not a class.
const (
	// ClassRead operations change nothing on the daemon.
	ClassRead SafetyClass = iota + 1
	// ClassWrite operations change state in a way that can be undone
	// (create, start, stop, pull, connect).
	ClassWrite
	// ClassDestructive operations delete something (remove a container,
	// image, volume or network).
	ClassDestructive
)

// String returns "read", "write" or "destructive".
func (s SafetyClass) String() string {
	switch s {
	case ClassRead:
		return "read"
	case ClassWrite:
		return "write"
	case ClassDestructive:
		return "destructive"
	}
	return fmt.Sprintf("SafetyClass(%d)", uint8(s))
}

type capInfo struct {
	name  string
	class SafetyClass
}

// capTable is indexed by Capability; entry 0 is unused. It is never modified.
var capTable = [capEnd]capInfo{
	CapContainerRead:    {"container.read", ClassRead},
	CapContainerLogs:    {"container.logs", ClassRead},
	CapContainerCreate:  {"container.create", ClassWrite},
	CapContainerStart:   {"container.start", ClassWrite},
	CapContainerStop:    {"container.stop", ClassWrite},
	CapContainerRestart: {"container.restart", ClassWrite},
	CapContainerKill:    {"container.kill", ClassWrite},
	CapContainerWait:    {"container.wait", ClassRead},
	CapContainerRemove:  {"container.remove", ClassDestructive},
	CapExec:             {"exec", ClassWrite},
	CapImageRead:        {"image.read", ClassRead},
	CapImagePull:        {"image.pull", ClassWrite},
	CapImageRemove:      {"image.remove", ClassDestructive},
	CapVolumeRead:       {"volume.read", ClassRead},
	CapVolumeCreate:     {"volume.create", ClassWrite},
	CapVolumeRemove:     {"volume.remove", ClassDestructive},
	CapNetworkRead:      {"network.read", ClassRead},
	CapNetworkCreate:    {"network.create", ClassWrite},
	CapNetworkConnect:   {"network.connect", ClassWrite},
	CapNetworkRemove:    {"network.remove", ClassDestructive},
	CapSystemRead:       {"system.read", ClassRead},
}

// Valid reports whether c is one of the defined capabilities.
func (c Capability) Valid() bool { return c > 0 && c < capEnd }

// String returns the capability's stable name, such as "container.create".
func (c Capability) String() string {
	if !c.Valid() {
		return fmt.Sprintf("Capability(%d)", uint8(c))
	}
	return capTable[c].name
}

// Class returns the capability's safety class; it is 0 for an invalid capability.
func (c Capability) Class() SafetyClass {
	if !c.Valid() {
		return 0
	}
	return capTable[c].class
}

// ParseCapability parses a name returned by [Capability.String]
// (case-insensitive). Unknown names are an error matching [ErrInvalidInput].
func ParseCapability(s string) (Capability, error) {
	for c := Capability(1); c < capEnd; c++ {
		if strings.EqualFold(capTable[c].name, s) {
			return c, nil
		}
	}
	return 0, &ValidationError{Field: "capability", Reason: fmt.Sprintf("unknown capability %q", truncate(s, 64))}
}

// AllCapabilities returns every capability, in declaration order.
func AllCapabilities() []Capability {
	out := make([]Capability, 0, capEnd-1)
	for c := Capability(1); c < capEnd; c++ {
		out = append(out, c)
	}
	return out
}

// Grant is an immutable set of capabilities. The zero value grants nothing.
// Grants are plain values, safe to copy and to share between goroutines.
type Grant struct {
	bits uint64
}

// NewGrant returns the grant holding caps. Invalid capabilities are ignored:
// they can never be granted.
func NewGrant(caps ...Capability) Grant {
	var g Grant
	for _, c := range caps {
		if c.Valid() {
			g.bits |= 1 << c
		}
	}
	return g
}

// ReadOnlyGrant returns every capability of class read except [CapContainerLogs]
// (logs often hold secrets): container, image, volume, network and system
// reads, and waiting for a container.
func ReadOnlyGrant() Grant {
	var g Grant
	for c := Capability(1); c < capEnd; c++ {
		if c.Class() == ClassRead && c != CapContainerLogs {
			g.bits |= 1 << c
		}
	}
	return g
}

// Has reports whether c is in the grant.
func (g Grant) Has(c Capability) bool {
	return c.Valid() && g.bits&(1<<c) != 0
}

// Len returns the number of capabilities in the grant.
func (g Grant) Len() int { return bits.OnesCount64(g.bits) }

// Capabilities returns the capabilities in the grant, in declaration order.
func (g Grant) Capabilities() []Capability {
	out := make([]Capability, 0, g.Len())
	for c := Capability(1); c < capEnd; c++ {
		if g.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Intersect returns the capabilities both g and o hold.
func (g Grant) Intersect(o Grant) Grant { return Grant{bits: g.bits & o.bits} }

// Union returns the capabilities either g or o holds.
func (g Grant) Union(o Grant) Grant { return Grant{bits: g.bits | o.bits} }

// Contains reports whether every capability of o is also in g.
func (g Grant) Contains(o Grant) bool { return o.bits&^g.bits == 0 }

// String lists the capability names, comma-separated, in declaration order;
// the empty grant is "none".
func (g Grant) String() string {
	if g.bits == 0 {
		return "none"
	}
	var b strings.Builder
	for _, c := range g.Capabilities() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.String())
	}
	return b.String()
}
