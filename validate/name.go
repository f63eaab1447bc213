package validate

import "strings"

// MaxNameLength is the longest container, volume or network name accepted:
// 128 bytes.
const MaxNameLength = 128

// ContainerName is a container name or ID in Docker's grammar
// [a-zA-Z0-9][a-zA-Z0-9_.-]+ (so at least two characters), at most
// [MaxNameLength] bytes. A full or abbreviated hexadecimal container ID fits
// the same grammar. The zero value is empty; values come from
// [ParseContainerName].
type ContainerName struct{ s string }

// VolumeName is a volume name in Docker's grammar (see [ContainerName]).
// Values come from [ParseVolumeName].
type VolumeName struct{ s string }

// NetworkName is a network name or ID in Docker's grammar (see
// [ContainerName]); Docker itself is laxer about network names, we are not.
// Values come from [ParseNetworkName].
type NetworkName struct{ s string }

// ParseContainerName parses a container name or ID. One leading "/" (as the
// daemon reports names) is removed.
func ParseContainerName(s string) (ContainerName, error) {
	n, err := parseName("container name", strings.TrimPrefix(s, "/"), s)
	return ContainerName{n}, err
}

// ParseVolumeName parses a volume name.
func ParseVolumeName(s string) (VolumeName, error) {
	n, err := parseName("volume name", s, s)
	return VolumeName{n}, err
}

// ParseNetworkName parses a network name or ID.
func ParseNetworkName(s string) (NetworkName, error) {
	n, err := parseName("network name", s, s)
	return NetworkName{n}, err
}

// String returns the name.
func (n ContainerName) String() string { return n.s }

// IsZero reports whether n is the zero value.
func (n ContainerName) IsZero() bool { return n.s == "" }

// String returns the name.
func (n VolumeName) String() string { return n.s }

// IsZero reports whether n is the zero value.
func (n VolumeName) IsZero() bool { return n.s == "" }

// String returns the name.
func (n NetworkName) String() string { return n.s }

// IsZero reports whether n is the zero value.
func (n NetworkName) IsZero() bool { return n.s == "" }

func parseName(field, s, orig string) (string, error) {
	switch {
	case s == "":
		return "", newError(field, orig, "empty name")
	case len(s) > MaxNameLength:
		return "", newError(field, orig, "longer than 128 bytes")
	case len(s) < 2:
		return "", newError(field, orig, "shorter than 2 characters")
	case !isAlnum(s[0]):
		return "", newError(field, orig, "must start with a letter or digit")
	}
	for i := 1; i < len(s); i++ {
		if b := s[i]; !isAlnum(b) && b != '_' && b != '.' && b != '-' {
			return "", newError(field, orig, "only [a-zA-Z0-9][a-zA-Z0-9_.-]+ is allowed")
		}
	}
	return s, nil
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
