package policy

// apparmor (baseline): AppArmor "unconfined" removes the profile; any other
// profile name is whatever the host has loaded under that name, so only the
// daemon's own "docker-default" and the names in Exceptions.AppArmorProfiles
// are allowed. Unset is allowed (the daemon applies docker-default when the
// host supports AppArmor).

func init() { register(checkAppArmor()) }

func checkAppArmor() Check {
	return Check{
		ID:     "apparmor",
		Level:  LevelBaseline,
		Title:  "AppArmor unconfined, or a profile other than docker-default that is not excepted",
		Fields: []string{"HostConfig.SecurityOpt apparmor"},
		Versions: []VersionedCheck{{
			MinimumVersion: V1,
			Container:      appArmorV1,
		}},
	}
}

func appArmorV1(c *Container, s *Settings, r *Report) {
	switch a := c.Security.AppArmor; a.Mode {
	case AppArmorDefault:
	case AppArmorUnconfined:
		r.Deny(secOptField(&c.Security, "apparmor"), "apparmor=unconfined",
			"AppArmor unconfined removes mandatory access control from the container",
			"remove the apparmor option to use docker-default")
	case AppArmorNamed:
		if a.Name == "docker-default" || s.exceptions().apparmor[a.Name] {
			return
		}
		r.Deny(secOptField(&c.Security, "apparmor"), "apparmor="+a.Name,
			"AppArmor profile "+a.Name+" is not docker-default and not excepted; a host profile may be permissive",
			"remove the apparmor option, or allow the profile with Exceptions.AppArmorProfiles")
	default:
		r.Deny(secOptField(&c.Security, "apparmor"), "", "unknown AppArmor mode", "remove the apparmor option")
	}
}
