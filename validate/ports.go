package validate

import (
	"net/netip"
	"strconv"
	"strings"
)

// MaxPortRange is the largest number of ports one [PortSpec] range may
// cover: 1024.
const MaxPortRange = 1024

// Protocol is a port protocol.
type Protocol string

// The protocols the daemon accepts.
const (
	TCP  Protocol = "tcp"
	UDP  Protocol = "udp"
	SCTP Protocol = "sctp"
)

// PortSpec is a parsed port publication in the Docker CLI's -p syntax:
//
//	[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]
//
// for example "8080", "8080:80", "127.0.0.1:8080:80/tcp", "[::1]::80/udp",
// "8000-8009:80-89". Values come from [ParsePortSpec].
type PortSpec struct {
	// HostIP is the host address; the zero Addr means all interfaces (as does
	// an explicit 0.0.0.0 or ::, which IsUnspecified reports). IPv4-mapped
	// IPv6 addresses are unmapped.
	HostIP netip.Addr
	// HostPort and HostPortEnd are the host port range; both are 0 when the
	// daemon chooses, and equal for a single port.
	HostPort, HostPortEnd uint16
	// ContainerPort and ContainerPortEnd are the container port range, equal
	// for a single port; never 0.
	ContainerPort, ContainerPortEnd uint16
	// Protocol is tcp (the default), udp or sctp.
	Protocol Protocol
}

// LoopbackOnly reports whether the publication binds only a loopback address.
func (p PortSpec) LoopbackOnly() bool { return p.HostIP.IsLoopback() }

// String returns the canonical -p form; parsing it yields an equal PortSpec.
func (p PortSpec) String() string {
	var b strings.Builder
	if p.HostIP.IsValid() {
		if p.HostIP.Is6() {
			b.WriteString("[" + p.HostIP.String() + "]")
		} else {
			b.WriteString(p.HostIP.String())
		}
		b.WriteByte(':')
	}
	if p.HostPort != 0 {
		writeRange(&b, p.HostPort, p.HostPortEnd)
	}
	if p.HostIP.IsValid() || p.HostPort != 0 {
		b.WriteByte(':')
	}
	writeRange(&b, p.ContainerPort, p.ContainerPortEnd)
	b.WriteString("/" + string(p.Protocol))
	return b.String()
}

func writeRange(b *strings.Builder, lo, hi uint16) {
	b.WriteString(strconv.Itoa(int(lo)))
	if hi != lo {
		b.WriteString("-" + strconv.Itoa(int(hi)))
	}
}

// ParsePortSpec parses a port publication (see [PortSpec]). Ports are
// decimal 1-65535; a range covers at most [MaxPortRange] ports; a host range
// must be as long as the container range, except that a host range with a
// single container port lets the daemon pick one host port from it. IPv6
// host addresses need brackets; zones are refused.
func ParsePortSpec(s string) (PortSpec, error) {
	fail := func(reason string) (PortSpec, error) { return PortSpec{}, newError("port", s, reason) }
	if s == "" || len(s) > 128 {
		return fail("empty or longer than 128 bytes")
	}
	var p PortSpec
	rest := s
	p.Protocol = TCP
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		switch strings.ToLower(rest[i+1:]) {
		case "tcp":
		case "udp":
			p.Protocol = UDP
		case "sctp":
			p.Protocol = SCTP
		default:
			return fail("protocol must be tcp, udp or sctp")
		}
		rest = rest[:i]
	}
	var ipPart, hostPart, ctrPart string
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 || end+1 >= len(rest) || rest[end+1] != ':' {
			return fail("bad bracketed host address")
		}
		ipPart = rest[1:end]
		hostPart, ctrPart, _ = strings.Cut(rest[end+2:], ":")
		if !strings.Contains(rest[end+2:], ":") {
			return fail("a host address needs HOST_PORT:CONTAINER_PORT or ::CONTAINER_PORT")
		}
		if strings.Contains(ctrPart, ":") {
			return fail("too many ':'")
		}
	} else {
		parts := strings.Split(rest, ":")
		switch len(parts) {
		case 1:
			ctrPart = parts[0]
		case 2:
			hostPart, ctrPart = parts[0], parts[1]
			if hostPart == "" {
				return fail("empty host port")
			}
		case 3:
			ipPart, hostPart, ctrPart = parts[0], parts[1], parts[2]
			if ipPart == "" {
				return fail("empty host address")
			}
		default:
			return fail("too many ':' (IPv6 addresses need brackets)")
		}
	}
	if ipPart != "" || strings.HasPrefix(rest, "[") {
		ip, err := netip.ParseAddr(ipPart)
		if err != nil || ip.Zone() != "" {
			return fail("bad host address")
		}
		p.HostIP = ip.Unmap()
	}
	var err error
	if p.ContainerPort, p.ContainerPortEnd, err = parsePortRange(ctrPart); err != nil {
		return fail("container port: " + err.Error())
	}
	if hostPart != "" {
		if p.HostPort, p.HostPortEnd, err = parsePortRange(hostPart); err != nil {
			return fail("host port: " + err.Error())
		}
		hostLen := p.HostPortEnd - p.HostPort
		ctrLen := p.ContainerPortEnd - p.ContainerPort
		if hostLen != ctrLen && ctrLen != 0 {
			return fail("host and container ranges differ in length")
		}
	}
	return p, nil
}

type portError string

func (e portError) Error() string { return string(e) }

func parsePortRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePort(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = parsePort(b); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, portError("range end below start")
		}
		if int(hi-lo)+1 > MaxPortRange {
			return 0, 0, portError("range longer than 1024 ports")
		}
	}
	return lo, hi, nil
}

func parsePort(s string) (uint16, error) {
	if !isDigits(s) || len(s) > 5 {
		return 0, portError("not a decimal port")
	}
	n, _ := strconv.Atoi(s)
	if n < 1 || n > 65535 {
		return 0, portError("out of range 1-65535")
	}
	return uint16(n), nil
}
