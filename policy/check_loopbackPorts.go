package policy

// loopbackPorts (restricted): every published port must be bound to a
// loopback address (127.0.0.0/8 or ::1); an unset host address binds every
// interface. PublishAllPorts, which publishes every exposed port on every
// interface, is denied.

func init() { register(checkLoopbackPorts()) }

func checkLoopbackPorts() Check {
	return Check{
		ID:     "loopbackPorts",
		Level:  LevelRestricted,
		Title:  "Ports published on non-loopback addresses, and PublishAllPorts",
		Fields: []string{"HostConfig.PortBindings", "HostConfig.PublishAllPorts"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      loopbackPortsV1,
		}},
	}
}

func loopbackPortsV1(c *Container, _ *Settings, r *Report) {
	const remedy = "bind the port to 127.0.0.1 (HostIp) and put a proxy in front if it must be reachable"
	if c.PublishAllPorts {
		r.Deny("HostConfig.PublishAllPorts", "true", "PublishAllPorts publishes every exposed port on every interface", "publish specific ports on 127.0.0.1 instead")
	}
	for i, p := range c.Ports {
		if p.HostIP.IsValid() && p.HostIP.IsLoopback() {
			continue
		}
		field := p.Field
		if field == "" {
			field = indexField("HostConfig.PortBindings", i)
		}
		v := "all interfaces"
		if p.HostIP.IsValid() {
			v = p.HostIP.String()
		}
		r.Deny(field, v, "the port is published beyond loopback", remedy)
	}
}
