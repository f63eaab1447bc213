package policy

import (
	"fmt"
	"strings"
)

// NamespaceKind says how a container gets one kind of Linux namespace.
type NamespaceKind uint8

// The namespace kinds. Which kinds are legal depends on the namespace: see the
// Parse functions.
const (
	// NamespaceDefault is the daemon's default (the empty string in the API).
	NamespaceDefault NamespaceKind = iota
	// NamespacePrivate is a namespace of the container's own ("private").
	NamespacePrivate
	// NamespaceHost shares the host's namespace ("host").
	NamespaceHost
	// NamespaceContainer joins another container's namespace ("container:<ref>").
	NamespaceContainer
	// NamespaceNone is an IPC namespace without /dev/shm ("none").
	NamespaceNone
	// NamespaceShareable is a private IPC namespace others may join ("shareable").
	NamespaceShareable
)

// String returns the API spelling of k.
func (k NamespaceKind) String() string {
	switch k {
	case NamespaceDefault:
		return ""
	case NamespacePrivate:
		return "private"
	case NamespaceHost:
		return "host"
	case NamespaceContainer:
		return "container"
	case NamespaceNone:
		return "none"
	case NamespaceShareable:
		return "shareable"
	}
	return fmt.Sprintf("NamespaceKind(%d)", uint8(k))
}

// NamespaceMode is a parsed PID, IPC, UTS, user or cgroup namespace mode.
// The zero value is the daemon default.
type NamespaceMode struct {
	Kind NamespaceKind
	// Container is the donor container reference when Kind is NamespaceContainer.
	Container string
}

// String returns the API spelling of m.
func (m NamespaceMode) String() string {
	if m.Kind == NamespaceContainer {
		return "container:" + m.Container
	}
	return m.Kind.String()
}

// ModeError reports a namespace, network or mount mode the daemon would not accept
// or that this package cannot model. Evaluation treats it as a denial.
type ModeError struct {
	// What names the setting, e.g. "PidMode".
	What string
	// Value is the rejected value.
	Value string
}

func (e *ModeError) Error() string {
	return fmt.Sprintf("policy: unknown %s %q", e.What, e.Value)
}

func parseNamespace(what, s string, allowed ...NamespaceKind) (NamespaceMode, error) {
	var m NamespaceMode
	switch {
	case s == "":
		m.Kind = NamespaceDefault
	case s == "private":
		m.Kind = NamespacePrivate
	case s == "host":
		m.Kind = NamespaceHost
	case s == "none":
		m.Kind = NamespaceNone
	case s == "shareable":
		m.Kind = NamespaceShareable
	case strings.HasPrefix(s, "container:"):
		m.Kind = NamespaceContainer
		m.Container = s[len("container:"):]
		if m.Container == "" {
			return NamespaceMode{}, &ModeError{What: what, Value: s}
		}
	default:
		return NamespaceMode{}, &ModeError{What: what, Value: s}
	}
	if m.Kind == NamespaceDefault {
		return m, nil
	}
	for _, k := range allowed {
		if k == m.Kind {
			return m, nil
		}
	}
	return NamespaceMode{}, &ModeError{What: what, Value: s}
}

// ParsePIDMode parses HostConfig.PidMode: "", "host" or "container:<ref>".
func ParsePIDMode(s string) (NamespaceMode, error) {
	return parseNamespace("PidMode", s, NamespaceHost, NamespaceContainer)
}

// ParseIPCMode parses HostConfig.IpcMode: "", "none", "private", "shareable",
// "host" or "container:<ref>".
func ParseIPCMode(s string) (NamespaceMode, error) {
	return parseNamespace("IpcMode", s, NamespaceNone, NamespacePrivate, NamespaceShareable, NamespaceHost, NamespaceContainer)
}

// ParseUTSMode parses HostConfig.UTSMode: "" or "host".
func ParseUTSMode(s string) (NamespaceMode, error) {
	return parseNamespace("UTSMode", s, NamespaceHost)
}

// ParseUsernsMode parses HostConfig.UsernsMode: "", "private" or "host".
func ParseUsernsMode(s string) (NamespaceMode, error) {
	return parseNamespace("UsernsMode", s, NamespacePrivate, NamespaceHost)
}

// ParseCgroupnsMode parses HostConfig.CgroupnsMode: "", "private" or "host".
func ParseCgroupnsMode(s string) (NamespaceMode, error) {
	return parseNamespace("CgroupnsMode", s, NamespacePrivate, NamespaceHost)
}

// NetworkKind says how a container is networked.
type NetworkKind uint8

// The network kinds.
const (
	// NetworkDefault is the daemon default ("" or "default").
	NetworkDefault NetworkKind = iota
	// NetworkBridge is the default bridge network ("bridge").
	NetworkBridge
	// NetworkNone has only loopback ("none").
	NetworkNone
	// NetworkHost shares the host's network namespace ("host").
	NetworkHost
	// NetworkContainer joins another container's network namespace.
	NetworkContainer
	// NetworkNamed is a user-defined network, by name or ID.
	NetworkNamed
)

// NetworkMode is a parsed HostConfig.NetworkMode. The zero value is the default.
type NetworkMode struct {
	Kind NetworkKind
	// Name is the network name (NetworkNamed) or donor container (NetworkContainer).
	Name string
}

// String returns the API spelling of m.
func (m NetworkMode) String() string {
	switch m.Kind {
	case NetworkDefault:
		return "default"
	case NetworkBridge:
		return "bridge"
	case NetworkNone:
		return "none"
	case NetworkHost:
		return "host"
	case NetworkContainer:
		return "container:" + m.Name
	case NetworkNamed:
		return m.Name
	}
	return fmt.Sprintf("NetworkKind(%d)", uint8(m.Kind))
}

// ParseNetworkMode parses HostConfig.NetworkMode. A value that is none of the
// daemon's keywords is a user-defined network name, which must be a valid name;
// a name that differs from a keyword only in case is rejected as ambiguous.
func ParseNetworkMode(s string) (NetworkMode, error) {
	switch s {
	case "", "default":
		return NetworkMode{Kind: NetworkDefault}, nil
	case "bridge":
		return NetworkMode{Kind: NetworkBridge}, nil
	case "none":
		return NetworkMode{Kind: NetworkNone}, nil
	case "host":
		return NetworkMode{Kind: NetworkHost}, nil
	}
	if strings.HasPrefix(s, "container:") {
		ref := s[len("container:"):]
		if ref == "" {
			return NetworkMode{}, &ModeError{What: "NetworkMode", Value: s}
		}
		return NetworkMode{Kind: NetworkContainer, Name: ref}, nil
	}
	if !validObjectName(s) {
		return NetworkMode{}, &ModeError{What: "NetworkMode", Value: s}
	}
	switch strings.ToLower(s) {
	case "default", "bridge", "none", "host", "nat":
		return NetworkMode{}, &ModeError{What: "NetworkMode", Value: s}
	}
	return NetworkMode{Kind: NetworkNamed, Name: s}, nil
}

// validObjectName reports whether s fits Docker's object name grammar
// [a-zA-Z0-9][a-zA-Z0-9_.-]* (network names and IDs), bounded to 255 bytes.
func validObjectName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return false
		}
		if !alnum && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}
