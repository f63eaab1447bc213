package policy

// unrecognised (baseline): the checker fails closed on what it cannot model.
// Every Invalid entry the decoder or builder recorded (an unknown namespace or
// mount mode, an unparsable bind, an unknown security option, an unmapped
// field...) is a finding, for containers, execs and volume creates alike. A
// Windows Isolation value other than "", "default", "process" or "hyperv" is
// also denied.

// checkUnrecognised is the ID used for nil requests too.
const checkUnrecognised CheckID = "unrecognised"

func init() { register(checkUnrecognisedValues()) }

func checkUnrecognisedValues() Check {
	return Check{
		ID:     checkUnrecognised,
		Level:  LevelBaseline,
		Title:  "Any value the checker cannot model (unknown modes, options, unparsable entries): fail closed",
		Fields: []string{"any field (Container.Invalid, Exec.Invalid, VolumeCreate.Invalid)", "HostConfig.Isolation"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container: func(c *Container, _ *Settings, r *Report) {
				invalid(r, c.Invalid)
				switch c.Isolation {
				case "", "default", "process", "hyperv":
				default:
					r.Deny("HostConfig.Isolation", truncate(c.Isolation, 64), "unknown isolation mode", unrecognisedRemedy)
				}
			},
			Exec:   func(x *Exec, _ *Settings, r *Report) { invalid(r, x.Invalid) },
			Volume: func(v *VolumeCreate, _ *Settings, r *Report) { invalid(r, v.Invalid) },
		}},
	}
}

const unrecognisedRemedy = "use a value the daemon documents; the checker denies what it cannot judge"

func invalid(r *Report, iv []InvalidValue) {
	for _, v := range iv {
		reason := v.Reason
		if reason == "" {
			reason = "the value could not be understood"
		}
		r.Deny(v.Field, truncate(v.Value, 128), reason, unrecognisedRemedy)
	}
}
